/// The type of a value in a query, in Trino's terms (what Athena would say the type is).
public indirect enum SQLType: Sendable, Hashable, CustomStringConvertible {
    /// `integer` / `bigint` (SQLite INTEGER).
    case integer
    /// `double` (SQLite REAL).
    case double
    /// `varchar`.
    case varchar
    /// `boolean` (SQLite 0/1).
    case boolean
    /// `date`, held in SQLite as `YYYY-MM-DD` text.
    case date
    /// `timestamp` (UTC), held in SQLite as Unix seconds (integer or real).
    case timestamp
    /// `ipaddress`, held as flowq stores addresses (IPv4 integer, IPv6 16-byte blob).
    case ipaddress
    /// `interval day to second`, held as seconds; only for date/time arithmetic.
    case interval
    /// `array(element)`, held as JSON array text.
    case array(SQLType)
    /// The type of `NULL`: fits anywhere.
    case unknown

    /// Trino's spelling, for error messages.
    public var description: String {
        switch self {
        case .integer: return "bigint"
        case .double: return "double"
        case .varchar: return "varchar"
        case .boolean: return "boolean"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .ipaddress: return "ipaddress"
        case .interval: return "interval"
        case .array(let element): return "array(\(element))"
        case .unknown: return "unknown"
        }
    }

    /// True for integer and double.
    public var isNumeric: Bool { self == .integer || self == .double }

    /// True when values of the two types can be compared with `=` or `<`.
    func isComparable(with other: SQLType) -> Bool {
        if self == .unknown || other == .unknown { return true }
        if isNumeric && other.isNumeric { return true }
        if (self == .date && other == .timestamp) || (self == .timestamp && other == .date) { return true }
        return self == other
    }
}
