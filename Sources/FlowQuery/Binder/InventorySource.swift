import FlowInventory
import Synchronization

/// The store's inventory as queries use it: AWS's address ranges for `aws_service()` and
/// `aws_region()`, who owned each address for `addr_owner()`, and the tables a query joins;
/// each loaded the first time a query needs it, then kept.
public final class InventorySource: Sendable {
    private let load: @Sendable () throws -> AWSIPRanges?
    private let loaded = Mutex<Result<AWSIPRanges?, any Error>?>(nil)
    private let loadOwners: @Sendable () throws -> AddressOwners
    private let loadedOwners = Mutex<Result<AddressOwners, any Error>?>(nil)
    private let loadTable: @Sendable (InventoryTableSchema, [String]) throws -> [[InventoryValue]]
    private let loadedTables = Mutex<[String: Result<[[InventoryValue]], any Error>]>([:])
    /// False for a source that only lets the inventory's functions bind (an emitter checking a
    /// query for another engine): no data is required of it.
    let requiresData: Bool

    /// A source that calls `load` once, when first asked; `load` returns nil when the store
    /// has no `ip-ranges.json` snapshot. `owners` likewise, for `addr_owner()`; `tables` gives
    /// a table's rows as queries read them (the values of the named columns, in order).
    public init(load: @escaping @Sendable () throws -> AWSIPRanges?,
                owners: @escaping @Sendable () throws -> AddressOwners = { AddressOwners([]) },
                tables: @escaping @Sendable (InventoryTableSchema, [String]) throws -> [[InventoryValue]] = { _, _ in [] }) {
        self.load = load
        self.loadOwners = owners
        self.loadTable = tables
        self.requiresData = true
    }

    /// A source with no data that still lets the inventory's functions bind, for checking a
    /// query that another engine will run.
    public static func bindingOnly() -> InventorySource {
        InventorySource(bindingOnly: ())
    }

    private init(bindingOnly: Void) {
        load = { try AWSIPRanges(rows: []) }
        loadOwners = { AddressOwners([]) }
        loadTable = { _, _ in [] }
        requiresData = false
    }

    /// The values of `columns` of `table`'s rows, read once per source.
    func rows(of table: InventoryTableSchema, columns: [String]) throws -> [[InventoryValue]] {
        let key = ([table.name] + columns).joined(separator: ",")
        return try loadedTables.withLock { loaded in
            if let known = loaded[key] { return try known.get() }
            let result = Result { try loadTable(table, columns) }
            loaded[key] = result
            return try result.get()
        }
    }

    /// Who owned each address, from the `describe-network-interfaces` snapshots.
    func owners() throws -> AddressOwners {
        try loadedOwners.withLock { state in
            if let state { return try state.get() }
            let result = Result { try loadOwners() }
            state = result
            return try result.get()
        }
    }

    /// The ranges, nil when there are none.
    func ranges() throws -> AWSIPRanges? {
        try loaded.withLock { state in
            if let state { return try state.get() }
            let result = Result { try load() }
            state = result
            return try result.get()
        }
    }
}
