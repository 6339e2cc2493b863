import Foundation

/// Splits a byte stream into lines without copying them: each line is a slice of one buffer.
///
/// Accepts `\n` and `\r\n` endings and a last line without a newline (as NIO's split-lines
/// decoder does). A line longer than `maximumLineLength` is not held in memory: it is skipped
/// and reported, and reading goes on at the next line.
public final class LineReader {
    /// What the reader hands to its caller for each line.
    public enum Event {
        /// A line's bytes (without the line ending), valid only during the callback.
        case line(UnsafeRawBufferPointer, number: Int)
        /// A line that was longer than the limit and was skipped.
        case overlongLine(number: Int)
    }

    /// The default cap on a line's length; real records are under 1 KB.
    public static let defaultMaximumLineLength = 64 * 1024

    private let source: any ByteSource
    private let maximumLineLength: Int
    private let capacity: Int
    private let base: UnsafeMutableRawPointer

    /// Reads lines from `source`, holding at most `bufferSize` bytes at once.
    public init(source: any ByteSource, bufferSize: Int = 1 << 20, maximumLineLength: Int = LineReader.defaultMaximumLineLength) {
        precondition(bufferSize > maximumLineLength, "the buffer must hold a full line")
        self.source = source
        self.maximumLineLength = maximumLineLength
        self.capacity = bufferSize
        self.base = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        base.deallocate()
    }

    /// Calls `body` for each line in order until the input ends.
    public func forEach(_ body: (Event) throws -> Void) throws {
        var start = 0          // first byte of the current (unfinished) line
        var end = 0            // end of valid data
        var lineNumber = 0
        var discarding = false // inside an overlong line, dropping bytes until its newline
        while true {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: capacity - end))
            if count == 0 { break }
            var scan = end
            end += count
            while scan < end {
                guard let newline = memchr(base + scan, 0x0A, end - scan) else { break }
                let position = base.distance(to: newline)
                lineNumber += 1
                if discarding {
                    discarding = false
                    try body(.overlongLine(number: lineNumber))
                } else if position - start > maximumLineLength {
                    try body(.overlongLine(number: lineNumber))
                } else {
                    try body(.line(Self.trimmed(base + start, position - start), number: lineNumber))
                }
                start = position + 1
                scan = start
            }
            if end - start > maximumLineLength {
                // The unfinished line is already too long: drop what we have and remember it.
                discarding = true
                start = end
            }
            if start > 0 {
                let remaining = end - start
                if remaining > 0 { base.copyMemory(from: base + start, byteCount: remaining) }
                end = remaining
                start = 0
            }
        }
        if discarding {
            lineNumber += 1
            try body(.overlongLine(number: lineNumber))
        } else if end > start {
            lineNumber += 1
            try body(.line(Self.trimmed(base + start, end - start), number: lineNumber))
        }
    }

    /// Drops a trailing `\r`.
    private static func trimmed(_ start: UnsafeMutableRawPointer, _ length: Int) -> UnsafeRawBufferPointer {
        var length = length
        if length > 0, start.load(fromByteOffset: length - 1, as: UInt8.self) == 0x0D { length -= 1 }
        return UnsafeRawBufferPointer(start: start, count: length)
    }
}

@available(*, unavailable)
extension LineReader: Sendable {}
