import FlowInventory
import FlowStore
import Foundation

/// The query side in one call: read the catalog, plan, run, write the answer.
public struct QueryEngine: Sendable {
    /// The store queried.
    public let store: FlowStore

    /// The store's inventory (address ranges, owners, tables), read when a query first needs it.
    public let inventory: InventorySource

    /// An engine over `store`.
    public init(store: FlowStore) {
        self.store = store
        inventory = InventorySource(load: {
            guard let latest = try InventoryStore.open(store, forWriting: false)?.latestIPRanges() else { return nil }
            return try AWSIPRanges(rows: latest.rows)
        }, owners: {
            try InventoryStore.open(store, forWriting: false)?.addressOwners() ?? AddressOwners([])
        }, tables: { table, columns in
            try InventoryStore.open(store, forWriting: false)?.currentRows(of: table, columns: columns) ?? []
        })
    }

    /// Plans `sql` against the store as it is now.
    public func plan(_ sql: String, now: Date = Date()) throws -> QueryPlan {
        let snapshot = try store.snapshot()
        return try QueryPlanner(snapshot: snapshot, now: now, inventory: inventory).plan(sql)
    }

    /// Runs `sql` and writes the answer in `format` to `output`; returns the row count. An
    /// error thrown by `output` (it cannot write) stops the query and is rethrown.
    @discardableResult
    public func run(
        _ sql: String, format: OutputFormat, options: ExecutionOptions = ExecutionOptions(),
        style: ResultWriter.TableStyle = ResultWriter.TableStyle(), output: @escaping (String) throws -> Void
    ) throws -> Int {
        let plan = try plan(sql)
        let writer = try ResultWriter(format: format, columns: plan.columns, style: style, write: output)
        try QueryExecutor(store: store).execute(plan, options: options) { try writer.add($0) }
        try writer.finish()
        return writer.count
    }
}
