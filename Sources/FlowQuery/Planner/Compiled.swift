import FlowIngest

/// An expression turned into SQLite SQL, with its Trino type and how its value is held.
struct Compiled {
    /// SQLite SQL (parameters are numbered placeholders of the statement's `SQLBuilder`).
    var sql: String
    /// The Trino type of the value.
    var type: SQLType
    /// How the value is held (encoded addresses and codes are decoded where text is needed).
    var encoding: Encoding = .plain
    /// The value when it is known while planning (literals and what folds from them).
    var constant: Constant? = nil
    /// True for the `day`/`date_partition` columns: string literals compared with them are
    /// read as dates in either spelling.
    var isPartitionDay = false

    init(sql: String, type: SQLType, encoding: Encoding = .plain, constant: Constant? = nil, isPartitionDay: Bool = false) {
        self.sql = sql
        self.type = type
        self.encoding = encoding
        self.constant = constant
        self.isPartitionDay = isPartitionDay
    }
}

/// A value known while planning.
enum Constant: Equatable {
    case null
    case integer(Int64)
    case double(Double)
    case string(String)
    case boolean(Bool)
    case date(PartitionDay)
    /// Unix seconds (fractions allowed).
    case timestamp(Double)
    /// Seconds, or months for month/year intervals.
    case interval(seconds: Int64, months: Int64)

    var type: SQLType {
        switch self {
        case .null: return .unknown
        case .integer: return .integer
        case .double: return .double
        case .string: return .varchar
        case .boolean: return .boolean
        case .date: return .date
        case .timestamp: return .timestamp
        case .interval: return .interval
        }
    }

    /// The value as SQLite holds it.
    var sqliteValue: SQLiteValue {
        switch self {
        case .null: return .null
        case .integer(let v): return .integer(v)
        case .double(let v): return .real(v)
        case .string(let v): return .text(v)
        case .boolean(let v): return .integer(v ? 1 : 0)
        case .date(let d): return .text(d.isoText)
        case .timestamp(let t): return t.rounded() == t && abs(t) < 1e15 ? .integer(Int64(t)) : .real(t)
        case .interval(let seconds, _): return .integer(seconds)
        }
    }
}
