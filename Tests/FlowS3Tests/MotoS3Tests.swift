import FlowS3TestSupport
import Foundation
import Testing

@testable import FlowS3

/// The client against a real S3 implementation (moto's server) on loopback.
@Suite(.enabled(if: TestPython.motoAvailable, "moto is not installed; see FLOWQ_TEST_VENV"))
struct MotoS3Tests {
    @Test func listEveryPageAndStreamEveryObject() async throws {
        let moto = try SharedMoto.get()
        let bucket = uniqueBucket("list")
        try await withS3Client(endpoint: moto.url) { s3 in
            try await s3.createBucket(bucket)
            var expected: [String: [UInt8]] = [:]
            for i in 0..<23 {
                let key = String(format: "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/01/part-%03d.log", i)
                expected[key] = testBytes(count: 100 + i * 37, seed: UInt64(i))
            }
            // Keys needing encoding in the path and entities in the listing.
            expected["AWSLogs/odd keys/a b+c&d<e>'f\"=g~é.log"] = testBytes(count: 5000, seed: 99)
            expected["AWSLogs/empty.log"] = []
            expected["other/not-listed.log"] = [1, 2, 3]
            for (key, bytes) in expected { try await s3.putObject(bucket: bucket, key: key, data: Data(bytes)) }

            let listed = try await s3.listObjects(bucket: bucket, prefix: "AWSLogs/", pageSize: 5)
            let wanted = expected.filter { $0.key.hasPrefix("AWSLogs/") }
            #expect(listed.count == wanted.count)
            #expect(Set(listed.map(\.key)) == Set(wanted.keys))
            #expect(listed.map(\.key) == listed.map(\.key).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
            for object in listed {
                #expect(object.size == Int64(wanted[object.key]?.count ?? -1))
                #expect(object.etag.hasPrefix("\""))
                #expect(object.lastModified != nil)
                let bytes = try await readAllOnThread(s3.openObject(bucket: bucket, object: object), chunk: 777)
                #expect(bytes == wanted[object.key], "bytes of \(object.key)")
            }

            let after = try await s3.listObjects(bucket: bucket, prefix: "AWSLogs/123", startAfter: listed[10].key, pageSize: 4)
            #expect(after.first?.key == listed[11].key)
        }
    }

    @Test func largeObjectsStreamConcurrentlyWithBoundedBuffers() async throws {
        let moto = try SharedMoto.get()
        let bucket = uniqueBucket("large")
        try await withS3Client(endpoint: moto.url, configure: { $0.streamBufferCapacity = 128 * 1024 }) { s3 in
            try await s3.createBucket(bucket)
            let objects = (0..<4).map { ("big-\($0).bin", testBytes(count: 3_000_000 + $0 * 1001, seed: UInt64(100 + $0))) }
            for (key, bytes) in objects { try await s3.putObject(bucket: bucket, key: key, data: Data(bytes)) }
            let listed = try await s3.listObjects(bucket: bucket)
            #expect(listed.count == 4)
            try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
                for object in listed {
                    group.addTask {
                        (object.key, try await readAllOnThread(s3.openObject(bucket: bucket, object: object), chunk: 100_000))
                    }
                }
                var seen = 0
                for try await (key, bytes) in group {
                    seen += 1
                    #expect(bytes == objects.first { $0.0 == key }?.1, "bytes of \(key)")
                }
                #expect(seen == 4)
            }
        }
    }

    @Test func unreadStreamHoldsAtMostItsCapacity() async throws {
        let moto = try SharedMoto.get()
        let bucket = uniqueBucket("bound")
        let capacity = 256 * 1024
        try await withS3Client(endpoint: moto.url, configure: { $0.streamBufferCapacity = capacity }) { s3 in
            try await s3.createBucket(bucket)
            let data = testBytes(count: 8_000_000, seed: 11)
            try await s3.putObject(bucket: bucket, key: "big", data: Data(data))
            let stream = s3.openObject(bucket: bucket, key: "big")
            // Nobody reads: the download must stop at the buffer's capacity (plus one network chunk).
            var held = 0
            for _ in 0..<50 {
                try await Task.sleep(for: .milliseconds(20))
                held = max(held, stream.bufferedBytes)
            }
            #expect(held >= capacity)
            #expect(held <= capacity + 256 * 1024)
            let bytes = try await readAllOnThread(stream, chunk: 4096)
            #expect(bytes == data)
        }
    }

    @Test func readingOnAnEventLoopIsRefused() async throws {
        let moto = try SharedMoto.get()
        try await withS3Client(endpoint: moto.url) { s3 in
            let stream = s3.openObject(bucket: "any", key: "k")
            let refused = try await s3.httpClient.eventLoopGroup.next().submit { () -> Bool in
                let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
                defer { chunk.deallocate() }
                do {
                    _ = try stream.read(into: chunk)
                    return false
                } catch {
                    return "\(error)".contains("event loop")
                }
            }.get()
            #expect(refused)
            stream.close()
        }
    }

    @Test func missingObjectAndBucketNameTheLocation() async throws {
        let moto = try SharedMoto.get()
        let bucket = uniqueBucket("missing")
        try await withS3Client(endpoint: moto.url) { s3 in
            try await s3.createBucket(bucket)
            let error = await #expect(throws: S3Error.self) {
                _ = try await readAllOnThread(s3.openObject(bucket: bucket, key: "no/such.log"))
            }
            #expect(error?.httpStatus == 404)
            #expect(error?.s3Code == "NoSuchKey")
            let text = error?.localizedDescription ?? ""
            #expect(text.contains("s3://\(bucket)/no/such.log"))
            #expect(text.contains("NoSuchKey"))
            #expect(!text.contains(testCredentials.secretAccessKey))

            let listError = await #expect(throws: S3Error.self) {
                _ = try await s3.listObjects(bucket: bucket + "-absent", prefix: "x/")
            }
            #expect(listError?.s3Code == "NoSuchBucket")
            #expect(listError?.localizedDescription.contains("s3://\(bucket)-absent/x/") == true)
        }
    }

    @Test func sizeFromListingMustMatch() async throws {
        let moto = try SharedMoto.get()
        let bucket = uniqueBucket("size")
        try await withS3Client(endpoint: moto.url) { s3 in
            try await s3.createBucket(bucket)
            try await s3.putObject(bucket: bucket, key: "k", data: Data(testBytes(count: 1000, seed: 1)))
            let error = await #expect(throws: S3Error.self) {
                _ = try await readAllOnThread(s3.openObject(bucket: bucket, key: "k", expectedSize: 2000))
            }
            #expect(error?.localizedDescription.contains("expected 2000 bytes") == true)
        }
    }

    @Test func closingEarlyStopsTheDownload() async throws {
        let moto = try SharedMoto.get()
        let bucket = uniqueBucket("close")
        try await withS3Client(endpoint: moto.url, configure: { $0.streamBufferCapacity = 64 * 1024 }) { s3 in
            try await s3.createBucket(bucket)
            try await s3.putObject(bucket: bucket, key: "k", data: Data(testBytes(count: 2_000_000, seed: 3)))
            let stream = s3.openObject(bucket: bucket, key: "k")
            let first: Int = try await withCheckedThrowingContinuation { c in
                Thread {
                    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
                    defer { chunk.deallocate() }
                    c.resume(with: Result { try stream.read(into: chunk) })
                }.start()
            }
            #expect(first > 0)
            stream.close()
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
            defer { chunk.deallocate() }
            #expect(try stream.read(into: chunk) == 0)
        }
    }
}
