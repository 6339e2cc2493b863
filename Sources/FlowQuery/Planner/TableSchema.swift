import FlowModel

/// A column a query can name, with its type and how the store holds it.
public struct ColumnInfo: Sendable, Hashable {
    /// How the column's values are held in a partition.
    public enum Source: Sendable, Hashable {
        /// A stored field (or a field newer than flowq, stored as text).
        case stored(encoding: Encoding)
        /// `date`: the partition's day, a DATE.
        case partitionDate
        /// `day` / `date_partition`: the partition's day as `YYYY/MM/DD` text.
        case partitionSlashed
    }

    /// The name queries use (lowercase).
    public var name: String
    /// The Trino type.
    public var type: SQLType
    /// Where the value comes from.
    public var source: Source
}

/// How a stored value differs from the value a query sees.
public enum Encoding: Sendable, Hashable {
    /// Stored as seen.
    case plain
    /// IPv4 as an integer, IPv6 as a 16-byte blob: decoded to text for display and string functions.
    case address
    /// A word stored as a small integer code (unknown words as text).
    case code(FieldCode)
    /// Text stored as an id into the partition's own `dict` table: ids mean nothing across
    /// partitions, so values are decoded before they leave one.
    case dictionary
}

/// A flow-log table as queries see it (`vpc_flow_logs` or `tgw_flow_logs`): the table's known
/// fields, the other columns the store has seen in its partitions, and the partition columns.
public struct TableSchema: Sendable {
    /// Names the VPC table may be called by.
    public static let tableNames: Set<String> = FlowTable.vpc.queryNames

    /// The table.
    public let table: FlowTable
    /// Columns in `SELECT *` order.
    public let columns: [ColumnInfo]
    private let byName: [String: ColumnInfo]

    /// The schema of `table` for a store whose partitions of it have `extraColumns` beyond the
    /// table's fields.
    public init(table: FlowTable = .vpc, extraColumns: [String] = []) {
        self.table = table
        var columns = table.fields.map(Self.column(for:))
        let known = Set(columns.map(\.name))
        for extra in extraColumns where !known.contains(extra) {
            // A field of the other kind of log that a custom format named keeps its type; a
            // field newer than flowq is text.
            if let field = FlowField(columnName: extra), field.columnName == extra {
                columns.append(Self.column(for: field))
            } else {
                columns.append(ColumnInfo(name: extra, type: .varchar, source: .stored(encoding: .plain)))
            }
        }
        columns.append(ColumnInfo(name: "date", type: .date, source: .partitionDate))
        columns.append(ColumnInfo(name: "day", type: .varchar, source: .partitionSlashed))
        columns.append(ColumnInfo(name: "date_partition", type: .varchar, source: .partitionSlashed))
        self.columns = columns
        byName = Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0) })
    }

    /// A known field's column: its type and how the store holds it.
    static func column(for field: FlowField) -> ColumnInfo {
        let type: SQLType
        let encoding: Encoding
        switch field.storage {
        case .integer, .timestamp: (type, encoding) = (.integer, .plain)
        case .text: (type, encoding) = (.varchar, .plain)
        case .dictionary: (type, encoding) = (.varchar, .dictionary)
        case .address: (type, encoding) = (.varchar, .address)
        case .code(let code, _): (type, encoding) = (.varchar, .code(code))
        }
        return ColumnInfo(name: field.columnName, type: type, source: .stored(encoding: encoding))
    }

    /// The column called `name` (any case), if any.
    public func column(named name: String) -> ColumnInfo? {
        byName[name.lowercased()]
    }

    /// The stored columns `SELECT *` shows: fields present in any of `partitions`, in field
    /// order, then `date`.
    func starColumns(present: Set<String>) -> [ColumnInfo] {
        columns.filter { column in
            switch column.source {
            case .stored: return present.contains(column.name)
            case .partitionDate: return true
            case .partitionSlashed: return false
            }
        }
    }

    /// The closest column names to `name`, for "did you mean".
    func suggestion(for name: String) -> String? {
        Suggestions.closest(to: name.lowercased(), among: columns.map(\.name))
    }

    /// The hint for an unknown column: the likely typo, else the table the column belongs to
    /// (`action` asked of Transit Gateway logs).
    func hint(forUnknown name: String) -> String? {
        if let suggestion = suggestion(for: name) { return "did you mean '\(suggestion)'?" }
        if let field = FlowField(columnName: name.lowercased()), field.columnName == name.lowercased(),
           let other = FlowTable.allCases.first(where: { $0 != table && $0.fields.contains(field) }) {
            return "'\(field.columnName)' is a column of \(other.name), not of \(table.name)"
        }
        return nil
    }
}

/// Finds the nearest known word to a misspelt one.
package enum Suggestions {
    /// The candidate with the smallest edit distance, if it is close enough to be a likely typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        var best: (String, Int)? = nil
        for candidate in candidates {
            let distance = editDistance(word, candidate)
            if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best else { return nil }
        let allowed = max(1, min(3, word.count / 3))
        let compact = word.replacingOccurrences(of: "_", with: "")
        if candidate.replacingOccurrences(of: "_", with: "") == compact { return candidate }
        return distance <= allowed ? candidate : nil
    }

    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
