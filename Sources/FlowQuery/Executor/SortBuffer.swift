import FlowSQLite
import Foundation

/// Values that order rows as Trino orders them: numbers, dates and timestamps by value, text
/// by its UTF-8 bytes, addresses as their text (the columns are varchar in Athena).
enum SortValues {
    /// The sort value of row `row` of `vector`, computed as `bound` describes.
    static func value(_ vector: Vector, _ row: Int, _ bound: Bound, _ pools: Pools) -> SQLiteValue {
        if vector.isNull(row) { return .null }
        switch vector.data {
        case .ints(let v):
            if bound.form == .address { return .text(pools.addresses.address(v[row]).text) }
            if bound.type == .varchar { return .text(pools.strings.string(v[row])) }
            return .integer(v[row])
        case .doubles(let v): return .real(v[row])
        case .strings(let v): return .text(v[row])
        case .values(let v): return v[row].output(bound.type)
        }
    }

    /// Whether row a comes before row b under `order` (ties keep their order).
    static func precedes(_ a: Int, _ b: Int, _ values: [[SQLiteValue]], _ order: [SortKey]) -> Bool {
        for (index, key) in order.enumerated() {
            let c = compare(values[index][a], values[index][b], key)
            if c != 0 { return c < 0 }
        }
        return a < b
    }

    /// -1, 0 or 1: where `x` sorts against `y` under one key (NULLs last unless NULLS FIRST).
    static func compare(_ x: SQLiteValue, _ y: SQLiteValue, _ key: SortKey) -> Int {
        switch (x.isNull, y.isNull) {
        case (true, true): return 0
        case (true, false): return key.nullsFirst ? -1 : 1
        case (false, true): return key.nullsFirst ? 1 : -1
        default:
            let c = x < y ? -1 : (y < x ? 1 : 0)
            return key.ascending ? c : -c
        }
    }
}

/// Rows gathered for an ORDER BY: with a limit, only the best rows are kept; without one,
/// rows past a memory budget go to a temporary SQLite database, which sorts them on disk.
final class SortBuffer {
    struct Row {
        var values: [SQLiteValue]
        var keys: [SQLiteValue]
        /// Partition index and row number: ties come out in scan order.
        var sequence: (Int, Int)
    }

    let order: [SortKey]
    let limit: Int?
    private var rows: [Row] = []
    private var spill: Database?
    private var insert: Statement?
    private var spilledCount = 0
    /// Rows kept in memory before the rest spill.
    static let memoryRows = 20_000

    init(order: [SortKey], limit: Int?) {
        self.order = order
        self.limit = limit
    }

    func add(_ values: [SQLiteValue], keys: [SQLiteValue], sequence: (Int, Int)) throws {
        rows.append(Row(values: values, keys: keys, sequence: sequence))
        if let limit {
            if rows.count >= max(2 * limit, 1024) { trim(to: limit) }
        } else if rows.count >= Self.memoryRows {
            try spillRows()
        }
    }

    func absorb(_ other: SortBuffer) throws {
        for row in other.rows { try add(row.values, keys: row.keys, sequence: row.sequence) }
        if let database = other.spill, other.spilledCount > 0 {
            let statement = try database.prepare("SELECT * FROM rows")
            let width = (other.rows.first?.values.count ?? 0)
            while try statement.step() {
                let all = statement.row()
                let valueCount = all.count - order.count - 2
                _ = width
                try add(Array(all[0..<valueCount]), keys: Array(all[valueCount..<(valueCount + order.count)]),
                        sequence: (Int(all[all.count - 2].integerValue ?? 0), Int(all[all.count - 1].integerValue ?? 0)))
            }
        }
    }

    private func sortRows() {
        rows.sort { a, b in
            for (index, key) in order.enumerated() {
                let c = SortValues.compare(a.keys[index], b.keys[index], key)
                if c != 0 { return c < 0 }
            }
            return a.sequence.0 != b.sequence.0 ? a.sequence.0 < b.sequence.0 : a.sequence.1 < b.sequence.1
        }
    }

    private func trim(to count: Int) {
        sortRows()
        if rows.count > count { rows.removeLast(rows.count - count) }
    }

    private func spillRows() throws {
        guard let first = rows.first else { return }
        if spill == nil {
            let database = try Database(path: "", mode: .create)
            try database.execute("PRAGMA cache_size = -16000; PRAGMA temp_store = FILE;")
            let columns = (0..<first.values.count).map { "c\($0)" } + (0..<order.count).map { "o\($0)" } + ["p", "r"]
            try database.execute("CREATE TABLE rows(\(columns.joined(separator: ", ")))")
            insert = try database.prepare("INSERT INTO rows VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")
            try database.execute("BEGIN")
            spill = database
        }
        guard let insert else { return }
        for row in rows {
            try insert.bind(row.values + row.keys + [.integer(Int64(row.sequence.0)), .integer(Int64(row.sequence.1))])
            try insert.step()
            insert.reset()
        }
        spilledCount += rows.count
        rows.removeAll(keepingCapacity: true)
    }

    /// Hands the rows to `onRow` in order (the first `limit` of them).
    func finish(cancellation: QueryCancellation, onRow: ([SQLiteValue]) throws -> Void) throws {
        if spill == nil {
            sortRows()
            for (index, row) in rows.enumerated() {
                if let limit, index >= limit { break }
                try onRow(row.values)
                if index & 0xFFF == 0 { try cancellation.check() }
            }
            return
        }
        try spillRows()
        guard let spill, let first = try spill.rows("SELECT * FROM rows LIMIT 1").first else { return }
        try spill.execute("COMMIT")
        let valueCount = first.count - order.count - 2
        let terms = order.enumerated().map { index, key in
            "o\(index) \(key.ascending ? "ASC" : "DESC") NULLS \(key.nullsFirst ? "FIRST" : "LAST")"
        } + ["p", "r"]
        let columns = (0..<valueCount).map { "c\($0)" }.joined(separator: ", ")
        let statement = try spill.prepare("SELECT \(columns) FROM rows ORDER BY \(terms.joined(separator: ", "))")
        var count = 0
        while try statement.step() {
            try onRow(statement.row())
            count += 1
            if count & 0xFFF == 0 { try cancellation.check() }
        }
    }
}

@available(*, unavailable)
extension SortBuffer: Sendable {}
