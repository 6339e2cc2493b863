import FlowInventory
import FlowQuery
import FlowSQLite
import FlowStore
import Foundation

/// A report computed in Swift rather than written as SQL: it runs aggregate flowq queries (the
/// vectorized engine does the heavy part, so the answers are small) and combines their rows
/// with the store's inventory, where the combining is not SQL-shaped (no `JOIN` yet, security
/// group matching, prefix arithmetic, prices).
///
/// A ``ReportDefinition`` with a ``ReportComputation`` is run by ``ReportRunner`` like any other:
/// the same window, parameters, formats and errors.
public protocol ComputedReport: Sendable {
    /// The section headings, in order, for `flowq report --list`.
    var sectionNames: [String] { get }
    /// Runs the report's queries over `context` and returns its sections.
    func sections(in context: ComputedReportContext) throws(ReportError) -> [ReportSection]
}

/// A definition's computed body; equal when it is the same kind of computation.
public struct ReportComputation: Sendable, Equatable {
    /// The computation.
    public let report: any ComputedReport

    /// Wraps `report`.
    public init(_ report: any ComputedReport) {
        self.report = report
    }

    public static func == (lhs: ReportComputation, rhs: ReportComputation) -> Bool {
        ObjectIdentifier(type(of: lhs.report)) == ObjectIdentifier(type(of: rhs.report))
    }
}

/// What a computed report runs with: the store, the window, its parameters (checked, defaults
/// filled in), and ways to run an aggregate query and to read the inventory.
public struct ComputedReportContext: Sendable {
    /// The store.
    public let store: FlowStore
    /// The time covered.
    public let window: ReportWindow
    /// Each declared parameter's value (given, else the default), as checked.
    public let parameters: [String: String]
    /// Limits for each query.
    public let options: ExecutionOptions
    /// The time `--since` counts back from.
    public let now: Date
    /// The report's name.
    public let name: String
    /// Where the report was defined, for messages.
    public let origin: String

    /// A context.
    public init(store: FlowStore, window: ReportWindow, parameters: [String: String], options: ExecutionOptions = ExecutionOptions(),
                now: Date = Date(), name: String, origin: String) {
        self.store = store
        self.window = window
        self.parameters = parameters
        self.options = options
        self.now = now
        self.name = name
        self.origin = origin
    }

    /// Runs `sql` (with `{window}` already in it as ``ReportWindow/condition``) and returns its
    /// rows; `purpose` names the query in messages.
    func aggregate(_ sql: String, purpose: String) throws(ReportError) -> AggregateRows {
        let plan: QueryPlan
        do {
            plan = try QueryEngine(store: store).plan(sql, now: now)
        } catch let error as QueryError {
            throw ReportError(.invalidQuery, "\(origin): the \(purpose) query cannot run: \(error.errorDescription ?? error.message)",
                              queryError: error, sql: sql)
        } catch {
            throw ReportError(.execution, "cannot read the store for \(origin): \(error.localizedDescription)")
        }
        do {
            return AggregateRows(columns: plan.columns.map(\.name), rows: try QueryExecutor(store: store).collect(plan, options: options))
        } catch let error as QueryError {
            let kind: ReportError.Kind = error.kind == .execution || error.kind == .interrupted ? .execution : .invalidQuery
            throw ReportError(kind, "\(origin): the \(purpose) query failed: \(error.errorDescription ?? error.message)", queryError: error, sql: sql)
        } catch {
            throw ReportError(.execution, "\(origin): the \(purpose) query failed: \(error.localizedDescription)")
        }
    }

    /// The store's inventory, after checking that it has each of `needed`.
    func inventory(needing needed: [InventoryKind]) throws(ReportError) -> ReportInventory {
        let inventory: ReportInventory
        do {
            inventory = try ReportInventory(store: store)
        } catch {
            throw ReportError(.execution, "\(origin): cannot read the store's inventory: \(error.localizedDescription)")
        }
        try ReportInventory.check(inventory.kinds, has: needed, report: name)
        return inventory
    }

    /// The parameter `name` as a non-negative number.
    func number(_ name: String) throws(ReportError) -> Double {
        let text = parameters[name] ?? ""
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw ReportError(.usage, "--param \(name)=\(text): not a price; write a number of US dollars like 0.045")
        }
        return value
    }

    /// The parameter `name` as a whole number of at least 1.
    func count(_ name: String) throws(ReportError) -> Int {
        let text = parameters[name] ?? ""
        guard let value = Int(text), value >= 1 else {
            throw ReportError(.usage, "--param \(name)=\(text): not a count; write a whole number like 50")
        }
        return value
    }

    /// `IN ('eni-1', 'eni-2')` for a list of identifiers (quotes doubled).
    static func inList(_ values: [String]) -> String {
        "IN (" + values.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" }.joined(separator: ", ") + ")"
    }
}

/// An aggregate query's answer: its rows, read by column name.
struct AggregateRows {
    /// The column names.
    let columns: [String]
    /// The rows, as the executor returned them.
    let rows: [[SQLiteValue]]

    /// Each row, with name-based access.
    var records: [Record] {
        let index = Dictionary(columns.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return rows.map { Record(index: index, values: $0) }
    }

    /// One row.
    struct Record {
        let index: [String: Int]
        let values: [SQLiteValue]

        /// The column's text, nil for NULL.
        func text(_ name: String) -> String? {
            guard let i = index[name] else { return nil }
            switch values[i] {
            case .text(let text): return text
            case .integer(let number): return String(number)
            case .real(let number): return String(number)
            default: return nil
            }
        }

        /// The column's number, 0 for NULL.
        func integer(_ name: String) -> Int64 {
            guard let i = index[name] else { return 0 }
            switch values[i] {
            case .integer(let number): return number
            case .real(let number): return Int64(number)
            case .text(let text): return Int64(text) ?? 0
            default: return 0
            }
        }

        /// The column as an address, nil for NULL or text that is not one.
        func address(_ name: String) -> NetworkAddress? {
            text(name).flatMap(NetworkAddress.init)
        }
    }
}

/// Units and formatting the priced reports share.
enum ReportMoney {
    /// Bytes in the GB that prices are per: 2^30 (a binary gigabyte).
    static let bytesPerGB = 1_073_741_824.0

    /// `bytes` in GB.
    static func gigabytes(_ bytes: Int64) -> Double { Double(bytes) / bytesPerGB }

    /// A dollar amount rounded to the hundredth of a cent, as the columns hold it.
    static func dollars(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

    /// `$0.45`, `$1,234.50`.
    static func text(_ value: Double) -> String { "$" + ReportText.grouped(value) }

    /// GB rounded to the thousandth, as the columns hold it.
    static func rounded(_ gb: Double) -> Double { (gb * 1_000).rounded() / 1_000 }
}
