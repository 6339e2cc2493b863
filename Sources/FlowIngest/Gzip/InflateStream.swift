import CZlib
import Foundation

/// A zlib inflater for gzip data, owning its heap-allocated `z_stream`.
///
/// Reads every member of a multi-member file: on `Z_STREAM_END` with more input it resets and
/// goes on, as `gzip -d` does. Trailing zero padding (seen on some uploads) is ignored.
final class InflateStream {
    private let stream: UnsafeMutablePointer<z_stream>
    /// Compressed bytes consumed so far (for error positions).
    private(set) var consumed = 0
    /// True after a member ended and no more input has been given yet.
    private(set) var atMemberEnd = false
    /// True once inflate has been initialised for the current member.
    private var started = false

    init() {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if started { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates from `input` into `output`; returns (input bytes used, output bytes produced).
    ///
    /// Call again with the unused input when output filled up.
    func inflate(
        _ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(GzipError) -> (used: Int, produced: Int) {
        guard input.count > 0, let base = input.baseAddress else { return (0, 0) }
        var start = 0
        if atMemberEnd {
            // Between members: zero padding is skipped; anything else must be a new member.
            while start < input.count, input[start] == 0 { start += 1 }
            if start == input.count {
                consumed += start
                return (start, 0)
            }
            guard input[start] == 0x1f else { throw .trailingGarbage(atCompressedByte: consumed + start) }
            inflateReset(stream)
            atMemberEnd = false
        }
        if !started {
            // 15 + 32: gzip or zlib header, detected automatically, full window.
            let rc = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else { throw .corrupt(atCompressedByte: consumed, reason: "inflateInit2 failed (\(rc))") }
            started = true
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self) + start)
        stream.pointee.avail_in = uInt(input.count - start)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let rc = CZlib.inflate(stream, Z_NO_FLUSH)
        let used = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        defer { consumed += used }
        switch rc {
        case Z_OK, Z_BUF_ERROR:
            return (used, produced)
        case Z_STREAM_END:
            atMemberEnd = true
            return (used, produced)
        default:
            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
            throw .corrupt(atCompressedByte: consumed + used, reason: reason)
        }
    }
}

@available(*, unavailable)
extension InflateStream: Sendable {}
