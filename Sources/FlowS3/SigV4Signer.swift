import Crypto
import Foundation

/// Signs HTTP requests with AWS Signature Version 4 (header form).
///
/// The canonical URI is the path percent-encoded once per RFC 3986 unreserved rules with `/`
/// kept, as S3 requires (no double encoding, no `.`/`..` normalization unless asked); the query is
/// sorted by encoded name then value; header names are lowercased, values trimmed with inner runs
/// of spaces collapsed, repeated headers joined with `,` in the order given.
public struct SigV4Signer: Sendable {
    /// The SHA-256 of an empty payload, which S3 wants in `x-amz-content-sha256` for GET and HEAD.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The credentials requests are signed with.
    public let credentials: AWSCredentials
    /// The region in the credential scope, e.g. `us-east-1`.
    public let region: String
    /// The service in the credential scope, e.g. `s3`.
    public let service: String

    /// The result of signing: the headers to send and the intermediate strings (for tests/debugging).
    public struct Signed: Sendable {
        /// Every header to send: the caller's plus `x-amz-date`, `x-amz-security-token`,
        /// `x-amz-content-sha256` (when asked) and `Authorization`.
        public var headers: [(name: String, value: String)]
        /// The canonical request that was hashed.
        public var canonicalRequest: String
        /// The string that was signed.
        public var stringToSign: String
        /// The hex signature.
        public var signature: String
        /// The `Authorization` header value.
        public var authorization: String
    }

    /// Creates a signer for one credential scope.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs a request.
    ///
    /// - Parameters:
    ///   - method: HTTP method, e.g. `GET`.
    ///   - path: the path, not yet percent-encoded (e.g. `/bucket/my key.gz`).
    ///   - query: query parameters, not yet percent-encoded; order does not matter.
    ///   - headers: headers to sign (must include `host`); all of them are signed.
    ///   - payloadHash: hex SHA-256 of the body (`emptyPayloadHash` for none).
    ///   - date: the signing time.
    ///   - addContentSHA256Header: add `x-amz-content-sha256: payloadHash` (S3 requires it).
    ///   - normalizePath: remove `.`/`..` segments and repeated slashes (never for S3).
    public func sign(
        method: String,
        path: String,
        query: [(String, String)] = [],
        headers: [(String, String)],
        payloadHash: String,
        date: Date,
        addContentSHA256Header: Bool = false,
        normalizePath: Bool = false
    ) -> Signed {
        let (amzDate, day) = ISO8601.amzDate(date)
        var all = headers.map { (name: $0.0, value: $0.1) }
        let present = Set(all.map { $0.name.lowercased() })
        if !present.contains("x-amz-date") { all.append((name: "X-Amz-Date", value: amzDate)) }
        if let token = credentials.sessionToken, !present.contains("x-amz-security-token") {
            all.append((name: "X-Amz-Security-Token", value: token))
        }
        if addContentSHA256Header, !present.contains("x-amz-content-sha256") {
            all.append((name: "x-amz-content-sha256", value: payloadHash))
        }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(all)
        let canonicalRequest = [
            method.uppercased(),
            Self.canonicalURI(path, normalize: normalizePath),
            Self.canonicalQuery(query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let key = Self.signingKey(secret: credentials.secretAccessKey, day: day, region: region, service: service)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        all.append((name: "Authorization", value: authorization))
        return Signed(
            headers: all, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signature: signature, authorization: authorization)
    }

    /// The derived key: HMAC chain of `AWS4`+secret over day, region, service and `aws4_request`.
    static func signingKey(secret: String, day: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// Canonical headers block (each `name:value\n`) and the `;`-joined signed header names.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            merged[name.lowercased(), default: []].append(collapseSpaces(value))
        }
        let names = merged.keys.sorted()
        let block = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Trims a header value and collapses each inner run of spaces/tabs to one space.
    static func collapseSpaces(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for ch in value {
            if ch == " " || ch == "\t" || ch == "\n" || ch == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(ch)
            }
        }
        return out
    }

    /// The canonical URI: `path` encoded once with `/` kept; optionally normalized first.
    static func canonicalURI(_ path: String, normalize: Bool) -> String {
        var raw = path.isEmpty ? "/" : path
        if normalize { raw = normalizedPath(raw) }
        return uriEncode(raw, keepSlash: true)
    }

    /// Removes empty, `.` and `..` segments, keeping a trailing slash (non-S3 services only).
    static func normalizedPath(_ path: String) -> String {
        var out: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { _ = out.popLast(); continue }
            out.append(segment)
        }
        var result = "/" + out.joined(separator: "/")
        if path.hasSuffix("/"), !out.isEmpty { result += "/" }
        return result
    }

    /// The canonical query string: each name and value encoded, sorted by name then value.
    static func canonicalQuery(_ query: [(String, String)]) -> String {
        // Encoded names and values are ASCII, so String order is byte order, as SigV4 wants.
        let encoded: [(name: String, value: String)] = query.map { pair in
            (name: uriEncode(pair.0, keepSlash: false), value: uriEncode(pair.1, keepSlash: false))
        }
        let sorted = encoded.sorted { lhs, rhs in
            lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name
        }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// Percent-encodes every UTF-8 byte except `A-Z a-z 0-9 - . _ ~` (and `/` when `keepSlash`).
    public static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved[Int(byte)] || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigits[Int(byte >> 4)])
                out.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986 unreserved bytes, indexed by byte value.
    private static let unreserved: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        let isDigit = byte >= 0x30 && byte <= 0x39
        return isLetter || isDigit || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
    }

    private static let upperHexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// Lowercase hex of a digest or MAC.
    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hex SHA-256 of `data`, for payload hashes.
    public static func sha256Hex(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }
}
