import AsyncHTTPClient
import FlowS3TestSupport
import Foundation
import Testing

@testable import FlowS3

/// The credential chain against temporary home directories and environment dictionaries; the
/// process environment is never read or changed.
@Suite struct CredentialChainTests {
    /// A temporary home with optional `~/.aws/credentials` and `~/.aws/config`.
    struct Home {
        let url: URL
        var path: String { url.path }

        init(credentials: String? = nil, config: String? = nil) throws {
            url = try makeTempDirectory()
            let aws = url.appendingPathComponent(".aws")
            try FileManager.default.createDirectory(at: aws, withIntermediateDirectories: true)
            if let credentials { try credentials.write(to: aws.appendingPathComponent("credentials"), atomically: true, encoding: .utf8) }
            if let config { try config.write(to: aws.appendingPathComponent("config"), atomically: true, encoding: .utf8) }
        }

        func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
            let file = url.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path) }
            return file.path
        }

        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    /// Metadata is off unless a test turns it on, so no test ever waits on 169.254.169.254.
    static let noIMDS = ["AWS_EC2_METADATA_DISABLED": "true"]

    func resolve(_ env: [String: String], home: Home) async throws -> AWSCredentials {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let chain = CredentialChain(environment: env, homeDirectory: home.path, httpClient: http)
        do {
            let found = try await chain.resolve()
            try await http.shutdown()
            return found
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static let credentialsFile = """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret

        # a comment
        [dev]
        aws_access_key_id=AKIDDEV
        aws_secret_access_key=dev-secret ; trailing comment
        aws_session_token = dev-token
        """

    @Test func environmentWinsOverProfile() async throws {
        let home = try Home(credentials: Self.credentialsFile)
        defer { home.remove() }
        let env = Self.noIMDS.merging([
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "env-token",
        ]) { $1 }
        let found = try await resolve(env, home: home)
        #expect(found.accessKeyId == "AKIDENV")
        #expect(found.secretAccessKey == "env-secret")
        #expect(found.sessionToken == "env-token")
        #expect(found.source == "environment")
    }

    @Test func defaultAndSelectedProfile() async throws {
        let home = try Home(credentials: Self.credentialsFile)
        defer { home.remove() }
        let byDefault = try await resolve(Self.noIMDS, home: home)
        #expect(byDefault.accessKeyId == "AKIDDEFAULT")
        let dev = try await resolve(Self.noIMDS.merging(["AWS_PROFILE": "dev"]) { $1 }, home: home)
        #expect(dev.accessKeyId == "AKIDDEV")
        #expect(dev.secretAccessKey == "dev-secret")
        #expect(dev.sessionToken == "dev-token")
    }

    @Test func configFileProfileSectionAndFileOverrides() async throws {
        let home = try Home()
        defer { home.remove() }
        let config = try home.write("custom-config", """
            [default]
            region = eu-west-1
            [profile analytics]
            region = ap-southeast-2
            aws_access_key_id = AKIDCONFIG
            aws_secret_access_key = config-secret
            [analytics]
            aws_access_key_id = AKIDWRONGSECTION
            aws_secret_access_key = wrong
            """)
        let env = Self.noIMDS.merging(["AWS_PROFILE": "analytics", "AWS_CONFIG_FILE": config]) { $1 }
        let found = try await resolve(env, home: home)
        #expect(found.accessKeyId == "AKIDCONFIG")
        let settings = try S3ClientConfiguration.resolve(environment: env, homeDirectory: home.path)
        #expect(settings.region == "ap-southeast-2")
        #expect(settings.endpoint == .aws(region: "ap-southeast-2"))

        let credentials = try home.write("custom-credentials", "[analytics]\naws_access_key_id = AKIDCREDFILE\naws_secret_access_key = s\n")
        let both = try await resolve(env.merging(["AWS_SHARED_CREDENTIALS_FILE": credentials]) { $1 }, home: home)
        #expect(both.accessKeyId == "AKIDCREDFILE")
    }

    @Test func credentialProcessSuccess() async throws {
        let home = try Home()
        defer { home.remove() }
        let script = try home.write("creds.sh", """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "process-secret",'
            echo ' "SessionToken": "process-token", "Expiration": "2099-05-01T10:00:00Z"}'
            """, executable: true)
        _ = try home.write(".aws/config", "[profile proc]\ncredential_process = \(script) --flag \"quoted arg\"\n")
        let found = try await resolve(Self.noIMDS.merging(["AWS_PROFILE": "proc"]) { $1 }, home: home)
        #expect(found.accessKeyId == "ASIAPROCESS")
        #expect(found.secretAccessKey == "process-secret")
        #expect(found.sessionToken == "process-token")
        #expect(found.expiration == ISO8601.parse("2099-05-01T10:00:00Z"))
        #expect(found.source.contains("credential_process"))
    }

    @Test func credentialProcessFailureCarriesStderrNotStdout() async throws {
        let home = try Home()
        defer { home.remove() }
        let script = try home.write("fail.sh", """
            #!/bin/sh
            echo '{"SecretAccessKey": "leaked-secret-value"}'
            echo 'token expired: run sso login' >&2
            exit 3
            """, executable: true)
        _ = try home.write(".aws/config", "[default]\ncredential_process = \(script)\n")
        let error = await #expect(throws: CredentialError.self) { try await resolve(Self.noIMDS, home: home) }
        let text = error?.localizedDescription ?? ""
        #expect(text.contains("status 3"))
        #expect(text.contains("token expired: run sso login"))
        #expect(!text.contains("leaked-secret-value"))
    }

    @Test func credentialProcessBadOutput() async throws {
        let home = try Home()
        defer { home.remove() }
        _ = try home.write(".aws/config", "[default]\ncredential_process = echo '{\"Version\": 2}'\n")
        let error = await #expect(throws: CredentialError.self) { try await resolve(Self.noIMDS, home: home) }
        #expect(error?.localizedDescription.contains("Version 2") == true)
    }

    @Test func instanceMetadataV2() async throws {
        let stub = try HelperServer(script: PackagePaths.script("imds-stub.py"),
                                    arguments: ["--key", "ASIAFROMIMDS", "--secret", "imds-secret", "--token", "imds-token"])
        defer { stub.stop() }
        let home = try Home()
        defer { home.remove() }
        let found = try await resolve(["AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.url + "/"], home: home)
        #expect(found.accessKeyId == "ASIAFROMIMDS")
        #expect(found.secretAccessKey == "imds-secret")
        #expect(found.sessionToken == "imds-token")
        #expect(found.expiration == ISO8601.parse("2099-01-01T00:00:00Z"))
        #expect(found.source == "EC2 instance metadata (role flowq-test-role)")
    }

    @Test func noCredentialsListsEveryPlace() async throws {
        let home = try Home()
        defer { home.remove() }
        let error = await #expect(throws: CredentialError.self) { try await resolve(Self.noIMDS, home: home) }
        let text = error?.localizedDescription ?? ""
        #expect(text.contains("AWS_ACCESS_KEY_ID"))
        #expect(text.contains(home.path + "/.aws/credentials"))
        #expect(text.contains(home.path + "/.aws/config"))
        #expect(text.contains("credential_process"))
        #expect(text.contains("disabled by AWS_EC2_METADATA_DISABLED"))
    }

    /// (How fast is not asserted: tests run in parallel and block threads, so a clock here
    /// measures the machine, not the 1 s metadata timeout.)
    @Test func unreachableMetadataIsListed() async throws {
        // A loopback port nobody listens on: refused at once, reported in the list.
        let home = try Home()
        defer { home.remove() }
        let error = await #expect(throws: CredentialError.self) {
            try await resolve(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"], home: home)
        }
        #expect(error?.localizedDescription.contains("EC2 instance metadata http://127.0.0.1:9") == true)
    }

    @Test func missingExplicitProfileAndPartialKeys() async throws {
        let home = try Home(credentials: "[half]\naws_access_key_id = AKIDHALF\n")
        defer { home.remove() }
        await #expect(throws: CredentialError.self) {
            try await resolve(Self.noIMDS.merging(["AWS_PROFILE": "nope"]) { $1 }, home: home)
        }
        let partial = await #expect(throws: CredentialError.self) {
            try await resolve(Self.noIMDS.merging(["AWS_PROFILE": "half"]) { $1 }, home: home)
        }
        #expect(partial?.localizedDescription.contains("aws_secret_access_key is missing") == true)
        await #expect(throws: CredentialError.self) {
            try await resolve(Self.noIMDS.merging(["AWS_ACCESS_KEY_ID": "AKIDONLY"]) { $1 }, home: home)
        }
    }

    @Test func regionAndEndpointResolution() throws {
        let home = try Home(config: "[default]\nregion = eu-central-1\n")
        defer { home.remove() }
        let fromProfile = try S3ClientConfiguration.resolve(environment: [:], homeDirectory: home.path)
        #expect(fromProfile.region == "eu-central-1")
        #expect(fromProfile.endpoint.authority(bucket: "logs") == "logs.s3.eu-central-1.amazonaws.com")
        #expect(fromProfile.endpoint.path(bucket: "logs", key: "a/b.gz") == "/a/b.gz")
        #expect(fromProfile.endpoint.path(bucket: "my.logs", key: "k") == "/my.logs/k")

        let env = ["AWS_DEFAULT_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:9000"]
        let custom = try S3ClientConfiguration.resolve(environment: env, homeDirectory: home.path)
        #expect(custom.region == "us-west-2")
        #expect(custom.endpoint.pathStyle)
        #expect(custom.endpoint.authority(bucket: "logs") == "127.0.0.1:9000")
        #expect(custom.endpoint.path(bucket: "logs", key: "k") == "/logs/k")

        let s3Specific = try S3ClientConfiguration.resolve(
            environment: env.merging(["AWS_REGION": "sa-east-1", "AWS_ENDPOINT_URL_S3": "https://s3.local:8443"]) { $1 },
            homeDirectory: home.path)
        #expect(s3Specific.region == "sa-east-1")
        #expect(s3Specific.endpoint.description == "https://s3.local:8443")
        let explicit = try S3ClientConfiguration.resolve(environment: env, homeDirectory: home.path, explicitEndpoint: "http://localhost:1")
        #expect(explicit.endpoint.description == "http://localhost:1")
        #expect(throws: S3ConfigurationError.self) {
            try S3ClientConfiguration.resolve(environment: ["AWS_ENDPOINT_URL": "not a url"], homeDirectory: home.path)
        }
        #expect(try S3Location("s3://bucket/some/prefix/") == S3Location(bucket: "bucket", prefix: "some/prefix/"))
        #expect(try S3Location("s3://bucket") == S3Location(bucket: "bucket", prefix: ""))
    }

    @Test func expiringCredentialsAreRefreshed() async throws {
        let home = try Home()
        defer { home.remove() }
        // Each run prints a new key id; the credentials expire within the refresh margin.
        let counter = home.url.appendingPathComponent("count").path
        let script = try home.write("rotating.sh", """
            #!/bin/sh
            n=$(cat '\(counter)' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '\(counter)'
            exp=$(date -u -d '+60 seconds' +%Y-%m-%dT%H:%M:%SZ)
            echo "{\\"Version\\": 1, \\"AccessKeyId\\": \\"ASIAROTATE$n\\", \\"SecretAccessKey\\": \\"s\\", \\"Expiration\\": \\"$exp\\"}"
            """, executable: true)
        _ = try home.write(".aws/config", "[default]\ncredential_process = \(script)\n")
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let chain = CredentialChain(environment: Self.noIMDS, homeDirectory: home.path, httpClient: http)
        let first = try await chain.credentials()
        let second = try await chain.credentials()
        try await http.shutdown()
        #expect(first.accessKeyId == "ASIAROTATE1")
        #expect(second.accessKeyId == "ASIAROTATE2")
        #expect(first.expires(within: 300))
    }

    @Test func unsupportedProfileKindsAreExplained() async throws {
        let home = try Home(config: "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n")
        defer { home.remove() }
        let error = await #expect(throws: CredentialError.self) {
            try await resolve(Self.noIMDS.merging(["AWS_DEFAULT_PROFILE": "admin"]) { $1 }, home: home)
        }
        #expect(error?.localizedDescription.contains("profile admin uses role_arn") == true)
    }

    @Test func chainCachesUntilExpiry() async throws {
        let home = try Home(credentials: Self.credentialsFile)
        defer { home.remove() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let chain = CredentialChain(environment: Self.noIMDS, homeDirectory: home.path, httpClient: http)
        let first = try await chain.credentials()
        try Self.credentialsFile.replacingOccurrences(of: "AKIDDEFAULT", with: "AKIDCHANGED")
            .write(to: home.url.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        let second = try await chain.credentials()
        try await http.shutdown()
        #expect(first == second)  // long-term keys are not re-read
        #expect(second.accessKeyId == "AKIDDEFAULT")
    }
}
