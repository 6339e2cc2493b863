import FlowQuery
import FlowSQLite
import FlowStore
import Foundation

/// A report that has run: its definition's text, the window, and each query's rows.
public struct ReportResult: Sendable {
    /// The report's name (`top-talkers`).
    public var name: String
    /// The heading.
    public var title: String
    /// What the report shows.
    public var summary: String
    /// The time covered.
    public var window: ReportWindow
    /// The parameter values used (name, value as shown), in definition order.
    public var parameters: [(name: String, value: String)]
    /// When it ran.
    public var generated: Date
    /// One section per query, in order.
    public var sections: [ReportSection]

    /// A result; the renderer tests build these by hand.
    public init(name: String, title: String, summary: String, window: ReportWindow,
                parameters: [(name: String, value: String)] = [], generated: Date = Date(), sections: [ReportSection]) {
        self.name = name
        self.title = title
        self.summary = summary
        self.window = window
        self.parameters = parameters
        self.generated = generated
        self.sections = sections
    }
}

/// One query's answer within a report.
public struct ReportSection: Sendable {
    /// The query with its placeholders filled in.
    public var query: ReportQuery
    /// The result columns.
    public var columns: [ResultColumn]
    /// The rows, as the executor returned them (addresses and times already as text).
    public var rows: [[SQLiteValue]]
    /// Sentences shown under the heading: how a computed section counted, what it could not see.
    public var notes: [String]

    /// A section.
    public init(query: ReportQuery, columns: [ResultColumn], rows: [[SQLiteValue]], notes: [String] = []) {
        self.query = query
        self.columns = columns
        self.rows = rows
        self.notes = notes
    }

    /// The section's heading.
    public var title: String { query.name }
}

/// Runs a report's queries against a store.
///
/// Every query is planned before any runs, so a mistake in the last query is reported before
/// the store is read; then they run one after another, each over its partitions in parallel.
public struct ReportRunner: Sendable {
    /// The store the queries read.
    public let store: FlowStore

    /// A runner over `store`.
    public init(store: FlowStore) {
        self.store = store
    }

    /// Fills in and runs `report` over `window`, with `parameters` overriding its defaults.
    public func run(_ report: ReportDefinition, window: ReportWindow, parameters: [String: String] = [:],
                    options: ExecutionOptions = ExecutionOptions(), now: Date = Date()) throws(ReportError) -> ReportResult {
        let queries = try report.resolvedQueries(window: window, parameters: parameters)
        if let computation = report.computation {
            return try compute(report, computation.report, window: window, parameters: parameters, options: options, now: now)
        }
        let engine = QueryEngine(store: store)
        var plans: [QueryPlan] = []
        for query in queries {
            do {
                plans.append(try engine.plan(query.sql, now: now))
            } catch let error as QueryError {
                throw failure(error, report: report, query: query)
            } catch {
                throw ReportError(.execution, "cannot read the store for \(report.origin): \(error.localizedDescription)")
            }
        }
        let executor = QueryExecutor(store: store)
        var sections: [ReportSection] = []
        for (query, plan) in zip(queries, plans) {
            let rows: [[SQLiteValue]]
            do {
                rows = try executor.collect(plan, options: options)
            } catch let error as QueryError {
                throw failure(error, report: report, query: query)
            } catch {
                throw ReportError(.execution, "\(report.origin): \(query.keyPath) ('\(query.name)') failed: \(error.localizedDescription)")
            }
            sections.append(ReportSection(query: query, columns: plan.columns, rows: rows))
            try checkColumns(of: sections[sections.count - 1], report: report)
        }
        let values = try displayedParameters(report, given: parameters)
        return ReportResult(name: report.name, title: report.title, summary: report.summary, window: window,
                            parameters: values, generated: now, sections: sections)
    }

    /// The plan of each query (placeholders filled in), without running any: for `--explain`-style checks and tests.
    public func plans(_ report: ReportDefinition, window: ReportWindow, parameters: [String: String] = [:],
                      now: Date = Date()) throws(ReportError) -> [(query: ReportQuery, plan: QueryPlan)] {
        let queries = try report.resolvedQueries(window: window, parameters: parameters)
        let engine = QueryEngine(store: store)
        var result: [(query: ReportQuery, plan: QueryPlan)] = []
        for query in queries {
            do {
                result.append((query, try engine.plan(query.sql, now: now)))
            } catch let error as QueryError {
                throw failure(error, report: report, query: query)
            } catch {
                throw ReportError(.execution, "cannot read the store for \(report.origin): \(error.localizedDescription)")
            }
        }
        return result
    }

    /// Runs a computed report: its parameters checked as a query report's are, then its sections.
    private func compute(_ report: ReportDefinition, _ computation: any ComputedReport, window: ReportWindow, parameters: [String: String],
                         options: ExecutionOptions, now: Date) throws(ReportError) -> ReportResult {
        let values = try displayedParameters(report, given: parameters)
        let context = ComputedReportContext(store: store, window: window, parameters: Dictionary(values, uniquingKeysWith: { _, last in last }),
                                            options: options, now: now, name: report.name, origin: report.origin)
        let sections = try computation.sections(in: context)
        return ReportResult(name: report.name, title: report.title, summary: report.summary, window: window,
                            parameters: values, generated: now, sections: sections)
    }

    private func failure(_ error: QueryError, report: ReportDefinition, query: ReportQuery) -> ReportError {
        let kind: ReportError.Kind = error.kind == .execution || error.kind == .interrupted ? .execution : .invalidQuery
        let what = kind == .execution ? "failed" : "cannot run"
        return ReportError(kind, "\(report.origin): \(query.keyPath).sql ('\(query.name)') \(what): \(error.errorDescription ?? error.message)",
                           queryError: error, sql: query.sql)
    }

    /// Chart columns named by the definition must exist in the answer.
    private func checkColumns(of section: ReportSection, report: ReportDefinition) throws(ReportError) {
        let names = Set(section.columns.map(\.name))
        for (key, wanted) in [("label", section.query.labelColumns), ("value", section.query.valueColumns)] {
            for column in wanted where !names.contains(column) {
                throw ReportError(.definition, "\(report.origin): \(section.query.keyPath).\(key): the query has no column '\(column)' (its columns: \(section.columns.map(\.name).joined(separator: ", ")))")
            }
        }
    }

    private func displayedParameters(_ report: ReportDefinition, given: [String: String]) throws(ReportError) -> [(name: String, value: String)] {
        var names = report.parameters.map(\.name)
        names += given.keys.sorted().filter { !names.contains($0) }
        var shown: [(name: String, value: String)] = []
        for name in names {
            guard let text = given[name] ?? report.parameters.first(where: { $0.name == name })?.defaultValue else { continue }
            shown.append((name, try ReportValue(name: name, text: text, origin: "--param \(name)", kind: .usage).text))
        }
        return shown
    }
}
