import AsyncHTTPClient
import FlowS3TestSupport
import Foundation
import NIOCore
import Testing

@testable import FlowS3

/// Retries and resumption through `scripts/s3-fault-proxy.py` in front of moto.
@Suite(.enabled(if: TestPython.motoAvailable, "moto is not installed; see FLOWQ_TEST_VENV"))
struct FaultProxyTests {
    struct Stats: Decodable {
        let requests: Int
        let faults: Int
        let ranges: [String?]
        let if_match: [String?]
    }

    /// Puts one object in a fresh bucket, starts a proxy with `fault`, and runs `body` through it.
    func withFault(
        _ fault: String, times: Int, after: Int = 100_000, extra: [String] = [],
        size: Int = 1_000_000, readTimeout: Int64 = 10, maxRetries: Int = 5,
        configure: (inout S3ClientConfiguration) -> Void = { _ in },
        _ body: (S3Client, String, [UInt8], HelperServer) async throws -> Void
    ) async throws {
        let moto = try SharedMoto.get()
        let bucket = uniqueBucket(fault)
        let data = testBytes(count: size, seed: UInt64(size))
        try await withS3Client(endpoint: moto.url) { s3 in
            try await s3.createBucket(bucket)
            try await s3.putObject(bucket: bucket, key: "logs/object.log", data: Data(data))
        }
        let proxy = try HelperServer(
            script: PackagePaths.script("s3-fault-proxy.py"),
            arguments: ["--upstream", "127.0.0.1:\(moto.port)", "--fault", fault, "--times", String(times),
                        "--after", String(after)] + extra)
        defer { proxy.stop() }
        try await withS3Client(endpoint: proxy.url, readTimeout: .seconds(readTimeout),
                               configure: { $0.maxRetries = maxRetries; configure(&$0) }) { s3 in
            try await body(s3, bucket, data, proxy)
        }
    }

    /// The proxy's counters (fetched with the client's own HTTPClient: no FoundationNetworking).
    func stats(_ proxy: HelperServer, via s3: S3Client) async throws -> Stats {
        let response = try await s3.httpClient.execute(HTTPClientRequest(url: proxy.url + "/__proxy/stats"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONDecoder().decode(Stats.self, from: Data(body.readableBytesView))
    }

    @Test func slowDownIsRetried() async throws {
        try await withFault("slowdown", times: 3) { s3, bucket, data, proxy in
            let bytes = try await readAllOnThread(s3.openObject(bucket: bucket, key: "logs/object.log"))
            #expect(bytes == data)
            let seen = try await stats(proxy, via: s3)
            #expect(seen.faults == 3)
            #expect(seen.ranges.count == 4)
            #expect(seen.ranges.allSatisfy { $0 == nil })  // nothing was received before the success
        }
    }

    @Test func droppedConnectionIsResumedWithRangeAndIfMatch() async throws {
        try await withFault("drop", times: 2, after: 300_000) { s3, bucket, data, proxy in
            let listed = try await s3.listObjects(bucket: bucket)
            let bytes = try await readAllOnThread(s3.openObject(bucket: bucket, object: listed[0]))
            #expect(bytes == data)
            let seen = try await stats(proxy, via: s3)
            #expect(seen.faults == 2)
            #expect(seen.ranges.first! == nil)
            let resumed = seen.ranges.compactMap { $0 }
            #expect(resumed.count == 2)
            #expect(resumed.allSatisfy { $0.hasPrefix("bytes=") && $0.hasSuffix("-") })
            #expect(seen.if_match.compactMap { $0 }.allSatisfy { $0 == listed[0].etag })
        }
    }

    @Test func shortBodyIsResumed() async throws {
        try await withFault("short", times: 3, after: 250_000) { s3, bucket, data, proxy in
            let bytes = try await readAllOnThread(s3.openObject(bucket: bucket, key: "logs/object.log"))
            #expect(bytes == data)
            let faultCount = try await stats(proxy, via: s3).faults
            #expect(faultCount == 3)
        }
    }

    @Test func stalledBodyTimesOutAndResumes() async throws {
        try await withFault("stall", times: 1, after: 400_000, extra: ["--stall-seconds", "4"], readTimeout: 1) {
            s3, bucket, data, _ in
            let bytes = try await readAllOnThread(s3.openObject(bucket: bucket, key: "logs/object.log"))
            #expect(bytes == data)
        }
    }

    @Test func serverIgnoringRangeIsHandled() async throws {
        // A drop makes the client ask for the rest with Range; the proxy strips it, so the whole
        // object comes back with 200 and the client must skip what it already delivered.
        try await withFault("drop", times: 1, after: 300_000, extra: ["--strip-range"]) { s3, bucket, data, _ in
            let bytes = try await readAllOnThread(s3.openObject(bucket: bucket, key: "logs/object.log"))
            #expect(bytes == data)
        }
    }

    @Test func endlessSlowDownFailsNamingObjectAndReason() async throws {
        try await withFault("slowdown", times: -1, maxRetries: 3) { s3, bucket, _, proxy in
            let error = await #expect(throws: S3Error.self) {
                _ = try await readAllOnThread(s3.openObject(bucket: bucket, key: "logs/object.log"))
            }
            let text = error?.localizedDescription ?? ""
            #expect(text.contains("s3://\(bucket)/logs/object.log"))
            #expect(text.contains("503"))
            #expect(text.contains("SlowDown"))
            #expect(text.contains("Please reduce your request rate"))
            #expect(!text.contains(testCredentials.secretAccessKey))
            #expect(error?.attempts == 4)
            let faultCount = try await stats(proxy, via: s3).faults
            #expect(faultCount == 4)
        }
    }

    @Test func endlessDropsAtTheStartFailNamingObject() async throws {
        try await withFault("drop", times: -1, after: 0, maxRetries: 2) { s3, bucket, _, _ in
            let error = await #expect(throws: S3Error.self) {
                _ = try await readAllOnThread(s3.openObject(bucket: bucket, key: "logs/object.log"))
            }
            let text = error?.localizedDescription ?? ""
            #expect(text.contains("s3://\(bucket)/logs/object.log"))
            #expect(text.contains("after 3 attempts"))
            print("endless drop error: \(text)")
        }
    }

    @Test func progressEveryTimeIsStillBounded() async throws {
        // Every response is cut after 1000 bytes: each attempt makes progress, but the per-object
        // cap ends it, and the error says how far it got.
        try await withFault("short", times: -1, after: 1000, configure: { $0.maxAttemptsPerObject = 7 }) {
            s3, bucket, _, _ in
            let error = await #expect(throws: S3Error.self) {
                _ = try await readAllOnThread(s3.openObject(bucket: bucket, key: "logs/object.log"))
            }
            #expect(error?.attempts == 7)
            #expect(error?.localizedDescription.contains("s3://\(bucket)/logs/object.log") == true)
            print("bounded resume error: \(error?.localizedDescription ?? "")")
        }
    }

    @Test func listingIsRetriedThroughSlowDownAndDrops() async throws {
        try await withFault("slowdown", times: 2, extra: ["--scope", "all"]) { s3, bucket, _, proxy in
            let listed = try await s3.listObjects(bucket: bucket, prefix: "logs/")
            #expect(listed.map(\.key) == ["logs/object.log"])
            let faultCount = try await stats(proxy, via: s3).faults
            #expect(faultCount == 2)
        }
        try await withFault("drop", times: 1, after: 10, extra: ["--scope", "all"]) { s3, bucket, _, _ in
            let listed = try await s3.listObjects(bucket: bucket, prefix: "logs/")
            #expect(listed.map(\.key) == ["logs/object.log"])
        }
    }
}
