import Foundation

/// A set of AWS credentials: an access key pair and, for temporary credentials, a session token.
///
/// `description`, `debugDescription` and reflection never show the secret key or the token, so a
/// value can be logged, interpolated or dumped without leaking them; only the access key id (which
/// AWS does not treat as secret) is shown, and only its first four characters.
public struct AWSCredentials: Sendable, Equatable {
    /// The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones).
    public var accessKeyId: String
    /// The secret access key. Never printed.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `x-amz-security-token`. Never printed.
    public var sessionToken: String?
    /// When temporary credentials stop working; `nil` for long-term keys.
    public var expiration: Date?
    /// Where the credentials came from, e.g. `environment` or `shared credentials file (profile dev)`.
    public var source: String

    /// Creates credentials from their parts.
    public init(
        accessKeyId: String,
        secretAccessKey: String,
        sessionToken: String? = nil,
        expiration: Date? = nil,
        source: String = "explicit"
    ) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// Whether the credentials expire within `margin` seconds of `now` (never, for long-term keys).
    public func expires(within margin: TimeInterval, of now: Date = Date()) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) < margin
    }

    /// The access key id shortened to a prefix safe to show in messages.
    var redactedAccessKeyId: String {
        accessKeyId.count > 4 ? String(accessKeyId.prefix(4)) + "…" : "…"
    }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A description that names the key id prefix and the source, never the secret or token.
    public var description: String {
        var text = "AWSCredentials(accessKeyId: \(redactedAccessKeyId), secretAccessKey: <redacted>"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(expiration)" }
        return text + ", source: \(source))"
    }

    /// The same redacted text as `description`.
    public var debugDescription: String { description }

    /// A mirror without the secret fields, so `dump()` and debuggers do not print them either.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessKeyId": redactedAccessKeyId,
                "secretAccessKey": "<redacted>",
                "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
                "expiration": expiration as Any,
                "source": source,
            ],
            displayStyle: .struct
        )
    }
}

/// Something that hands out AWS credentials, refreshing them as needed.
public protocol AWSCredentialProvider: Sendable {
    /// Credentials valid for at least the next few minutes.
    func credentials() async throws -> AWSCredentials
}

/// A provider that always returns the same credentials.
public struct StaticCredentialProvider: AWSCredentialProvider {
    /// The credentials returned by every call.
    public let value: AWSCredentials

    /// Creates a provider returning `credentials`.
    public init(_ credentials: AWSCredentials) { self.value = credentials }

    /// Returns the fixed credentials.
    public func credentials() async throws -> AWSCredentials { value }
}
