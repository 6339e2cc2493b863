/// Text that is not JSON: what was wrong and the byte offset where the parser saw it.
///
/// The parser only knows offsets; `SourcePosition` turns one into a line and column when the
/// error is reported, so the happy path never counts lines.
struct JSONSyntaxError: Error, Sendable, Equatable {
    /// 0-based offset in the file's bytes.
    var offset: Int
    /// One phrase, without the location: `expected ',' or '}' after an object member`.
    var message: String
}
