/// One value read from or bound to SQLite, in SQLite's own storage classes.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// True for `.null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The integer, or nil for any other class.
    public var integerValue: Int64? { if case .integer(let v) = self { return v } else { return nil } }

    /// The text, or nil for any other class.
    public var textValue: String? { if case .text(let v) = self { return v } else { return nil } }

    /// The value as a Double when numeric.
    public var doubleValue: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: return nil
        }
    }
}

extension SQLiteValue: Comparable {
    /// SQLite's order of storage classes: NULL < numbers < text < blob; text and blobs compare
    /// bytewise (BINARY collation), numbers numerically across integer and real.
    public static func < (lhs: SQLiteValue, rhs: SQLiteValue) -> Bool {
        switch (lhs, rhs) {
        case (.integer(let a), .integer(let b)): return a < b
        case (.real(let a), .real(let b)): return a < b
        case (.integer(let a), .real(let b)): return Double(a) < b
        case (.real(let a), .integer(let b)): return a < Double(b)
        case (.text(let a), .text(let b)): return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        case (.blob(let a), .blob(let b)): return a.lexicographicallyPrecedes(b)
        default: return lhs.classRank < rhs.classRank
        }
    }

    private var classRank: Int {
        switch self {
        case .null: return 0
        case .integer, .real: return 1
        case .text: return 2
        case .blob: return 3
        }
    }
}
