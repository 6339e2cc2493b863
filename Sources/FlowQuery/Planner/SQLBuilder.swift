import FlowIngest

/// A value bound to a generated statement: literal values from the query, or the day of the
/// partition the statement runs on.
public enum Binding: Sendable, Hashable, CustomStringConvertible {
    /// A value from the query (a literal, a translated literal, a CIDR bound).
    case value(SQLiteValue)
    /// The partition's day as a DATE (`YYYY-MM-DD` text): the `date` column.
    case partitionDate
    /// The partition's day as `YYYY/MM/DD` text: the `day` and `date_partition` columns.
    case partitionSlashed

    /// The value for a statement run on `day`'s partition.
    public func resolved(for day: PartitionDay?) -> SQLiteValue {
        switch self {
        case .value(let value): return value
        case .partitionDate: return day.map { .text($0.isoText) } ?? .null
        case .partitionSlashed: return day.map { .text($0.slashedText) } ?? .null
        }
    }

    /// How `explain` shows it.
    public var description: String {
        switch self {
        case .value(.null): return "NULL"
        case .value(.integer(let v)): return String(v)
        case .value(.real(let v)): return String(v)
        case .value(.text(let v)): return "'" + v.replacingOccurrences(of: "'", with: "''") + "'"
        case .value(.blob(let v)): return "x'" + v.map { String(format: "%02x", $0) }.joined() + "'"
        case .partitionDate: return "<partition date>"
        case .partitionSlashed: return "<partition day>"
        }
    }
}

/// Collects the parameters of one generated statement; every value from a query goes through
/// here, so no query text is ever pasted into SQL.
final class SQLBuilder {
    private(set) var bindings: [Binding] = []
    private var indexes: [Binding: Int] = [:]

    /// A numbered placeholder (`?3`) for `binding`; equal bindings share a number, which keeps
    /// GROUP BY and SELECT expressions textually equal for SQLite.
    func parameter(_ binding: Binding) -> String {
        if let index = indexes[binding] { return "?\(index)" }
        bindings.append(binding)
        indexes[binding] = bindings.count
        return "?\(bindings.count)"
    }

    /// Numbers of the parameters bound to the partition's day.
    var dayParameters: Set<Int> {
        Set(bindings.indices.filter { bindings[$0] == .partitionDate || bindings[$0] == .partitionSlashed }.map { $0 + 1 })
    }

    /// A placeholder for a literal value.
    func value(_ value: SQLiteValue) -> String {
        parameter(.value(value))
    }
}

/// An SQL identifier in double quotes, embedded quotes doubled.
func quotedIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
