import Foundation

/// One object of a listing.
public struct S3ObjectInfo: Sendable, Equatable, Hashable {
    /// The object's key.
    public var key: String
    /// Its size in bytes.
    public var size: Int64
    /// Its ETag as S3 gives it, quotes included (e.g. `"9b2cf535f27731c974343645a3985328"`).
    public var etag: String
    /// When it was last modified, if S3 said.
    public var lastModified: Date?

    /// Creates an object description.
    public init(key: String, size: Int64, etag: String, lastModified: Date?) {
        self.key = key
        self.size = size
        self.etag = etag
        self.lastModified = lastModified
    }
}

/// One page of a ListObjectsV2 answer.
struct ListObjectsPage: Equatable {
    var objects: [S3ObjectInfo] = []
    /// With a delimiter: the "folders" below the prefix (`<CommonPrefixes><Prefix>`).
    var commonPrefixes: [String] = []
    var isTruncated = false
    var nextContinuationToken: String?

    /// Reads a `<ListBucketResult>` document.
    static func parse(_ document: String) throws -> ListObjectsPage {
        var page = ListObjectsPage()
        var path: [String] = []
        var text = ""
        var current: [String: String] = [:]
        var sawRoot = false
        for event in S3XMLScanner.events(document) {
            switch event {
            case .start(let name):
                path.append(name)
                text = ""
                if name == "ListBucketResult" { sawRoot = true }
                if name == "Contents" { current = [:] }
            case .text(let value):
                text += value
            case .end(let name):
                let parent = path.count >= 2 ? path[path.count - 2] : ""
                if parent == "Contents" {
                    current[name] = text
                } else if parent == "CommonPrefixes", name == "Prefix" {
                    page.commonPrefixes.append(text)
                } else if parent == "ListBucketResult" {
                    switch name {
                    case "IsTruncated": page.isTruncated = text.trimmingCharacters(in: .whitespaces) == "true"
                    case "NextContinuationToken": page.nextContinuationToken = text
                    case "Contents": page.objects.append(try object(from: current))
                    default: break
                    }
                }
                text = ""
                if !path.isEmpty { path.removeLast() }
            }
        }
        guard sawRoot else { throw S3ResponseParseError(what: "ListObjectsV2 result", detail: "no <ListBucketResult> element") }
        if page.isTruncated, (page.nextContinuationToken ?? "").isEmpty {
            throw S3ResponseParseError(what: "ListObjectsV2 result", detail: "truncated page without a NextContinuationToken")
        }
        return page
    }

    private static func object(from fields: [String: String]) throws -> S3ObjectInfo {
        guard let key = fields["Key"] else {
            throw S3ResponseParseError(what: "ListObjectsV2 result", detail: "a <Contents> without <Key>")
        }
        guard let sizeText = fields["Size"], let size = Int64(sizeText.trimmingCharacters(in: .whitespaces)) else {
            throw S3ResponseParseError(what: "ListObjectsV2 result", detail: "object \(key) has no valid <Size>")
        }
        return S3ObjectInfo(
            key: key, size: size, etag: fields["ETag"] ?? "",
            lastModified: fields["LastModified"].flatMap { ISO8601.parse($0.trimmingCharacters(in: .whitespaces)) })
    }
}

/// The `<Error><Code>…</Code><Message>…</Message></Error>` body S3 sends with failures.
public struct S3ErrorBody: Sendable, Equatable {
    /// S3's error code, e.g. `NoSuchKey`, `SlowDown`, `AccessDenied`.
    public var code: String
    /// S3's human-readable message.
    public var message: String
    /// The request id, useful when asking AWS support.
    public var requestId: String?

    /// Creates an error body from its parts.
    public init(code: String, message: String, requestId: String? = nil) {
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    /// Reads an S3 error document; `nil` if the text is not one (e.g. a HEAD's empty body).
    static func parse(_ document: String) -> S3ErrorBody? {
        var inError = false
        var fields: [String: String] = [:]
        var text = ""
        var depth = 0
        for event in S3XMLScanner.events(document) {
            switch event {
            case .start(let name):
                depth += 1
                if name == "Error", depth == 1 { inError = true }
                text = ""
            case .text(let value):
                text += value
            case .end(let name):
                if inError, depth == 2 { fields[name] = text }
                depth -= 1
                text = ""
            }
        }
        guard inError, let code = fields["Code"] else { return nil }
        return S3ErrorBody(code: code, message: fields["Message"] ?? "", requestId: fields["RequestId"])
    }
}

/// An S3 answer whose XML lacks what the client needs.
public struct S3ResponseParseError: Error, LocalizedError, Sendable {
    /// Which document, e.g. `ListObjectsV2 result`.
    public var what: String
    /// What was wrong with it.
    public var detail: String

    /// A sentence naming the document and the problem.
    public var errorDescription: String? { "Malformed S3 \(what): \(detail)." }
}
