import Foundation

/// Where S3 requests go, and how buckets are addressed there.
///
/// AWS itself is addressed virtual-hosted style (`https://bucket.s3.region.amazonaws.com/key`;
/// path style for bucket names with dots, which TLS wildcard certificates do not cover). A custom
/// endpoint (moto, MinIO, a proxy) is addressed path style: `http://host:port/bucket/key`.
public struct S3Endpoint: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// Host name or address of the service (for AWS, without the bucket).
    public var host: String
    /// Port, when not the scheme's default.
    public var port: Int?
    /// Whether buckets go in the path (`/bucket/key`) rather than the host name.
    public var pathStyle: Bool

    /// The AWS endpoint for `region`, virtual-hosted style.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", port: nil, pathStyle: false)
    }

    /// Creates an endpoint from its parts.
    public init(scheme: String, host: String, port: Int?, pathStyle: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.pathStyle = pathStyle
    }

    /// Parses a custom endpoint URL such as `http://127.0.0.1:9000`; it is addressed path style.
    public init(url text: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw S3ConfigurationError.invalidEndpoint(text)
        }
        self.init(scheme: scheme, host: host, port: url.port, pathStyle: true)
    }

    /// `scheme://host[:port]`.
    public var description: String { "\(scheme)://\(authority(bucket: nil))" }

    /// The `Host` header value for a request on `bucket` (with the port, if any).
    func authority(bucket: String?) -> String {
        var name = host
        if let bucket, usesVirtualHost(bucket) { name = "\(bucket).\(host)" }
        if let port { return "\(name):\(port)" }
        return name
    }

    /// The raw (not yet encoded) request path for `key` in `bucket`; `key` nil means the bucket.
    func path(bucket: String, key: String?) -> String {
        let keyPart = key ?? ""
        if usesVirtualHost(bucket) { return "/" + keyPart }
        return "/\(bucket)/" + keyPart
    }

    private func usesVirtualHost(_ bucket: String) -> Bool {
        !pathStyle && !bucket.contains(".")
    }
}

/// A bucket and key prefix parsed from `s3://bucket/prefix`.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    /// The bucket name.
    public var bucket: String
    /// The key prefix, possibly empty.
    public var prefix: String

    /// Parses `s3://bucket` or `s3://bucket/some/prefix/`.
    public init(_ uri: String) throws {
        guard uri.hasPrefix("s3://") else { throw S3ConfigurationError.invalidLocation(uri) }
        let rest = uri.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard !bucket.isEmpty else { throw S3ConfigurationError.invalidLocation(uri) }
        self.bucket = String(bucket)
        self.prefix = String(rest.dropFirst(bucket.count + 1))
    }

    /// Creates a location from its parts.
    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix
    }

    /// `s3://bucket/prefix`.
    public var description: String { "s3://\(bucket)/\(prefix)" }
}

/// A setting that could not be understood.
public enum S3ConfigurationError: Error, LocalizedError, Sendable, Equatable {
    /// An endpoint override is not an `http(s)://host[:port]` URL.
    case invalidEndpoint(String)
    /// A location is not `s3://bucket[/prefix]`.
    case invalidLocation(String)

    /// What was wrong and where the value came from.
    public var errorDescription: String? {
        switch self {
        case .invalidEndpoint(let text):
            return "The S3 endpoint '\(text)' is not an http:// or https:// URL with a host."
        case .invalidLocation(let text):
            return "'\(text)' is not an S3 location; expected s3://bucket/prefix."
        }
    }
}
