/// Reading numbers and JSON paths out of query text, as Trino reads them.
enum TextParsing {
    /// Text read as a double the way Trino's CAST reads it: surrounding blanks allowed,
    /// `NaN` and `Infinity` spelled out; nil for anything else.
    static func double(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed {
        case "NaN": return .nan
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        // Swift's parser also takes "inf", "nan" and hex floats; Trino does not.
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x65 || $0 == 0x45 }) else { return nil }
        return Double(trimmed)
    }
}

/// The keys of a simple JSON path: `$.a.b`, `$["a-b"]`, `$.a["b"]`.
enum JSONPath {
    static func keys(_ path: String) -> [String]? {
        var keys: [String] = []
        var rest = Substring(path)
        guard rest.first == "$" else { return nil }
        rest = rest.dropFirst()
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { return nil }
                keys.append(String(key))
                rest = rest.dropFirst(key.count)
            } else if rest.hasPrefix("[\"") {
                rest = rest.dropFirst(2)
                guard let end = rest.firstIndex(of: "\"") else { return nil }
                keys.append(String(rest[..<end]))
                rest = rest[rest.index(after: end)...]
                guard rest.first == "]" else { return nil }
                rest = rest.dropFirst()
            } else {
                return nil
            }
        }
        return keys
    }
}

extension String {
    /// The string without one trailing `suffix`, if it ends with it.
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
