import FlowModel
/// Writes the JSON text of list and tag columns: `["sg-1","sg-2"]`, `{"Name":"web","env":"prod"}`.
///
/// flowq holds `array(...)` values as JSON array text, so list columns use the same form and can
/// become arrays later without a new store format. Compact (no spaces), non-ASCII kept as is.
enum JSONText {
    /// `["a","b"]`.
    static func array(_ strings: [String]) -> String {
        "[" + strings.map(JSONString.quoted).joined(separator: ",") + "]"
    }

    /// `{"k":"v"}`, members in the given order; a repeated key keeps its last value, as the JSON
    /// would be read anyway.
    static func object(_ pairs: [(key: String, value: String)]) -> String {
        var seen = Set<String>()
        var unique: [(key: String, value: String)] = []
        for pair in pairs.reversed() where seen.insert(pair.key).inserted {
            unique.append(pair)
        }
        return "{" + unique.reversed().map { JSONString.quoted($0.key) + ":" + JSONString.quoted($0.value) }.joined(separator: ",") + "}"
    }
}
