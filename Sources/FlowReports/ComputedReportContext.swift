import FlowInventory
import FlowQuery
import FlowStore
import Foundation

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
