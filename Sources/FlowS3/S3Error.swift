import AsyncHTTPClient
import Foundation

/// An S3 operation that failed, naming the object (`s3://bucket/key`) or prefix and the reason.
///
/// Never contains credentials: only the location, HTTP status, S3's error code and message, and
/// the underlying transport error.
public struct S3Error: Error, LocalizedError, Sendable {
    /// Why the operation failed.
    public enum Reason: Sendable {
        /// S3 answered with a non-success status; `body` is its `<Error>` document if it sent one.
        case status(Int, S3ErrorBody?)
        /// The connection failed, timed out or was dropped.
        case transport(any Error)
        /// The body ended before the object's size was reached (and retries were exhausted).
        case truncated(received: Int64, expected: Int64)
        /// More or different bytes arrived than the object's size says.
        case sizeMismatch(expected: Int64, actual: Int64, detail: String)
        /// The object was replaced while being read (its ETag no longer matches).
        case objectChanged(etag: String)
        /// An answer could not be understood.
        case malformedResponse(any Error)
        /// The API was used in a way that cannot work (the text says how).
        case misuse(String)
        /// No credentials could be had for the request.
        case credentials(CredentialError)
    }

    /// What was attempted, e.g. `GetObject` or `ListObjectsV2`.
    public var operation: String
    /// `s3://bucket/key` (or `s3://bucket/prefix` for listings).
    public var location: String
    /// Why it failed.
    public var reason: Reason
    /// How many requests were made before giving up.
    public var attempts: Int
    /// For a download: how many bytes had been delivered when it gave up.
    public var bytesReceived: Int64?
    /// For a download: the object's size, when known.
    public var objectSize: Int64?

    /// Creates an error from its parts.
    public init(
        operation: String, location: String, reason: Reason, attempts: Int,
        bytesReceived: Int64? = nil, objectSize: Int64? = nil
    ) {
        self.operation = operation
        self.location = location
        self.reason = reason
        self.attempts = attempts
        self.bytesReceived = bytesReceived
        self.objectSize = objectSize
    }

    /// The underlying transport or parse error, if that was the reason.
    public var underlyingError: (any Error)? {
        switch reason {
        case .transport(let error), .malformedResponse(let error): return error
        case .credentials(let error): return error
        default: return nil
        }
    }

    /// The HTTP status S3 answered with, if that was the reason.
    public var httpStatus: Int? {
        if case .status(let code, _) = reason { return code }
        return nil
    }

    /// S3's error code (`NoSuchKey`, `SlowDown`, …), if it sent one.
    public var s3Code: String? {
        if case .status(_, let body) = reason { return body?.code }
        return nil
    }

    /// E.g. `GetObject s3://logs/a.gz failed after 6 attempts: HTTP 503 SlowDown: Please reduce…`.
    public var errorDescription: String? {
        let tries = attempts == 1 ? "" : " after \(attempts) attempts"
        var text = "\(operation) \(location) failed\(tries): \(reasonText)"
        if let received = bytesReceived, received > 0 {
            text += " (\(received)" + (objectSize.map { " of \($0)" } ?? "") + " bytes had been received)"
        }
        return text
    }

    /// The reason as one phrase.
    public var reasonText: String {
        switch reason {
        case .status(let code, let body?):
            return "HTTP \(code) \(body.code): \(body.message)"
                + (body.requestId.map { " (request id \($0))" } ?? "")
        case .status(let code, nil):
            return "HTTP \(code)"
        case .transport(let error):
            return "connection failed: \(Self.describe(error))"
        case .truncated(let received, let expected):
            return "the body ended after \(received) of \(expected) bytes"
        case .sizeMismatch(let expected, let actual, let detail):
            return "expected \(expected) bytes but \(detail) \(actual)"
        case .objectChanged(let etag):
            return "the object changed while it was read (ETag \(etag) no longer matches)"
        case .malformedResponse(let error):
            return Self.describe(error)
        case .misuse(let text):
            return text
        case .credentials(let error):
            return error.errorDescription ?? "no credentials"
        }
    }

    /// A readable description of a transport error (AsyncHTTPClient's are terse).
    static func describe(_ error: any Error) -> String {
        if let local = error as? LocalizedError, let text = local.errorDescription { return text }
        return String(describing: error)
    }
}
