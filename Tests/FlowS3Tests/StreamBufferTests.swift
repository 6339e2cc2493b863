import FlowS3TestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import FlowS3

@Suite struct StreamBufferTests {
    /// The producer stops once the buffer holds its capacity, and the consumer gets every byte in order.
    @Test func boundedAndOrdered() async throws {
        let capacity = 64 * 1024
        let buffer = StreamBuffer(capacity: capacity)
        let data = testBytes(count: 1 << 20, seed: 7)
        let produced = ManagedAtomicCounter()
        let producer = Task {
            var index = 0
            while index < data.count {
                let n = min(8192, data.count - index)
                try await buffer.write(ByteBuffer(bytes: data[index..<(index + n)]))
                index += n
                produced.set(index)
            }
            buffer.finish()
        }
        // Nobody reads yet: the producer must stall near the capacity.
        try await Task.sleep(for: .milliseconds(200))
        #expect(produced.get() <= capacity + 8192)
        let received = try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8], any Error>) in
            Thread {
                var out: [UInt8] = []
                let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 5000, alignment: 1)
                defer { chunk.deallocate() }
                do {
                    while true {
                        let n = try buffer.read(into: chunk)
                        if n == 0 { break }
                        out.append(contentsOf: chunk[0..<n])
                    }
                    c.resume(returning: out)
                } catch { c.resume(throwing: error) }
            }.start()
        }
        try await producer.value
        #expect(received == data)
    }

    @Test func errorAfterDataAndClose() async throws {
        let buffer = StreamBuffer(capacity: 1 << 16)
        try await buffer.write(ByteBuffer(bytes: [1, 2, 3]))
        buffer.fail(HelperError(message: "boom"))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { chunk.deallocate() }
        #expect(try buffer.read(into: chunk) == 3)
        #expect(throws: HelperError.self) { try buffer.read(into: chunk) }

        let closed = StreamBuffer(capacity: 1 << 16)
        closed.close()
        #expect(try closed.read(into: chunk) == 0)
        await #expect(throws: StreamBuffer.Closed.self) { try await closed.write(ByteBuffer(bytes: [1])) }
    }
}

/// A tiny lock-protected counter for the test above.
final class ManagedAtomicCounter: Sendable {
    private let value = Mutex(0)
    func set(_ v: Int) { value.withLock { $0 = v } }
    func get() -> Int { value.withLock { $0 } }
}
