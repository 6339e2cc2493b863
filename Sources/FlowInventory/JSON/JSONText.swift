/// Writes the JSON text of list and tag columns: `["sg-1","sg-2"]`, `{"Name":"web","env":"prod"}`.
///
/// flowq holds `array(...)` values as JSON array text, so list columns use the same form and can
/// become arrays later without a new store format. Compact (no spaces), non-ASCII kept as is.
enum JSONText {
    /// `["a","b"]`.
    static func array(_ strings: [String]) -> String {
        "[" + strings.map(quoted).joined(separator: ",") + "]"
    }

    /// `{"k":"v"}`, members in the given order; a repeated key keeps its last value, as the JSON
    /// would be read anyway.
    static func object(_ pairs: [(key: String, value: String)]) -> String {
        var seen = Set<String>()
        var unique: [(key: String, value: String)] = []
        for pair in pairs.reversed() where seen.insert(pair.key).inserted {
            unique.append(pair)
        }
        return "{" + unique.reversed().map { quoted($0.key) + ":" + quoted($0.value) }.joined(separator: ",") + "}"
    }

    /// A JSON string literal: `"`, `\` and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16, uppercase: false)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
