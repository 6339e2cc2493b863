import CZlib
import FlowIngest
import Foundation

/// Writes a gzip file, streaming: text goes in, compressed bytes go to the file in chunks.
///
/// Used by the sample generator; `finishMember()` ends one gzip member so a test can build
/// multi-member files like some uploaders produce.
public final class GzipWriter {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawPointer
    private let outputSize = 256 * 1024
    private let handle: FileHandle
    private var open = false
    private let level: Int32

    /// Creates (truncates) `path` and prepares to compress at `level` (1 fastest ... 9 smallest).
    public init(path: String, level: Int32 = 6) throws(GzipError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw .io(path: path, errno: errno == 0 ? EACCES : errno)
        }
        self.handle = handle
        self.level = level
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = UnsafeMutableRawPointer.allocate(byteCount: outputSize, alignment: 16)
    }

    deinit {
        if open { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
        try? handle.close()
    }

    /// Compresses `text`.
    public func write(_ text: String) throws(GzipError) {
        try write(Array(text.utf8))
    }

    /// Compresses `bytes`.
    public func write(_ bytes: [UInt8]) throws(GzipError) {
        // Untyped inside the closure: typed throws through `withUnsafeBytes` crashes Swift 6.3.1.
        var failure: GzipError? = nil
        bytes.withUnsafeBytes { raw in
            do throws(GzipError) { try self.deflate(raw, flush: Z_NO_FLUSH) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Ends the current gzip member; later writes start a new one.
    public func finishMember() throws(GzipError) {
        guard open else { return }
        try deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        deflateEnd(stream)
        open = false
    }

    /// Ends the member and closes the file.
    public func close() throws(GzipError) {
        try finishMember()
        try? handle.close()
    }

    private func deflate(_ input: UnsafeRawBufferPointer, flush: Int32) throws(GzipError) {
        if !open {
            stream.pointee = z_stream()
            // 15 + 16: a gzip wrapper rather than zlib's.
            let rc = deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw .corrupt(atCompressedByte: 0, reason: "deflateInit2 failed (\(rc))") }
            open = true
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        repeat {
            stream.pointee.next_out = output.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(outputSize)
            let rc = CZlib.deflate(stream, flush)
            guard rc != Z_STREAM_ERROR else { throw .corrupt(atCompressedByte: 0, reason: "deflate failed") }
            let produced = outputSize - Int(stream.pointee.avail_out)
            if produced > 0 { handle.write(Data(bytes: output, count: produced)) }
        } while stream.pointee.avail_out == 0
    }
}

@available(*, unavailable)
extension GzipWriter: Sendable {}
