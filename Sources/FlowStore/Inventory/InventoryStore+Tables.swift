import FlowInventory
import FlowSQLite

extension InventoryStore {
    /// The rows of `table` as queries read it: for each object, the rows of the newest snapshot
    /// (by `as_of`, then by when it was added) that lists it, or only the row that stands for it
    /// in a one-row-per-object table. Each row holds the values of `columns` (names of
    /// `table.queryColumns`, `snapshot_id` and `as_of` included), in that order; nil: all of them.
    public func currentRows(of table: InventoryTableSchema, columns wanted: [String]? = nil) throws -> [[InventoryValue]] {
        let shown = wanted ?? table.queryColumns.map(\.name)
        // Kept up to date by every add and remove; an inventory from before they were kept is
        // worked out from the snapshots.
        let current = Self.currentTableName(table)
        guard try tableExists(current) else { return try computeCurrentRows(of: table, columns: shown) }
        let types = shown.map { name in table.queryColumns.first { $0.name == name }?.type ?? .varchar }
        let list = shown.map { "\"\($0)\"" }.joined(separator: ", ")
        return try database.rows("SELECT \(shown.isEmpty ? "1" : list) FROM \"\(current)\" ORDER BY rowid").map { row in
            zip(row, types).map { Self.inventoryValue($0, type: $1) }
        }
    }

    /// The table holding `table`'s current rows (as `currentRows` reads them).
    static func currentTableName(_ table: InventoryTableSchema) -> String { "current_" + table.name }

    /// Works out again the current rows of every query table a file of `kind` fills, and stores
    /// them whole (inside the caller's transaction), so a query reads them without a sort or a
    /// pass over every snapshot.
    func refreshCurrentTables(of kind: InventoryKind) throws {
        for table in InventoryTableSchema.all where table.kind == kind {
            let columns = table.queryColumns
            let rows = try computeCurrentRows(of: table, columns: columns.map(\.name))
            let name = Self.currentTableName(table)
            let declared = columns.map { "\"\($0.name)\" " + ($0.type == .varchar ? "TEXT" : "INTEGER") }.joined(separator: ", ")
            try database.execute("DROP TABLE IF EXISTS \"\(name)\"; CREATE TABLE \"\(name)\"(\(declared));")
            let marks = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            let insert = try database.prepare("INSERT INTO \"\(name)\" VALUES (\(marks))")
            for row in rows {
                insert.reset()
                try insert.bind(row.map(Self.sqliteValue))
                _ = try insert.step()
            }
        }
    }

    /// `currentRows` worked out from the snapshots.
    func computeCurrentRows(of table: InventoryTableSchema, columns shown: [String]) throws -> [[InventoryValue]] {
        guard try tableExists(table.storedTable) else { return [] }
        let own = Set(table.columns.map(\.name))
        // Read what is shown, plus what picks the rows: the object's id and the representative's columns.
        var read = shown.filter { own.contains($0) }
        for name in [table.entityColumn].compactMap({ $0 }) + (table.representative.map { $0.keys.sorted() } ?? []) where !read.contains(name) {
            read.append(name)
        }
        let types = read.map { name in Self.storedColumnType(name, in: table) }
        let list = read.isEmpty ? "" : ", " + read.map { "t.\"\($0)\"" }.joined(separator: ", ")
        // Rows are read in storage order, without a sort, and ordered by their snapshot
        // (SnapshotOrder: as_of, then when added).
        var order: [Int64: SnapshotOrder] = [:]
        for row in try database.rows("SELECT id, as_of FROM snapshots") {
            let id = row[0].integerValue ?? 0
            order[id] = SnapshotOrder(asOf: row[1].integerValue ?? 0, id: id)
        }
        let rows = try database.rows("SELECT t.snapshot_id\(list) FROM \"\(table.storedTable)\" t")
        let entityIndex = table.entityColumn.flatMap { read.firstIndex(of: $0) }
        func entity(_ row: [SQLiteValue]) -> String { entityIndex.flatMap { row[1 + $0].textValue } ?? "" }
        let none = SnapshotOrder(asOf: .min, id: .min)
        func rankOf(_ row: [SQLiteValue]) -> SnapshotOrder { order[row[0].integerValue ?? 0] ?? none }
        let positions = shown.map { name -> Int in
            if let index = read.firstIndex(of: name) { return 1 + index }
            return name == "snapshot_id" ? 0 : -1
        }
        let representative = table.representative.map { wanted in
            wanted.map { name, value in (index: read.firstIndex(of: name).map { 1 + $0 } ?? -1, value: value) }
        }
        // One pass: each object's rows of its newest snapshot so far (by position in `rows`),
        // and for one-row-per-object tables the row that stands for it.
        struct Chosen {
            var rank: SnapshotOrder
            var rows: [Int]
            var isRepresentative: Bool
        }
        var chosen: [String: Int] = [:]
        chosen.reserveCapacity(rows.count)
        var objects: [Chosen] = []
        for (index, row) in rows.enumerated() {
            let key = entity(row), r = rankOf(row)
            let matches = representative?.allSatisfy { $0.index >= 0 && Self.inventoryValue(row[$0.index], type: types[$0.index - 1]) == $0.value } ?? false
            guard let slot = chosen[key] else {
                chosen[key] = objects.count
                objects.append(Chosen(rank: r, rows: [index], isRepresentative: matches))
                continue
            }
            if r > objects[slot].rank {
                objects[slot] = Chosen(rank: r, rows: [index], isRepresentative: matches)
            } else if r == objects[slot].rank {
                if representative == nil {
                    objects[slot].rows.append(index)
                } else if matches && !objects[slot].isRepresentative {
                    objects[slot].rows = [index]
                    objects[slot].isRepresentative = true
                }
            }
        }
        var result: [[InventoryValue]] = []
        result.reserveCapacity(rows.count)
        for object in objects {
            for index in object.rows {
                let row = rows[index]
                result.append(positions.map { position -> InventoryValue in
                    switch position {
                    case -1: return order[row[0].integerValue ?? 0].map { .integer($0.asOf) } ?? .null
                    case 0: return row[0].integerValue.map { .integer($0) } ?? .null
                    default: return Self.inventoryValue(row[position], type: types[position - 1])
                    }
                })
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
