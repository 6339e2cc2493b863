import FlowSQLite

/// How results are printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for people; NULL shown as `-`.
    case table
    /// RFC 4180 CSV with a header row; NULL as an empty field.
    case csv
    /// One JSON array of objects.
    case json
    /// One JSON object per line.
    case ndjson
}

/// Turns result values into text according to their column type.
package enum ValueText {
    /// The value as table and CSV cells show it; nil for NULL.
    package static func plain(_ value: SQLiteValue, type: SQLType) -> String? {
        switch value {
        case .null: return nil
        case .integer(let v):
            if type == .boolean { return v != 0 ? "true" : "false" }
            if type == .double { return formatDouble(Double(v)) }
            return String(v)
        case .real(let v): return formatDouble(v)
        case .text(let s):
            if case .array = type, let elements = JSONArrayText.parse(s) {
                return "[" + elements.map { plain($0, type: .unknown) ?? "NULL" }.joined(separator: ", ") + "]"
            }
            return s
        case .blob(let b): return b.map { hexDigits[Int($0 >> 4)] + hexDigits[Int($0 & 0xF)] }.joined()
        }
    }

    /// Doubles as Trino prints them in the console: shortest round-trip text.
    package static func formatDouble(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        return String(v)
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
}
