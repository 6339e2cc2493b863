import CZlib
import Foundation

/// Reads a flow-log file as plain text bytes, inflating it when it is gzip.
///
/// Gzip or plain is decided by the first bytes (`1f 8b`), never by the file name, and only once
/// enough bytes are in (a slow pipe may deliver one byte at a time). Memory is fixed: one input
/// buffer and whatever output buffer the caller passes. While reading it hashes the
/// *decompressed* bytes, which the store uses to recognise the same content again: a `.gz`, a
/// `gzip -9` recompression of it, its `gunzip -k` copy and `zcat` of it into standard input
/// are one content.
public final class DecompressingReader: ByteSource {
    /// Size of each `read(2)` from the file.
    public static let inputBufferSize = 256 * 1024
    /// Output may be at most this many times the input (flow logs compress about 4-10x).
    public static let maximumExpansion = 1000

    /// Where the raw bytes come from: a file descriptor, or another source (an S3 body).
    private enum Input {
        case descriptor(Int32, owned: Bool)
        case source(any ByteSource)
    }
    private let rawInput: Input
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
    /// The hash of the decompressed bytes handed out so far.
    private var contentHash = XXHash64()
    /// Bytes a format needs to be recognised by its first bytes (gzip needs 2).
    static let sniffLength = 4
    /// True when the file turned out to be gzip.
    public var isGzip: Bool { inflater != nil }

    /// What the content is, whatever its compression: the decompressed length and the XXH64
    /// of the decompressed bytes read so far (the whole content once `read` has returned 0).
    public var contentKey: String { contentHash.contentKey }

    /// Opens `path` for reading; `-` reads standard input.
    public init(path: String) throws(GzipError) {
        if path == "-" {
            rawInput = .descriptor(0, owned: false)
        } else {
            // O_NONBLOCK so that a FIFO swapped in for the file cannot hang the open; a regular
            // file reads the same either way, and anything else is refused.
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw .io(path: path, errno: errno) }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                close(fd)
                throw .notRegularFile(path: path)
            }
            rawInput = .descriptor(fd, owned: true)
        }
        self.path = path
        inputBase = UnsafeMutableRawPointer.allocate(byteCount: Self.inputBufferSize, alignment: 16)
        input = UnsafeMutableRawBufferPointer(start: inputBase, count: Self.inputBufferSize)
    }

    /// Reads the raw bytes of `source` (named `name` in errors), inflating them when they are gzip.
    public init(source: any ByteSource, name: String) {
        rawInput = .source(source)
        path = name
        inputBase = UnsafeMutableRawPointer.allocate(byteCount: Self.inputBufferSize, alignment: 16)
        input = UnsafeMutableRawBufferPointer(start: inputBase, count: Self.inputBufferSize)
    }

    deinit {
        inputBase.deallocate()
        if case .descriptor(let descriptor, owned: true) = rawInput { close(descriptor) }
    }

    /// Fills `output` with the next decompressed bytes; returns how many, 0 at the end.
    ///
    /// Throws a `GzipError` for bad data or a failed read of a file, and a source's own error
    /// unchanged.
    public func read(into output: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try readDecompressed(into: output)
        if count > 0 { contentHash.update(UnsafeRawBufferPointer(rebasing: output[0..<count])) }
        return count
    }

    private func readDecompressed(into output: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let outputBase = output.baseAddress, output.count > 0 else { return 0 }
        while true {
            if inputStart == inputEnd && !endOfFile { try refill() }
            if !decided {
                // Sniff only with enough bytes in: a pipe may deliver one byte per read.
                while inputEnd - inputStart < Self.sniffLength && !endOfFile { try refill() }
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
                throw GzipError.truncated(afterCompressedBytes: rawByteCount)
            }
            let (used, count) = try inflater.inflate(available, into: output)
            inputStart += used
            produced += count
            if produced > 64 << 20, produced / max(rawByteCount, 1) > Self.maximumExpansion {
                throw GzipError.expansionLimit(ratio: Self.maximumExpansion)
            }
            if count > 0 { return count }
            if used == 0 {
                // No progress: zlib needs input beyond what is buffered.
                if endOfFile { throw GzipError.truncated(afterCompressedBytes: rawByteCount) }
                try refill()
            }
        }
    }

    /// Moves unread input to the front and reads more from the file.
    private func refill() throws {
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
        switch rawInput {
        case .descriptor(let descriptor, _):
            repeat {
                count = Foundation.read(descriptor, inputBase + inputEnd, input.count - inputEnd)
            } while count < 0 && errno == EINTR
            guard count >= 0 else { throw GzipError.io(path: path, errno: errno) }
        case .source(let source):
            count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]))
        }
        if count == 0 {
            endOfFile = true
            return
        }
        rawByteCount += count
        inputEnd += count
    }
}

@available(*, unavailable)
extension DecompressingReader: Sendable {}
