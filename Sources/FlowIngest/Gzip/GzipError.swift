import Foundation

/// Why a flow-log file could not be read as gzip (or at all).
public enum GzipError: Error, LocalizedError, Sendable, Equatable {
    /// The file could not be opened or read.
    case io(path: String, errno: Int32)
    /// The path is a FIFO, a device or a socket, not a file.
    case notRegularFile(path: String)
    /// The compressed data ended before the gzip stream did.
    case truncated(afterCompressedBytes: Int)
    /// zlib reported corrupt data.
    case corrupt(atCompressedByte: Int, reason: String)
    /// Bytes after a complete gzip member that start no new member.
    case trailingGarbage(atCompressedByte: Int)
    /// The data expands far more than flow logs ever do (a gzip bomb).
    case expansionLimit(ratio: Int)

    /// What went wrong, said so that the file name can go in front of it.
    public var errorDescription: String? {
        switch self {
        case .io(let path, let code):
            return "cannot read \(path): \(String(cString: strerror(code)))"
        case .notRegularFile:
            return "not a regular file: not read (to read a stream, pipe it into `flowq ingest -`)"
        case .truncated(let bytes):
            return "gzip stream ends early after \(bytes.formatted()) compressed bytes"
        case .corrupt(let offset, let reason):
            return "corrupt gzip data near compressed byte \(offset.formatted()): \(reason)"
        case .trailingGarbage(let offset):
            return "unexpected bytes after the last gzip member at compressed byte \(offset.formatted())"
        case .expansionLimit(let ratio):
            return "decompresses to more than \(ratio)x its compressed size; refused as a possible gzip bomb"
        }
    }
}
