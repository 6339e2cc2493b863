/// A place in a file for messages: 1-based line and column.
///
/// Columns count Unicode scalars, not bytes, so a tag value in Japanese before the error does not
/// push the column past where an editor shows it. A tab counts as one column; only `\n` ends a
/// line (a `\r\n` file counts the same lines as its `\n` twin).
struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line.
    var line: Int
    /// 1-based column, in Unicode scalars.
    var column: Int

    /// The line and column of byte `offset` in `bytes` (an offset at the end is the place just
    /// after the last byte, where "unexpected end of file" points).
    init(offset: Int, in bytes: UnsafeBufferPointer<UInt8>) {
        var line = 1
        var column = 1
        for index in 0..<min(offset, bytes.count) {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // UTF-8 continuation bytes (10xxxxxx) belong to the scalar before them.
                column += 1
            }
        }
        self.line = line
        self.column = column
    }

    /// Creates a position from its parts.
    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `12:5`.
    var description: String { "\(line):\(column)" }
}
