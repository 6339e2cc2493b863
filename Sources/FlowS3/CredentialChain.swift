import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Finds AWS credentials the way the AWS CLI does, and refreshes temporary ones before they expire.
///
/// Order: the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`);
/// the selected profile's keys in the shared credentials file; the profile's `credential_process`;
/// the profile's keys in the config file; the EC2 instance metadata service (IMDSv2), unless
/// `AWS_EC2_METADATA_DISABLED=true`. The environment and home directory are parameters, so tests
/// never touch the process's own.
public final class CredentialChain: AWSCredentialProvider {
    /// The environment variables consulted (may hold secrets: never printed, see `description`).
    private let environment: [String: String]
    /// The home directory that `~/.aws` is resolved against.
    public let homeDirectory: String
    private let httpClient: HTTPClient
    private let metadataTimeout: TimeAmount
    /// Temporary credentials are refreshed this long before they expire.
    private let refreshMargin: TimeInterval = 300
    /// The last credentials found; guarded by the mutex because several streams ask at once.
    private let cached = Mutex<AWSCredentials?>(nil)

    /// Creates a chain reading `environment` and `homeDirectory/.aws`, using `httpClient` for IMDS.
    ///
    /// - Parameter metadataTimeout: deadline of each instance metadata request (1 s, as the CLI).
    public init(
        environment: [String: String],
        homeDirectory: String,
        httpClient: HTTPClient,
        metadataTimeout: TimeAmount = .seconds(1)
    ) {
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.httpClient = httpClient
        self.metadataTimeout = metadataTimeout
    }

    /// Cached credentials, resolved again when missing or about to expire.
    public func credentials() async throws -> AWSCredentials {
        if let current = cached.withLock({ $0 }), !current.expires(within: refreshMargin) {
            return current
        }
        let fresh = try await resolve()
        cached.withLock { $0 = fresh }
        return fresh
    }

    /// Walks the chain once, without the cache, and returns the first credentials found.
    public func resolve() async throws -> AWSCredentials {
        var searched: [String] = []

        // 1. Environment variables.
        let envKey = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let envSecret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        switch (envKey, envSecret) {
        case let (key?, secret?):
            return AWSCredentials(
                accessKeyId: key, secretAccessKey: secret,
                sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]), source: "environment")
        case (.some, nil):
            throw CredentialError.partialCredentials(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, .some):
            throw CredentialError.partialCredentials(source: "the environment", missing: "AWS_ACCESS_KEY_ID")
        case (nil, nil):
            searched.append("environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: not set")
        }

        // 2–4. The shared files' profile.
        let shared = try AWSSharedConfig(environment: environment, homeDirectory: homeDirectory)
        let profile = shared.profile
        if let found = try keys(in: shared.credentialsSection, source: "shared credentials file \(shared.credentialsPath) (profile \(profile))") {
            return found
        }
        searched.append("shared credentials file \(shared.credentialsPath) (profile \(profile)): "
            + describe(exists: shared.credentialsFileExists, section: shared.credentialsSection))

        if let command = shared.value("credential_process") {
            let process = CredentialProcess(command: command, profile: profile, environment: environment)
            return try await process.run()
        }
        searched.append("credential_process of profile \(profile): not configured")

        if let found = try keys(in: shared.configSection, source: "config file \(shared.configPath) (profile \(profile))") {
            return found
        }
        searched.append("config file \(shared.configPath) (profile \(profile)): "
            + describe(exists: shared.configFileExists, section: shared.configSection))

        if let note = shared.unsupportedCredentialSource { searched.append(note) }

        // 5. Instance metadata.
        let endpoint = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            searched.append("EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED=true")
        } else {
            let imds = InstanceMetadataCredentials(endpoint: endpoint, httpClient: httpClient, timeout: metadataTimeout)
            do {
                return try await imds.fetch()
            } catch let error as CredentialError {
                searched.append("EC2 instance metadata \(imds.endpoint): \(error.failureReasonText)")
            }
        }
        throw CredentialError.noCredentials(searched: searched)
    }

    /// Credentials from `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token`.
    private func keys(in section: [String: String]?, source: String) throws -> AWSCredentials? {
        guard let section else { return nil }
        let key = nonEmpty(section["aws_access_key_id"])
        let secret = nonEmpty(section["aws_secret_access_key"])
        switch (key, secret) {
        case let (key?, secret?):
            return AWSCredentials(
                accessKeyId: key, secretAccessKey: secret,
                sessionToken: nonEmpty(section["aws_session_token"]), source: source)
        case (.some, nil):
            throw CredentialError.partialCredentials(source: source, missing: "aws_secret_access_key")
        case (nil, .some):
            throw CredentialError.partialCredentials(source: source, missing: "aws_access_key_id")
        case (nil, nil):
            return nil
        }
    }

    private func describe(exists: Bool, section: [String: String]?) -> String {
        if !exists { return "file not found" }
        return section == nil ? "no such profile" : "profile has no access keys"
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

extension CredentialChain: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Names the home directory and profile only; the environment (which may hold keys) is not shown.
    public var description: String {
        "CredentialChain(home: \(homeDirectory), profile: \(profileName))"
    }

    /// The same redacted text as `description`.
    public var debugDescription: String { description }

    /// A mirror without the environment, so `dump()` cannot print secrets from it.
    public var customMirror: Mirror {
        Mirror(self, children: ["homeDirectory": homeDirectory, "profile": profileName])
    }

    private var profileName: String {
        environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
    }
}

extension CredentialError {
    /// The reason part of an instance metadata failure, for the list of places searched.
    var failureReasonText: String {
        if case .instanceMetadataFailed(_, let reason, _) = self { return reason }
        return errorDescription ?? "failed"
    }
}
