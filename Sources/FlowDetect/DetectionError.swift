import FlowQuery
import FlowReports
import Foundation

/// A detection that cannot be defined, filled in or run, with what, where and why.
public struct DetectionError: Error, LocalizedError, Sendable {
    /// Which kind of mistake this is; the command line picks its exit status from it.
    public enum Kind: Sendable, Equatable {
        /// Bad command-line input: an unknown detection, a bad window, a bad `--param`.
        case usage
        /// A rule file or definition that cannot be used (bad YAML, a bad key, a bad default).
        case definition
        /// A query of the detection that cannot run (syntax, names, types).
        case invalidQuery
        /// A query that failed while running, or a store or state file that cannot be used.
        case execution
        /// Stopped by Ctrl-C or a timeout.
        case interrupted
    }

    /// Which kind of mistake this is.
    public var kind: Kind
    /// One sentence (or two) saying what failed, where, and why.
    public var message: String
    /// The query error behind an invalid or failed query.
    public var queryError: QueryError?
    /// The SQL (placeholders filled in) that the query error points into.
    public var sql: String?

    /// An error.
    public init(_ kind: Kind, _ message: String, queryError: QueryError? = nil, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.queryError = queryError
        self.sql = sql
    }

    /// The same mistake as a report reader or template filler saw it.
    init(_ error: ReportError) {
        let kind: Kind
        switch error.kind {
        case .usage: kind = .usage
        case .definition, .missingInventory: kind = .definition
        case .invalidQuery: kind = .invalidQuery
        case .execution: kind = .execution
        }
        self.init(kind, error.message, queryError: error.queryError, sql: error.sql)
    }

    /// The message.
    public var errorDescription: String? { message }

    /// `error: ...`, followed by the query line with a caret under the spot when there is one.
    public func rendered() -> String {
        var text = "error: " + message
        if let queryError, let sql {
            let detail = queryError.rendered(query: sql).split(separator: "\n", omittingEmptySubsequences: false)
            if detail.count > 1 { text += "\n" + detail.dropFirst().joined(separator: "\n") }
        }
        return text
    }
}
