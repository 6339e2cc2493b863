import FlowInventory
import FlowSQLite

extension InventoryStore {
    /// The rows of `table` as queries read it: for each object, the rows of the newest snapshot
    /// (by `as_of`, then by when it was added) that lists it, or only the row that stands for it
    /// in a one-row-per-object table. Each row's values follow `table.queryColumns` (its own
    /// columns, then `snapshot_id` and `as_of`).
    public func currentRows(of table: InventoryTableSchema) throws -> [[InventoryValue]] {
        guard try tableExists(table.storedTable) else { return [] }
        let chosen = table.columns.map(\.name)
        let extra = (table.representative.map { Array($0.keys) } ?? []).filter { !chosen.contains($0) }.sorted()
        let read = chosen + extra
        let types = read.map { name in Self.storedColumnType(name, in: table) }
        let rows = try database.rows("""
            SELECT s.id, s.as_of, \(read.map { "t.\"\($0)\"" }.joined(separator: ", "))
            FROM "\(table.storedTable)" t JOIN snapshots s ON s.id = t.snapshot_id
            ORDER BY s.as_of, s.id, t.rowid
            """)
        let entityIndex = table.entityColumn.flatMap { read.firstIndex(of: $0) }
        func entity(_ row: [SQLiteValue]) -> String { entityIndex.flatMap { row[2 + $0].textValue } ?? "" }
        // Snapshots come oldest first, so the last one seen for an object is its newest.
        var newest: [String: Int64] = [:]
        for row in rows { newest[entity(row)] = row[0].integerValue ?? 0 }
        var result: [[InventoryValue]] = []
        // One-row-per-object tables keep the object's first row until a representative comes.
        var standIn: [String: (index: Int, isRepresentative: Bool)] = [:]
        for row in rows {
            let snapshot = row[0].integerValue ?? 0
            let key = entity(row)
            guard newest[key] == snapshot else { continue }
            let values = zip(types, row.dropFirst(2)).map { Self.inventoryValue($1, type: $0) }
            var shown = Array(values.prefix(chosen.count))
            shown.append(.integer(snapshot))
            shown.append(row[1].integerValue.map { .integer($0) } ?? .null)
            guard let representative = table.representative else {
                result.append(shown)
                continue
            }
            let matches = representative.allSatisfy { name, value in read.firstIndex(of: name).map { values[$0] == value } ?? false }
            if let found = standIn[key] {
                if matches && !found.isRepresentative {
                    result[found.index] = shown
                    standIn[key] = (found.index, true)
                }
            } else {
                standIn[key] = (result.count, matches)
                result.append(shown)
            }
        }
        return result
    }

    private static func storedColumnType(_ name: String, in table: InventoryTableSchema) -> InventorySQLType {
        if let column = table.columns.first(where: { $0.name == name }) { return column.type }
        if case .boolean? = table.representative?[name] { return .boolean }
        return .varchar
    }

    private static func inventoryValue(_ value: SQLiteValue, type: InventorySQLType) -> InventoryValue {
        switch (value, type) {
        case (.null, _): return .null
        case (_, .boolean): return value.integerValue.map { .boolean($0 != 0) } ?? .null
        case (_, .bigint), (_, .timestamp): return value.integerValue.map { .integer($0) } ?? .null
        case (_, .varchar): return value.textValue.map { .text($0) } ?? .null
        }
    }
}
