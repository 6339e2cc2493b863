import CZlib
import Foundation

/// Reads a flow-log file as plain text bytes, inflating it when it is gzip.
///
/// Gzip or plain is decided by the first two bytes (`1f 8b`), never by the file name. Memory is
/// fixed: one input buffer and whatever output buffer the caller passes. While reading it keeps
/// a checksum of the raw bytes, which the store uses to recognise the same content again.
public final class DecompressingReader {
    /// Size of each `read(2)` from the file.
    public static let inputBufferSize = 256 * 1024
    /// Output may be at most this many times the input (flow logs compress about 4-10x).
    public static let maximumExpansion = 1000

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let path: String
    private let input: UnsafeMutableRawBufferPointer
    private let inputBase: UnsafeMutableRawPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var endOfFile = false
    private var inflater: InflateStream?
    private var decided = false
    private var produced = 0

    /// Raw (compressed) bytes read so far.
    public private(set) var rawByteCount = 0
    /// CRC-32 of the raw bytes read so far.
    public private(set) var rawCRC32: UInt32 = 0
    /// Adler-32 of the raw bytes read so far; with the CRC and the size it identifies the content.
    public private(set) var rawAdler32: UInt32 = 1
    /// True when the file turned out to be gzip.
    public var isGzip: Bool { inflater != nil }

    /// Opens `path` for reading; `-` reads standard input.
    public init(path: String) throws(GzipError) {
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .io(path: path, errno: errno) }
            descriptor = fd
            ownsDescriptor = true
        }
        self.path = path
        inputBase = UnsafeMutableRawPointer.allocate(byteCount: Self.inputBufferSize, alignment: 16)
        input = UnsafeMutableRawBufferPointer(start: inputBase, count: Self.inputBufferSize)
    }

    deinit {
        inputBase.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    /// Fills `output` with the next decompressed bytes; returns how many, 0 at the end.
    public func read(into output: UnsafeMutableRawBufferPointer) throws(GzipError) -> Int {
        guard let outputBase = output.baseAddress, output.count > 0 else { return 0 }
        while true {
            if inputStart == inputEnd && !endOfFile { try refill() }
            if !decided {
                decided = true
                if inputEnd - inputStart >= 2, input[inputStart] == 0x1f, input[inputStart + 1] == 0x8b {
                    inflater = InflateStream()
                }
            }
            let available = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputEnd])
            guard let inflater else {
                // Plain text: hand the bytes through.
                let count = min(available.count, output.count)
                if count == 0 { return 0 }
                outputBase.copyMemory(from: inputBase + inputStart, byteCount: count)
                inputStart += count
                return count
            }
            if available.isEmpty {
                if inflater.atMemberEnd || rawByteCount == 0 { return 0 }
                throw .truncated(afterCompressedBytes: rawByteCount)
            }
            let (used, count) = try inflater.inflate(available, into: output)
            inputStart += used
            produced += count
            if produced > 64 << 20, produced / max(rawByteCount, 1) > Self.maximumExpansion {
                throw .expansionLimit(ratio: Self.maximumExpansion)
            }
            if count > 0 { return count }
            if used == 0 {
                // No progress: zlib needs input beyond what is buffered.
                if endOfFile { throw .truncated(afterCompressedBytes: rawByteCount) }
                try refill()
            }
        }
    }

    /// Moves unread input to the front and reads more from the file.
    private func refill() throws(GzipError) {
        if inputStart > 0 {
            let remaining = inputEnd - inputStart
            if remaining > 0 {
                inputBase.copyMemory(from: inputBase + inputStart, byteCount: remaining)
            }
            inputEnd = remaining
            inputStart = 0
        }
        guard inputEnd < input.count else { return }
        var count: Int
        repeat {
            count = Foundation.read(descriptor, inputBase + inputEnd, input.count - inputEnd)
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw .io(path: path, errno: errno) }
        if count == 0 {
            endOfFile = true
            return
        }
        let fresh = (inputBase + inputEnd).assumingMemoryBound(to: Bytef.self)
        rawCRC32 = UInt32(crc32(uLong(rawCRC32), fresh, uInt(count)))
        rawAdler32 = UInt32(adler32(uLong(rawAdler32), fresh, uInt(count)))
        rawByteCount += count
        inputEnd += count
    }
}

@available(*, unavailable)
extension DecompressingReader: Sendable {}
