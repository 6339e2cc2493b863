import Foundation

/// Why AWS credentials or settings could not be found or loaded.
///
/// No case ever carries a secret: messages name files, profiles, commands' stderr and sources.
public enum CredentialError: Error, LocalizedError, Sendable {
    /// No source had credentials; `searched` says, in order, where the chain looked and what it found.
    case noCredentials(searched: [String])
    /// `AWS_PROFILE` named a profile that neither the credentials nor the config file has.
    case profileNotFound(profile: String, files: [String])
    /// A source had an access key id without its secret (or the other way round).
    case partialCredentials(source: String, missing: String)
    /// A config or credentials file exists but could not be read.
    case unreadableFile(path: String, underlying: any Error)
    /// A profile's `credential_process` could not be started, failed, or printed unusable output.
    case credentialProcessFailed(profile: String, command: String, reason: String, underlying: (any Error)?)
    /// The EC2 instance metadata service answered, but not with usable credentials.
    case instanceMetadataFailed(endpoint: String, reason: String, underlying: (any Error)?)

    /// A one-paragraph explanation of what failed, where, and why.
    public var errorDescription: String? {
        switch self {
        case .noCredentials(let searched):
            return "No AWS credentials found. Looked in, in order:\n"
                + searched.map { "  - \($0)" }.joined(separator: "\n")
                + "\nSet AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure a profile with `aws configure`."
        case .profileNotFound(let profile, let files):
            return "The AWS profile '\(profile)' (from AWS_PROFILE) is in none of: \(files.joined(separator: ", "))."
        case .partialCredentials(let source, let missing):
            return "Incomplete AWS credentials in \(source): \(missing) is missing."
        case .unreadableFile(let path, let underlying):
            return "Cannot read AWS file \(path): \(underlying.localizedDescription)"
        case .credentialProcessFailed(let profile, let command, let reason, _):
            return "credential_process of AWS profile '\(profile)' (\(command)) failed: \(reason)"
        case .instanceMetadataFailed(let endpoint, let reason, _):
            return "EC2 instance metadata at \(endpoint) gave no credentials: \(reason)"
        }
    }

    /// The error that caused this one, when there is one.
    public var underlyingError: (any Error)? {
        switch self {
        case .unreadableFile(_, let underlying): return underlying
        case .credentialProcessFailed(_, _, _, let underlying): return underlying
        case .instanceMetadataFailed(_, _, let underlying): return underlying
        default: return nil
        }
    }
}
