import Foundation
import NIOPosix

/// A blocking pull stream of one S3 object, for synchronous reader threads.
///
/// A background task downloads the object (resuming with `Range` after dropped connections) into
/// a bounded buffer; `read(into:)` blocks the calling thread until bytes are there. Call it from
/// a plain `Thread` or a dispatch queue, never from inside an event loop or from async code on the
/// cooperative pool (it would block a shared thread). One consumer per stream; several streams
/// may be read at once from different threads.
public final class S3ObjectStream: Sendable {
    /// The bucket being read.
    public let bucket: String
    /// The key being read.
    public let key: String
    private let buffer: StreamBuffer
    private let task: Task<Void, Never>

    /// Starts `download`, which fills the stream's buffer, and returns the stream.
    init(bucket: String, key: String, capacity: Int, download: @escaping @Sendable (StreamBuffer) async -> Void) {
        self.bucket = bucket
        self.key = key
        let buffer = StreamBuffer(capacity: capacity)
        self.buffer = buffer
        self.task = Task.detached { await download(buffer) }
    }

    /// `s3://bucket/key`.
    public var location: String { "s3://\(bucket)/\(key)" }

    /// Blocks until data is available and copies up to `buffer.count` bytes into it.
    ///
    /// - Returns: the number of bytes copied; 0 at the end of the object (or after `close`).
    /// - Throws: `S3Error` naming the object when it cannot be read completely.
    public func read(into destination: UnsafeMutableRawBufferPointer) throws -> Int {
        // Blocking an event loop thread would stall the very download being waited for.
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            throw S3Error(operation: "GetObject", location: location, reason: .misuse(
                "S3ObjectStream.read was called on an event loop thread; call it from a plain Thread"), attempts: 0)
        }
        return try buffer.read(into: destination)
    }

    /// Bytes downloaded but not yet read; stays near the configured buffer capacity at most.
    var bufferedBytes: Int { buffer.bufferedBytes }

    /// Stops the download and frees the buffer; later reads return 0. Safe to call twice.
    public func close() {
        task.cancel()
        buffer.close()
    }

    deinit {
        close()
    }
}
