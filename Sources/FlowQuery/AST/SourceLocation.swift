/// A place in the query text, for error messages: 1-based line and column, 0-based UTF-8 offset.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in characters of the line.
    public var column: Int
    /// 0-based offset in UTF-8 bytes from the start of the query.
    public var offset: Int

    /// Creates a location.
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// The start of the text.
    public static let start = SourceLocation(line: 1, column: 1, offset: 0)

    /// `line:column`, as compilers print it.
    public var description: String { "\(line):\(column)" }
}
