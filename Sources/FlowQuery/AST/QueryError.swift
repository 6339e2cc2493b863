import Foundation

/// An error in a query that a person can act on: what is wrong, where, and what to do instead.
///
/// Every stage (lexer, parser, planner, executor) reports through this one type, so the command
/// line can always print the query line with a caret under the spot.
public struct QueryError: Error, LocalizedError, Sendable, Equatable {
    /// What kind of mistake this is; tests match on it.
    public enum Kind: String, Sendable {
        /// The text does not follow the grammar.
        case syntax
        /// Valid SQL that flowq does not support (window functions, joins, ...).
        case unsupported
        /// A statement that is not a read-only SELECT (DDL, DML, PRAGMA, ATTACH, several statements).
        case refused
        /// A column, table or function that does not exist.
        case unknownName
        /// An operator or function applied to values of the wrong type.
        case type
        /// The query ran and failed (SQLite error, timeout).
        case execution
        /// The user stopped the query (Ctrl-C).
        case interrupted
    }

    /// What kind of mistake this is.
    public var kind: Kind
    /// One sentence saying what is wrong, without the location.
    public var message: String
    /// Where in the query, when known.
    public var location: SourceLocation?
    /// A suggestion such as `did you mean 'dstport'?`, when there is one.
    public var hint: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.hint = hint
    }

    /// `unknown column 'dst_port' at 1:34 (did you mean 'dstport'?)`.
    public var errorDescription: String? {
        var text = message
        if let location { text += " at \(location)" }
        if let hint { text += " (\(hint))" }
        return text
    }

    /// The message followed by the offending query line and a caret under the spot.
    public func rendered(query: String) -> String {
        var text = "error: " + (errorDescription ?? message)
        guard let location else { return text }
        let lines = query.split(separator: "\n", omittingEmptySubsequences: false)
        guard location.line >= 1, location.line <= lines.count else { return text }
        var line = Array(String(lines[location.line - 1]).replacingOccurrences(of: "\t", with: " "))
        var column = max(0, location.column - 1)
        // A long line (a generated query) is shown as a window around the spot.
        let window = 100
        if line.count > window + 20 {
            let start = max(0, min(column - window / 2, line.count - window))
            let end = min(line.count, start + window)
            line = (start > 0 ? ["…"] : []) + Array(line[start..<end]) + (end < line.count ? ["…"] : [])
            column = column - start + (start > 0 ? 1 : 0)
        }
        text += "\n  " + String(line)
        text += "\n  " + String(repeating: " ", count: column) + "^"
        return text
    }
}
