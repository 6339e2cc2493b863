#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One page's decompressed bytes in manually managed memory, so decoders can hold raw
/// pointers into it for as long as they hold the buffer. It is over-allocated by 16
/// zeroed bytes so bit unpacking may always load a full 64-bit word and short byte
/// arrays may be copied as two words (`ByteBuilder.appendReserved`).
final class PageBuffer {
    /// Bytes past `count` that are allocated, zeroed and safe to read.
    static let padding = ByteBuilder.slack
    /// The start of the page's bytes.
    let base: UnsafeMutableRawPointer
    /// The page's length (padding excluded).
    let count: Int

    /// Allocates `count` bytes plus padding (contents undefined except the padding).
    init(count: Int) {
        self.count = count
        base = UnsafeMutableRawPointer.allocate(byteCount: count + PageBuffer.padding, alignment: 16)
        (base + count).initializeMemory(as: UInt8.self, repeating: 0, count: PageBuffer.padding)
    }

    deinit { base.deallocate() }

    /// The page's bytes.
    var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base, count: count) }
}

@available(*, unavailable)
extension PageBuffer: Sendable {}

/// A page as read and decompressed: its header and its bytes. For v2 data pages the
/// uncompressed level sections are copied in front of the decompressed values, so
/// `data` always reads [repetition levels][definition levels][values].
struct Page {
    var header: PageHeader
    /// 0-based page number within the column chunk, for error messages.
    var number: Int
    /// File offset of the page header.
    var offset: Int64
    var data: PageBuffer
}

/// A cursor over one column chunk: reads one page at a time with `pread` and
/// decompresses it, so memory is bounded by the largest page, never the chunk or file.
final class PageReader {
    /// Headers larger than this are treated as corrupt (real ones are tens of bytes, or
    /// a few KB with statistics).
    static let maxHeaderSize = 16 << 20
    /// Sanity cap on one decompressed page, independent of codec ratios.
    static let maxPageSize = 1 << 30

    private let fd: Int32
    private var position: Int64
    private let end: Int64
    private let codec: ParquetCodec
    private var pageNumber = 0
    private var gzip: GzipDecompressor?
    private var compressed: [UInt8] = []

    /// A cursor over file bytes `start..<end` (already checked to lie inside the file).
    init(fd: Int32, start: Int64, end: Int64, codec: ParquetCodec) {
        self.fd = fd
        self.position = start
        self.end = end
        self.codec = codec
    }

    /// Page number and offset of the page about to be read, for error context.
    var location: (page: Int, offset: Int64) { (pageNumber, position) }

    /// Reads exactly `count` bytes at `offset` into `buffer`.
    static func readFully(fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < buffer.count {
            guard let start = buffer.baseAddress else { return }
            let n = pread(fd, start + done, buffer.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw ParquetError(.io, "read failed: \(String(cString: strerror(errno)))", byteOffset: offset + Int64(done))
            }
            if n == 0 { throw ParquetError(.truncated, "file ends early", byteOffset: offset + Int64(done)) }
            done += n
        }
    }

    /// Returns the next page, or nil at the end of the chunk.
    func next() throws -> Page? {
        guard position < end else { return nil }
        let headerOffset = position
        let number = pageNumber
        return try withContext(page: number, byteOffset: headerOffset) {
            let (header, headerLength) = try readHeader()
            let payloadStart = headerOffset + Int64(headerLength)
            let compressedSize = Int(header.compressedSize)
            guard Int64(compressedSize) <= end - payloadStart else {
                throw ParquetError(.truncated, "page of \(compressedSize) bytes runs past the end of its column chunk")
            }
            let data = try readPayload(header, at: payloadStart, compressedSize: compressedSize)
            position = payloadStart + Int64(compressedSize)
            pageNumber += 1
            return Page(header: header, number: number, offset: headerOffset, data: data)
        }
    }

    /// Reads a page header whose length is unknown: try a small read, and if the Thrift
    /// decoder runs out, read four times as much, up to the end of the chunk.
    private func readHeader() throws -> (PageHeader, Int) {
        var want = Int(min(Int64(256), end - position))
        while true {
            var bytes = [UInt8](repeating: 0, count: want)
            try bytes.withUnsafeMutableBytes { try PageReader.readFully(fd: fd, into: $0, at: position) }
            var reader = ThriftCompactReader(bytes)
            do {
                let header = try PageHeader.decode(&reader)
                return (header, reader.position)
            } catch let error as ParquetError where error.kind == .truncated {
                let left = end - position
                guard Int64(want) < left, want < PageReader.maxHeaderSize else {
                    throw ParquetError(.corruptMetadata, "page header does not fit in its column chunk (\(error.message))")
                }
                want = Int(min(left, Int64(want) * 4, Int64(PageReader.maxHeaderSize)))
            }
        }
    }

    /// Reads the page body and decompresses it as its type and codec require.
    private func readPayload(_ header: PageHeader, at offset: Int64, compressedSize: Int) throws -> PageBuffer {
        let uncompressedSize = Int(header.uncompressedSize)
        var levelsLength = 0
        var valuesCompressed = codec != .uncompressed
        if let v2 = header.dataPageV2 {
            levelsLength = Int(v2.definitionLevelsByteLength) + Int(v2.repetitionLevelsByteLength)
            guard levelsLength <= compressedSize, levelsLength <= uncompressedSize else {
                throw ParquetError(.corruptPage, "v2 level sections (\(levelsLength) bytes) exceed the page")
            }
            valuesCompressed = valuesCompressed && v2.isCompressed
        }
        if !valuesCompressed {
            guard compressedSize == uncompressedSize else {
                throw ParquetError(.corruptPage, "uncompressed page has compressed size \(compressedSize) but uncompressed size \(uncompressedSize)")
            }
            let page = PageBuffer(count: uncompressedSize)
            try PageReader.readFully(fd: fd, into: page.bytes, at: offset)
            return page
        }
        // Refuse sizes no codec could produce from this input before allocating them:
        // deflate tops out near 1032:1, Snappy near 22:1.
        let bodyIn = compressedSize - levelsLength
        let bodyOut = uncompressedSize - levelsLength
        let ratio = codec == .gzip ? 1100 : 32
        guard bodyOut <= PageReader.maxPageSize, bodyOut <= bodyIn * ratio + 1024 else {
            throw ParquetError(.corruptPage, "page claims \(uncompressedSize) uncompressed bytes from \(compressedSize) compressed")
        }
        if compressed.count < compressedSize { compressed = [UInt8](repeating: 0, count: compressedSize) }
        let page = PageBuffer(count: uncompressedSize)
        try compressed.withUnsafeMutableBytes { raw in
            let input = UnsafeMutableRawBufferPointer(rebasing: raw[0..<compressedSize])
            try PageReader.readFully(fd: fd, into: input, at: offset)
            if levelsLength > 0, let source = input.baseAddress {
                page.base.copyMemory(from: source, byteCount: levelsLength)
            }
            let body = UnsafeRawBufferPointer(rebasing: input[levelsLength...])
            let target = UnsafeMutableRawBufferPointer(rebasing: page.bytes[levelsLength...])
            switch codec {
            case .gzip:
                let inflater = gzip ?? GzipDecompressor()
                gzip = inflater
                try inflater.decompress(body, into: target)
            case .snappy:
                try SnappyDecompressor.decompress(body, into: target)
            default:
                throw ParquetError(.unsupported, "unsupported codec \(ParquetCodec.name(codec.rawValue))")
            }
        }
        return page
    }
}

@available(*, unavailable)
extension PageReader: Sendable {}
