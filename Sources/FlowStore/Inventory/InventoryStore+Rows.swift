import FlowInventory
import FlowSQLite

/// A row of an inventory table with the snapshot it came from.
public struct SnapshotRow<Row: Sendable>: Sendable {
    /// The snapshot's id.
    public var snapshotID: Int64
    /// When the snapshot was true, in Unix seconds.
    public var asOf: Int64
    /// The row.
    public var row: Row

    /// A row of snapshot `snapshotID`, true at `asOf`.
    public init(snapshotID: Int64, asOf: Int64, row: Row) {
        self.snapshotID = snapshotID
        self.asOf = asOf
        self.row = row
    }
}

extension InventoryStore {
    /// Every row of `Row`'s table, of every snapshot, with the snapshot's id and time; empty when
    /// no snapshot of that kind was ever added. Oldest snapshot first, rows in insertion order.
    public func rows<Row: InventoryRowDecodable>(_ type: Row.Type) throws -> [SnapshotRow<Row>] {
        guard try tableExists(Row.tableName) else { return [] }
        let names = Row.columns.map { "t.\"\($0.name)\"" }.joined(separator: ", ")
        let stored = try database.rows("""
            SELECT t.snapshot_id, s.as_of, \(names) FROM "\(Row.tableName)" t JOIN snapshots s ON s.id = t.snapshot_id
            ORDER BY s.as_of, s.id, t.rowid
            """)
        return stored.map { values in
            var byName: [String: InventoryValue] = [:]
            for (column, value) in zip(Row.columns, values.dropFirst(2)) {
                byName[column.name] = Self.inventoryValue(value)
            }
            return SnapshotRow(snapshotID: values[0].integerValue ?? 0, asOf: values[1].integerValue ?? 0,
                               row: Row(stored: StoredInventoryRow(byName)))
        }
    }

    /// The kinds of which at least one snapshot is stored.
    public func kinds() throws -> Set<InventoryKind> {
        Set(try snapshots().map(\.kind))
    }

    private static func inventoryValue(_ value: SQLiteValue) -> InventoryValue {
        switch value {
        case .integer(let number): return .integer(number)
        case .text(let text): return .text(text)
        case .real(let number): return .integer(Int64(number))
        default: return .null
        }
    }
}
