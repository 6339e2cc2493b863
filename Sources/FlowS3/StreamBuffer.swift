import Foundation
import NIOCore

/// A bounded byte queue between an async producer (the download task) and one blocking consumer
/// (a plain thread calling `read`).
///
/// The producer suspends, without holding a thread, once `capacity` bytes are queued, and is
/// resumed when the consumer has drained the queue to half of that; so memory stays bounded by
/// about `capacity` plus one network chunk, whatever the object's size.
///
/// `@unchecked Sendable`: every mutable field is read and written only with `condition` locked;
/// NSCondition is used (rather than `Mutex`) because the consumer must block and be woken.
final class StreamBuffer: @unchecked Sendable {
    /// Thrown to the producer when the consumer has closed the stream.
    struct Closed: Error {}

    private let condition = NSCondition()
    private let capacity: Int
    private var chunks: [ByteBuffer] = []
    private var head = 0
    private var buffered = 0
    private var finished = false
    private var failure: (any Error)?
    private var closed = false
    private var producerWaiter: CheckedContinuation<Void, any Error>?

    /// Creates an empty buffer that holds about `capacity` bytes at most.
    init(capacity: Int) {
        self.capacity = max(capacity, 64 * 1024)
    }

    /// Appends a chunk; suspends while the buffer is full. Throws `Closed` once the consumer closed.
    func write(_ chunk: ByteBuffer) async throws {
        guard chunk.readableBytes > 0 else { return }
        let full: Bool = try locked {
            if closed { throw Closed() }
            chunks.append(chunk)
            buffered += chunk.readableBytes
            condition.broadcast()
            return buffered >= capacity
        }
        guard full else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let resumeNow: Result<Void, any Error>? = locked {
                if closed { return .failure(Closed()) }
                if buffered < capacity { return .success(()) }
                producerWaiter = continuation
                return nil
            }
            if let resumeNow { continuation.resume(with: resumeNow) }
        }
    }

    /// Bytes queued and not yet read (for tests of the memory bound).
    var bufferedBytes: Int { locked { buffered } }

    /// Marks the end of the data; `read` returns 0 once the queue is drained.
    func finish() {
        locked {
            finished = true
            condition.broadcast()
        }
    }

    /// Ends the data with an error, which `read` throws once the queued bytes are consumed.
    func fail(_ error: any Error) {
        locked {
            if failure == nil { failure = error }
            condition.broadcast()
        }
    }

    /// Called by the consumer: drops queued data and makes further writes throw `Closed`.
    func close() {
        let waiter: CheckedContinuation<Void, any Error>? = locked {
            closed = true
            chunks = []
            head = 0
            buffered = 0
            condition.broadcast()
            defer { producerWaiter = nil }
            return producerWaiter
        }
        waiter?.resume(throwing: Closed())
    }

    /// Blocks until bytes, the end or an error are available; copies up to `destination.count`
    /// bytes and returns how many (0 at the end, or after `close`).
    func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        guard destination.count > 0 else { return 0 }
        condition.lock()
        while buffered == 0, !finished, failure == nil, !closed {
            condition.wait()
        }
        if buffered == 0 {
            let error = failure
            condition.unlock()
            if let error { throw error }
            return 0
        }
        var copied = 0
        while copied < destination.count, head < chunks.count {
            let n = min(destination.count - copied, chunks[head].readableBytes)
            chunks[head].withUnsafeReadableBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: destination[copied..<(copied + n)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<n]))
            }
            chunks[head].moveReaderIndex(forwardBy: n)
            copied += n
            if chunks[head].readableBytes == 0 { head += 1 }
        }
        buffered -= copied
        // Compact the array now and then rather than shifting on every chunk.
        if head > 64 || head == chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
        var waiter: CheckedContinuation<Void, any Error>?
        if buffered <= capacity / 2, let pending = producerWaiter {
            waiter = pending
            producerWaiter = nil
        }
        condition.unlock()
        waiter?.resume()
        return copied
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }
}
