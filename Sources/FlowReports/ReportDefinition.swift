import FlowModel
import FlowQuery
import Foundation

/// A report: a title and one or more flowq queries, written as templates over `{window}` and
/// the report's parameters.
///
/// Built-in reports come from ``BuiltInReports``; custom ones from a YAML file through
/// ``ReportFile``. Either way the SQL is filled in by ``resolvedQueries(window:parameters:)``,
/// which checks every parameter value before it reaches a query.
public struct ReportDefinition: Sendable, Equatable {
    /// The name a person runs it by (`top-talkers`, or a file's name without extension).
    public var name: String
    /// The heading of the report.
    public var title: String
    /// One or two sentences saying what the report shows.
    public var summary: String
    /// Values the queries may use as `{name}`.
    public var parameters: [ReportParameter]
    /// The queries, in the order they are shown.
    public var queries: [ReportQuery]
    /// The output format the report asks for when the command line names none.
    public var preferredFormat: ReportFormat?
    /// Where the report was defined, for error messages (`built-in report 'pairs'`, a file path).
    public var origin: String
    /// For a report computed in Swift (``ComputedReport``) rather than written as queries, its
    /// computation; `queries` is then empty.
    public var computation: ReportComputation?

    /// A report definition.
    public init(name: String, title: String, summary: String, parameters: [ReportParameter] = [],
                queries: [ReportQuery], preferredFormat: ReportFormat? = nil, origin: String? = nil) {
        self.name = name
        self.title = title
        self.summary = summary
        self.parameters = parameters
        self.queries = queries.enumerated().map { index, query in
            var query = query
            if query.keyPath.isEmpty { query.keyPath = "queries[\(index)]" }
            return query
        }
        self.preferredFormat = preferredFormat
        self.origin = origin ?? "built-in report '\(name)'"
    }

    /// A report computed in Swift by `computation`.
    public init(name: String, title: String, summary: String, parameters: [ReportParameter] = [],
                computation: any ComputedReport, preferredFormat: ReportFormat? = nil) {
        self.init(name: name, title: title, summary: summary, parameters: parameters, queries: [], preferredFormat: preferredFormat)
        self.computation = ReportComputation(computation)
    }

    /// The section headings, in order: the queries' names, or the computation's sections.
    public var sectionNames: [String] {
        computation?.report.sectionNames ?? queries.map(\.name)
    }
}

/// A value a report's queries use as `{name}`.
public struct ReportParameter: Sendable, Equatable {
    /// What a parameter's values must look like.
    public enum Kind: String, Sendable {
        /// An IPv4 or IPv6 address (parameters named `address`, `...address` or `...addr`).
        case address
        /// Letters, digits and `. _ : / -` only.
        case word
    }

    /// The name used as `{name}` and in `--param name=value`.
    public var name: String
    /// What the value means, for `flowq report --list`.
    public var summary: String
    /// The value used when the command line gives none; nil makes the parameter required,
    /// unless it is optional.
    public var defaultValue: String?
    /// True for a parameter that may be left out without a default (a computed report's
    /// `price_table`): it then has no value.
    public var isOptional: Bool

    /// A parameter.
    public init(name: String, summary: String = "", defaultValue: String? = nil, optional: Bool = false) {
        self.name = name
        self.summary = summary
        self.defaultValue = defaultValue
        self.isOptional = optional
    }

    /// What the values must look like, decided by the name.
    public var kind: Kind {
        let lowered = name.lowercased()
        return lowered.hasSuffix("address") || lowered.hasSuffix("addr") ? .address : .word
    }
}

/// How a query's rows are drawn in HTML.
public enum ReportChart: String, Sendable, CaseIterable {
    /// Horizontal bars: one per row, label from text columns, length from a numeric column.
    case bar
    /// A time series: the first column along the bottom, each numeric column a line.
    case line
    /// A table only.
    case none
}

/// One query of a report.
public struct ReportQuery: Sendable, Equatable {
    /// The section heading (may use `{name}` placeholders).
    public var name: String
    /// flowq SQL over `vpc_flow_logs`, with `{window}` and `{name}` placeholders.
    public var sql: String
    /// The chart drawn above the table in HTML.
    public var chart: ReportChart
    /// Columns joined to label a bar; empty: the first text column.
    public var labelColumns: [String]
    /// Columns drawn as bars or lines; empty: the first numeric column (bar) or every numeric column
    /// (line), ports and ids left out when there are others.
    public var valueColumns: [String]
    /// Where the query was defined (`queries[2]`), for error messages.
    public var keyPath: String

    /// A query.
    public init(name: String, sql: String, chart: ReportChart = .none, label: [String] = [], value: [String] = [], keyPath: String = "") {
        self.name = name
        self.sql = sql
        self.chart = chart
        self.labelColumns = label
        self.valueColumns = value
        self.keyPath = keyPath
    }
}

/// A report that cannot be defined, filled in, run or written, with what, where and why.
public struct ReportError: Error, LocalizedError, Sendable {
    /// Which kind of mistake this is; the command line picks its exit status from it.
    public enum Kind: Sendable, Equatable {
        /// Bad command-line input: an unknown report, a bad window, a bad `--param`.
        case usage
        /// A report file or definition that cannot be used (bad YAML, a bad key, a bad default).
        case definition
        /// A query of the report that cannot run (syntax, names, types).
        case invalidQuery
        /// A query that failed while running, or a store that cannot be read.
        case execution
        /// The store's inventory lacks what the report needs (`flowq inventory add` it).
        case missingInventory
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

extension ReportDefinition {
    /// The queries with `{window}` and every `{parameter}` filled in.
    ///
    /// `parameters` (from the command line) override the definition's defaults. Each value is
    /// checked for its kind and written as a SQL string literal, so no unchecked text reaches a
    /// query. A placeholder inside quotes is refused: it already stands for a quoted literal.
    public func resolvedQueries(window: ReportWindow, parameters given: [String: String]) throws(ReportError) -> [ReportQuery] {
        let declared = Set(parameters.map(\.name))
        let used = Set(queries.flatMap { ReportTemplate.placeholders(in: $0.sql) + ReportTemplate.placeholders(in: $0.name) })
        for name in given.keys.sorted() where !declared.contains(name) && !used.contains(name) {
            let known = parameters.isEmpty ? "it takes no parameters" : "its parameters: \(parameters.map(\.name).joined(separator: ", "))"
            throw ReportError(.usage, "--param \(name): \(origin) has no parameter '\(name)' (\(known))")
        }
        var values: [String: ReportValue] = [:]
        for parameter in parameters {
            if let text = given[parameter.name] {
                values[parameter.name] = try ReportValue(name: parameter.name, text: text, origin: "--param \(parameter.name)", kind: .usage)
            } else if let text = parameter.defaultValue {
                values[parameter.name] = try ReportValue(name: parameter.name, text: text,
                                                         origin: "\(origin): parameters.\(parameter.name)", kind: .definition)
            }
        }
        for (name, text) in given where values[name] == nil {
            values[name] = try ReportValue(name: name, text: text, origin: "--param \(name)", kind: .usage)
        }
        let known = Set(["window"]).union(declared).union(given.keys)
        var resolved: [ReportQuery] = []
        for query in queries {
            var filled = query
            filled.sql = try ReportTemplate.fill(query.sql, at: "\(origin): \(query.keyPath).sql", sql: true, known: known) { name throws(ReportError) in
                if name == "window" { return window.condition }
                guard let value = values[name] else { throw missing(name, at: "\(query.keyPath).sql") }
                return value.literal
            }
            filled.name = try ReportTemplate.fill(query.name, at: "\(origin): \(query.keyPath).name", sql: false, known: known) { name throws(ReportError) in
                if name == "window" { return window.summary }
                guard let value = values[name] else { throw missing(name, at: "\(query.keyPath).name") }
                return value.text
            }
            resolved.append(filled)
        }
        return resolved
    }

    private func missing(_ name: String, at keyPath: String) -> ReportError {
        if parameters.contains(where: { $0.name == name }) {
            let example = ReportParameter(name: name).kind == .address ? "10.0.0.1" : "VALUE"
            return ReportError(.usage, "\(origin) needs a value for '\(name)': pass --param \(name)=\(example)")
        }
        let known = (["window"] + parameters.map(\.name)).map { "{\($0)}" }.joined(separator: ", ")
        return ReportError(.definition, "\(origin): \(keyPath): {\(name)} is not a placeholder of this report (it has \(known)); declare it under parameters or pass --param \(name)=VALUE")
    }
}

/// A checked parameter value and its SQL literal (also used by the detections' word parameters).
package struct ReportValue {
    /// The value as a person reads it (an address in canonical form).
    package let text: String
    /// The value as a SQL string literal.
    package let literal: String

    /// Characters a non-address value may hold.
    package static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-")

    /// Checks `raw` for the kind of value its parameter's name asks for.
    package init(name: String, text raw: String, origin: String, kind: ReportError.Kind) throws(ReportError) {
        let value = raw.trimmingCharacters(in: .whitespaces)
        switch ReportParameter(name: name).kind {
        case .address:
            guard let address = IPAddress(value) else {
                throw ReportError(kind, "\(origin): '\(raw)' is not an IP address (write one like 10.0.0.1 or 2001:db8::1)")
            }
            text = address.text
        case .word:
            if value.isEmpty { throw ReportError(kind, "\(origin): the value is empty") }
            if let bad = value.first(where: { !Self.allowed.contains($0) }) {
                throw ReportError(kind, "\(origin): '\(raw)' holds '\(bad)'; a parameter value may hold only letters, digits and . _ : / -")
            }
            text = value
        }
        literal = "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// Finds and fills `{name}` placeholders.
///
/// In SQL, text inside quotes and comments is left alone, and a known placeholder found inside
/// quotes is an error: it stands for a whole literal, quotes included. Detections fill their
/// queries with it too.
package enum ReportTemplate {
    /// The placeholder names `text` uses outside quotes and comments, in order.
    package static func placeholders(in text: String) -> [String] {
        var names: [String] = []
        scan(text, sql: true) { piece in
            if case .placeholder(let name, false) = piece { names.append(name) }
        }
        return names
    }

    /// `text` with each placeholder replaced by `value(name)`.
    package static func fill(_ text: String, at place: String, sql: Bool, known: Set<String>,
                     _ value: (String) throws(ReportError) -> String) throws(ReportError) -> String {
        var pieces: [Piece] = []
        scan(text, sql: sql) { pieces.append($0) }
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let t):
                out += t
            case .placeholder(let name, let quoted):
                if quoted {
                    guard known.contains(name) else { out += "{\(name)}"; continue }
                    throw ReportError(.definition, "\(place): {\(name)} is inside quotes; write it bare (srcaddr = {\(name)}, not '{\(name)}'): it becomes a quoted SQL literal")
                }
                out += try value(name)
            }
        }
        return out
    }

    enum Piece {
        case text(String)
        case placeholder(String, quoted: Bool)
    }

    private static func scan(_ text: String, sql: Bool, _ emit: (Piece) -> Void) {
        let chars = Array(text)
        var i = 0
        var quote: Character? = nil
        var lineComment = false, blockComment = false
        var pending = ""
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if sql && lineComment {
                if c == "\n" { lineComment = false }
            } else if sql && blockComment {
                if c == "*" && next == "/" { blockComment = false; pending.append(c); i += 1; pending.append("/"); i += 1; continue }
            } else if c == "{", let close = chars[(i + 1)...].firstIndex(of: "}"), isIdentifier(chars[(i + 1)..<close]) {
                if !pending.isEmpty { emit(.text(pending)); pending = "" }
                emit(.placeholder(String(chars[(i + 1)..<close]), quoted: quote != nil))
                i = close + 1
                continue
            } else if sql, let open = quote {
                if c == open { quote = nil }
            } else if sql {
                if c == "'" || c == "\"" { quote = c }
                if c == "-" && next == "-" { lineComment = true }
                if c == "/" && next == "*" { blockComment = true; pending.append(c); i += 1; pending.append("*"); i += 1; continue }
            }
            pending.append(c)
            i += 1
        }
        if !pending.isEmpty { emit(.text(pending)) }
    }

    private static func isIdentifier(_ chars: ArraySlice<Character>) -> Bool {
        guard let first = chars.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return chars.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
