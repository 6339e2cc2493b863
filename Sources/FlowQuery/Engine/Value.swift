import FlowModel
import FlowSQLite
import Foundation

/// One value as the engine computes it: the slow path's currency, constants, and results.
///
/// What the integer of `.int` means follows the expression's `SQLType`: a number, a boolean
/// (0 or 1), a date (days since 1970), a timestamp (milliseconds since 1970, UTC) or an interval
/// (seconds).
enum Value: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case string(String)
    case address(IPAddress)
    case array([Value])

    var isNull: Bool { if case .null = self { return true } else { return false } }

    var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let v): return v.isFinite && abs(v) < 9.2e18 ? Int64(v) : nil
        default: return nil
        }
    }

    var double: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        default: return nil
        }
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }

    /// The value as the output writers take it, for a column of `type`.
    func output(_ type: SQLType) -> SQLiteValue {
        switch self {
        case .null: return .null
        case .int(let v):
            switch type {
            case .date: return .text(PartitionDay(dayNumber: Int32(truncatingIfNeeded: v)).isoText)
            case .timestamp: return .text(Timestamps.format(milliseconds: v))
            case .double: return .real(Double(v))
            default: return .integer(v)
            }
        case .double(let v): return v.isNaN ? .text("NaN") : .real(v)
        case .string(let s): return .text(s)
        case .address(let a): return .text(a.text)
        case .array(let elements):
            let element: SQLType
            if case .array(let inner) = type { element = inner } else { element = .unknown }
            return .text(JSONArrayText.write(elements.map { $0.output(element) }))
        }
    }

    /// Trino's order for `ORDER BY`, `min`, `max` and comparisons of values of one type: numbers
    /// by value, text by UTF-8 bytes, addresses as their text (the columns are varchar in Athena).
    static func compare(_ a: Value, _ b: Value) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : x > y ? 1 : 0
        case (.double(let x), .double(let y)): return x < y ? -1 : x > y ? 1 : (x == y ? 0 : (x.isNaN ? (y.isNaN ? 0 : 1) : -1))
        case (.int(let x), .double(let y)): return compare(.double(Double(x)), .double(y))
        case (.double(let x), .int(let y)): return compare(.double(x), .double(Double(y)))
        case (.string(let x), .string(let y)): return bytewise(x, y)
        case (.address(let x), .address(let y)): return bytewise(x.text, y.text)
        case (.address(let x), .string(let y)): return bytewise(x.text, y)
        case (.string(let x), .address(let y)): return bytewise(x, y.text)
        case (.array(let x), .array(let y)):
            for (l, r) in zip(x, y) {
                let c = compare(l, r)
                if c != 0 { return c }
            }
            return x.count < y.count ? -1 : x.count > y.count ? 1 : 0
        case (.null, .null): return 0
        case (.null, _): return -1
        case (_, .null): return 1
        default: return 0
        }
    }

    static func bytewise(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0, let xb = x.baseAddress, let yb = y.baseAddress {
                    let c = memcmp(xb, yb, common)
                    if c != 0 { return c < 0 ? -1 : 1 }
                }
                return x.count < y.count ? -1 : x.count > y.count ? 1 : 0
            }
        }
    }
}

extension Timestamps {
    /// `2024-01-05 10:00:00.000` for milliseconds since 1970 (UTC), as results show timestamps.
    static func format(milliseconds: Int64) -> String {
        let (seconds, millis) = floorDivide(milliseconds, 1000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let day = PartitionDay(dayNumber: Int32(truncatingIfNeeded: days)).isoText
        let h = secondOfDay / 3600, m = secondOfDay / 60 % 60, s = secondOfDay % 60
        return day + " " + two(h) + ":" + two(m) + ":" + two(s) + "." + three(millis)
    }

    /// `2024-01-05T10:00:00.000Z` (to_iso8601).
    static func iso8601(milliseconds: Int64) -> String {
        format(milliseconds: milliseconds).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    private static func three(_ v: Int64) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
}
