import CZlib

/// A zlib inflater for GZIP pages, owning one heap-allocated `z_stream` reused (via
/// `inflateReset`) for every page of a column chunk, so per-page cost is a reset rather
/// than zlib's 7 KB state allocation.
final class GzipDecompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private var initialized = false

    /// Makes an inflater; zlib state is set up lazily on first use.
    init() {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    private func reset() throws {
        if initialized {
            guard inflateReset(stream) == Z_OK else { throw ParquetError(.corruptPage, "GZIP inflateReset failed") }
            return
        }
        // 15 + 32: largest window, and accept either a gzip or a zlib header.
        let rc = inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw ParquetError(.corruptPage, "GZIP inflateInit2 failed (\(rc))") }
        initialized = true
    }

    /// Inflates `input` (one or more concatenated gzip members) into `output`, which must
    /// come out exactly full: the page header's uncompressed size is the contract.
    func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        guard let inBase = input.baseAddress, input.count > 0 else {
            throw ParquetError(.corruptPage, "GZIP data is empty")
        }
        // zlib's counters are 32-bit; pages are bounded by Int32 page sizes anyway.
        guard input.count <= Int(UInt32.max), output.count <= Int(UInt32.max) else {
            throw ParquetError(.corruptPage, "GZIP page too large")
        }
        try reset()
        var placeholder: UInt8 = 0
        let outBase = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        try withUnsafeMutablePointer(to: &placeholder) { spare in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: inBase.assumingMemoryBound(to: UInt8.self))
            stream.pointee.avail_in = UInt32(input.count)
            // zlib wants a valid pointer even for zero bytes of room.
            stream.pointee.next_out = outBase ?? spare
            stream.pointee.avail_out = UInt32(output.count)
            defer {
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
            while true {
                let rc = inflate(stream, Z_NO_FLUSH)
                switch rc {
                case Z_STREAM_END:
                    if stream.pointee.avail_in == 0 {
                        guard stream.pointee.avail_out == 0 else {
                            throw ParquetError(.corruptPage, "GZIP data inflates to \(output.count - Int(stream.pointee.avail_out)) bytes, page header says \(output.count)")
                        }
                        return
                    }
                    // Another gzip member follows (multi-member stream): keep going
                    // into the same output.
                    guard inflateReset(stream) == Z_OK else { throw ParquetError(.corruptPage, "GZIP inflateReset failed") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if stream.pointee.avail_out == 0 {
                        throw ParquetError(.corruptPage, "GZIP data inflates to more than the \(output.count) bytes the page header says")
                    }
                    throw ParquetError(.corruptPage, "GZIP data ends early")
                default:
                    let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                    throw ParquetError(.corruptPage, "GZIP data is corrupt: \(detail)")
                }
            }
        }
    }
}

@available(*, unavailable)
extension GzipDecompressor: Sendable {}
