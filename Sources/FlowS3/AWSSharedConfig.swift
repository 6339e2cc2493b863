import Foundation

/// The selected profile of the AWS shared files, as the AWS CLI finds them.
///
/// The profile is `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`, else `default`); the files are `AWS_SHARED_CREDENTIALS_FILE`
/// (else `~/.aws/credentials`) and `AWS_CONFIG_FILE` (else `~/.aws/config`). A leading `~` in the
/// overrides is expanded with the given home directory, never the process's.
public struct AWSSharedConfig: Sendable {
    /// The selected profile name.
    public let profile: String
    /// Whether the profile was chosen explicitly with `AWS_PROFILE`.
    public let profileIsExplicit: Bool
    /// Path of the credentials file (whether or not it exists).
    public let credentialsPath: String
    /// Path of the config file (whether or not it exists).
    public let configPath: String
    /// The selected profile's settings in the credentials file, `nil` if the file or section is missing.
    /// Internal because it holds secret keys.
    let credentialsSection: [String: String]?
    /// The selected profile's settings in the config file, `nil` if the file or section is missing.
    let configSection: [String: String]?
    /// Whether each file exists.
    let credentialsFileExists: Bool
    let configFileExists: Bool

    /// Loads both files for the profile the environment selects.
    ///
    /// Throws `CredentialError.unreadableFile` for a file that exists but cannot be read, and
    /// `CredentialError.profileNotFound` when `AWS_PROFILE` names a profile neither file has.
    public init(environment: [String: String], homeDirectory: String) throws {
        // AWS_DEFAULT_PROFILE is what AWS CLI v1 read; v2 still honours it after AWS_PROFILE.
        let explicit = (environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 })
            ?? (environment["AWS_DEFAULT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 })
        profile = explicit ?? "default"
        profileIsExplicit = explicit != nil
        credentialsPath = Self.expand(
            environment["AWS_SHARED_CREDENTIALS_FILE"], default: "~/.aws/credentials", home: homeDirectory)
        configPath = Self.expand(environment["AWS_CONFIG_FILE"], default: "~/.aws/config", home: homeDirectory)
        let credentialsFile = try AWSConfigFile.load(path: credentialsPath, kind: .credentials)
        let configFile = try AWSConfigFile.load(path: configPath, kind: .config)
        credentialsFileExists = credentialsFile != nil
        configFileExists = configFile != nil
        credentialsSection = credentialsFile?.profile(profile)
        configSection = configFile?.profile(profile)
        if profileIsExplicit, credentialsSection == nil, configSection == nil {
            throw CredentialError.profileNotFound(profile: profile, files: [credentialsPath, configPath])
        }
    }

    /// A setting of the profile: the credentials file wins over the config file, as in the CLI.
    /// Internal because it can return secret keys.
    func value(_ key: String) -> String? {
        if let value = credentialsSection?[key], !value.isEmpty { return value }
        if let value = configSection?[key], !value.isEmpty { return value }
        return nil
    }

    /// The profile's `region`, if set.
    public var region: String? { value("region") }

    /// A note when the profile gets credentials in a way this package does not implement
    /// (assumed roles, SSO, web identity), so the "no credentials" error can say so.
    var unsupportedCredentialSource: String? {
        for key in ["role_arn", "sso_session", "sso_start_url", "web_identity_token_file"] where value(key) != nil {
            return "profile \(profile) uses \(key), which flowq does not support; "
                + "use credential_process (e.g. `aws configure export-credentials --format process`) or export keys"
        }
        return nil
    }

    private static func expand(_ override: String?, default fallback: String, home: String) -> String {
        let path = override.flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        if path == "~" { return home }
        if path.hasPrefix("~/") {
            let trimmedHome = home.hasSuffix("/") ? String(home.dropLast()) : home
            return trimmedHome + path.dropFirst()
        }
        return path
    }
}

extension AWSSharedConfig: CustomStringConvertible, CustomReflectable {
    /// Profile and file paths, and the names (never the values) of the profile's settings.
    public var description: String {
        let keys = Set((credentialsSection ?? [:]).keys).union((configSection ?? [:]).keys).sorted()
        return "AWSSharedConfig(profile: \(profile), credentials: \(credentialsPath), config: \(configPath), "
            + "settings: [\(keys.joined(separator: ", "))])"
    }

    /// A mirror without the settings' values, so `dump()` cannot print secret keys.
    public var customMirror: Mirror {
        Mirror(self, children: ["description": description])
    }
}
