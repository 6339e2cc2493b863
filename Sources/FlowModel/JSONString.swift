/// JSON string literals, written one way everywhere flowq writes JSON (query answers, reports,
/// inventory lists and tags).
public enum JSONString {
    /// `text` as a JSON string literal: `"` and `\\` escaped, control characters as `\\n`,
    /// `\\r`, `\\t` or `\\u00XX`; everything else as it is (JSON text is UTF-8).
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
