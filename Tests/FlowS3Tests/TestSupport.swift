import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import FlowS3
import FlowS3TestSupport

/// Fixed credentials for moto (which does not check signatures) and the fault proxy.
let testCredentials = AWSCredentials(
    accessKeyId: "AKIDFLOWQTEST", secretAccessKey: "flowq-test-secret-do-not-print", source: "test")

/// Runs `body` with an S3 client for `endpoint`, then shuts the HTTP client down.
func withS3Client<T: Sendable>(
    endpoint: String,
    readTimeout: TimeAmount = .seconds(10),
    configure: (inout S3ClientConfiguration) -> Void = { _ in },
    _ body: (S3Client) async throws -> T
) async throws -> T {
    var httpConfig = HTTPClient.Configuration()
    httpConfig.timeout = .init(connect: .seconds(5), read: readTimeout)
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
    var config = S3ClientConfiguration(region: "us-east-1", endpoint: try S3Endpoint(url: endpoint))
    config.baseRetryDelay = .milliseconds(10)
    config.maxRetryDelay = .milliseconds(200)
    configure(&config)
    let client = S3Client(httpClient: http, credentials: StaticCredentialProvider(testCredentials), configuration: config)
    do {
        let result = try await body(client)
        try await http.shutdown()
        return result
    } catch {
        try? await http.shutdown()
        throw error
    }
}

/// Reads a stream to its end on a new plain `Thread` (as ingest does), with `chunk`-byte reads.
func readAllOnThread(_ stream: S3ObjectStream, chunk: Int = 64 * 1024) async throws -> [UInt8] {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
        let thread = Thread {
            var out: [UInt8] = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
            defer { buffer.deallocate() }
            do {
                while true {
                    let n = try stream.read(into: buffer)
                    if n == 0 { break }
                    out.append(contentsOf: buffer[0..<n])
                }
                continuation.resume(returning: out)
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.start()
    }
}

/// Deterministic pseudo-random bytes (so failures reproduce).
func testBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        out[i] = UInt8(truncatingIfNeeded: state)
    }
    return out
}

/// A bucket name unique to one test.
func uniqueBucket(_ label: String) -> String {
    "flowq-\(label)-\(UInt32.random(in: 0...UInt32.max))"
}

/// A fresh temporary directory, removed by the caller.
func makeTempDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("flows3-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
