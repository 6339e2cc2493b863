import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small S3 client: list a prefix, stream objects, and the two writes tests need.
///
/// All requests go through one shared `HTTPClient` (owned by the caller, who shuts it down) and
/// are signed with SigV4 using credentials fetched from the provider for each request, so
/// temporary credentials are refreshed transparently. Transient failures (HTTP 5xx, 429,
/// `RequestTimeout`, dropped connections, timeouts) are retried with exponential backoff and jitter.
public final class S3Client: Sendable {
    /// The HTTP client every request uses.
    public let httpClient: HTTPClient
    /// Where credentials come from.
    public let credentialProvider: any AWSCredentialProvider
    /// Endpoint, region, retry and buffer settings.
    public let configuration: S3ClientConfiguration

    /// Creates a client. The caller keeps ownership of `httpClient` and shuts it down after use.
    ///
    /// Give `httpClient` a read timeout (e.g. `HTTPClient.Configuration(timeout: .init(read: .seconds(60)))`)
    /// so a stalled body is detected and resumed.
    public init(
        httpClient: HTTPClient,
        credentials: any AWSCredentialProvider,
        configuration: S3ClientConfiguration
    ) {
        self.httpClient = httpClient
        self.credentialProvider = credentials
        self.configuration = configuration
    }

    /// Lists every object under `prefix` (all pages), in key order.
    ///
    /// - Parameters:
    ///   - startAfter: only keys after this one (S3's `start-after`).
    ///   - pageSize: `max-keys` per request; S3's default (1000) when `nil`.
    public func listObjects(
        bucket: String, prefix: String = "", startAfter: String? = nil, pageSize: Int? = nil
    ) async throws -> [S3ObjectInfo] {
        try await list(bucket: bucket, prefix: prefix, delimiter: nil, startAfter: startAfter, pageSize: pageSize).objects
    }

    /// Lists one level below `prefix` (all pages): the objects directly under it and the
    /// "folders" (common prefixes, each ending in `delimiter`) that hold the rest.
    public func listLevel(
        bucket: String, prefix: String, delimiter: String = "/", pageSize: Int? = nil
    ) async throws -> (objects: [S3ObjectInfo], folders: [String]) {
        let listing = try await list(bucket: bucket, prefix: prefix, delimiter: delimiter, startAfter: nil, pageSize: pageSize)
        return (listing.objects, listing.commonPrefixes)
    }

    private func list(
        bucket: String, prefix: String, delimiter: String?, startAfter: String?, pageSize: Int?
    ) async throws -> (objects: [S3ObjectInfo], commonPrefixes: [String]) {
        var objects: [S3ObjectInfo] = []
        var folders: [String] = []
        var token: String?
        let location = "s3://\(bucket)/\(prefix)"
        repeat {
            var query: [(String, String)] = [("list-type", "2"), ("prefix", prefix)]
            if let delimiter { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            if let startAfter, token == nil { query.append(("start-after", startAfter)) }
            if let pageSize { query.append(("max-keys", String(pageSize))) }
            let (body, attempts) = try await fetchWithRetry(
                operation: "ListObjectsV2", location: location,
                method: .GET, bucket: bucket, key: nil, query: query)
            let page: ListObjectsPage
            do {
                page = try ListObjectsPage.parse(String(buffer: body))
            } catch {
                throw S3Error(operation: "ListObjectsV2", location: location, reason: .malformedResponse(error), attempts: attempts)
            }
            objects += page.objects
            folders += page.commonPrefixes
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return (objects, folders)
    }

    /// Starts downloading an object and returns a blocking stream of its bytes.
    ///
    /// Does not block or throw: a missing object, denied access and the like are thrown by the
    /// stream's first `read`. Pass the listing's size and ETag when known: the size is checked
    /// against what S3 sends, and the ETag pins resumed requests to the same version.
    public func openObject(bucket: String, key: String, expectedSize: Int64? = nil, etag: String? = nil) -> S3ObjectStream {
        S3ObjectStream(bucket: bucket, key: key, capacity: configuration.streamBufferCapacity) { buffer in
            await self.download(bucket: bucket, key: key, expectedSize: expectedSize, etag: etag, into: buffer)
        }
    }

    /// Starts downloading a listed object; see `openObject(bucket:key:expectedSize:etag:)`.
    public func openObject(bucket: String, object: S3ObjectInfo) -> S3ObjectStream {
        openObject(bucket: bucket, key: object.key, expectedSize: object.size, etag: object.etag.isEmpty ? nil : object.etag)
    }

    /// Creates a bucket (for tests and tooling; flowq itself only reads).
    public func createBucket(_ bucket: String) async throws {
        _ = try await fetchWithRetry(
            operation: "CreateBucket", location: "s3://\(bucket)", method: .PUT, bucket: bucket, key: nil, query: [])
    }

    /// Uploads a small object in one request (for tests and tooling; flowq itself only reads).
    public func putObject(bucket: String, key: String, data: Data) async throws {
        _ = try await fetchWithRetry(
            operation: "PutObject", location: "s3://\(bucket)/\(key)", method: .PUT,
            bucket: bucket, key: key, query: [], body: data)
    }

    // MARK: - Requests

    /// Builds and signs a request for `bucket`/`key`.
    func makeRequest(
        method: HTTPMethod, bucket: String, key: String?, query: [(String, String)],
        headers extra: [(String, String)] = [], body: Data? = nil
    ) async throws -> HTTPClientRequest {
        let endpoint = configuration.endpoint
        let host = endpoint.authority(bucket: bucket)
        let path = endpoint.path(bucket: bucket, key: key)
        let payloadHash = body.map { SigV4Signer.sha256Hex($0) } ?? SigV4Signer.emptyPayloadHash
        let signer = SigV4Signer(
            credentials: try await credentialProvider.credentials(), region: configuration.region, service: "s3")
        let signed = signer.sign(
            method: method.rawValue, path: path, query: query, headers: [("Host", host)] + extra,
            payloadHash: payloadHash, date: Date(), addContentSHA256Header: true)
        // The URL carries the same encoding as the canonical request, so what is sent is what was signed.
        var url = "\(endpoint.scheme)://\(host)\(SigV4Signer.uriEncode(path, keepSlash: true))"
        let canonicalQuery = SigV4Signer.canonicalQuery(query)
        if !canonicalQuery.isEmpty { url += "?" + canonicalQuery }
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in signed.headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// Sends a request with retries and returns the whole (small) success body.
    private func fetchWithRetry(
        operation: String, location: String, method: HTTPMethod, bucket: String, key: String?,
        query: [(String, String)], body: Data? = nil
    ) async throws -> (ByteBuffer, attempts: Int) {
        var attempt = 0
        while true {
            attempt += 1
            let reason: S3Error.Reason
            do {
                let request = try await makeRequest(method: method, bucket: bucket, key: key, query: query, body: body)
                let response = try await httpClient.execute(request, timeout: configuration.responseHeadTimeout)
                let collected = try await response.body.collect(upTo: 256 << 20)
                if (200..<300).contains(response.status.code) { return (collected, attempt) }
                reason = .status(Int(response.status.code), S3ErrorBody.parse(String(buffer: collected)))
            } catch let error as CredentialError {
                throw S3Error(operation: operation, location: location, reason: .credentials(error), attempts: attempt)
            } catch {
                if error is CancellationError { throw error }
                reason = .transport(error)
            }
            let failure = S3Error(operation: operation, location: location, reason: reason, attempts: attempt)
            guard Self.isRetryable(reason), attempt <= configuration.maxRetries else { throw failure }
            try await backoff(failures: attempt)
        }
    }

    /// Whether a failure is worth another attempt.
    static func isRetryable(_ reason: S3Error.Reason) -> Bool {
        switch reason {
        case .status(let code, let body):
            return code >= 500 || code == 429 || body?.code == "RequestTimeout" || body?.code == "SlowDown"
        case .transport, .truncated:
            return true
        case .sizeMismatch, .objectChanged, .malformedResponse, .misuse, .credentials:
            return false
        }
    }

    /// Sleeps before retry number `failures` (1-based): full jitter over an exponential bound.
    func backoff(failures: Int) async throws {
        let base = configuration.baseRetryDelay
        let bound = min(configuration.maxRetryDelay, base * (1 << min(failures - 1, 20)))
        let boundNanos = max(bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000, 1)
        try await Task.sleep(for: .nanoseconds(Int64.random(in: 0...boundNanos)))
    }
}
