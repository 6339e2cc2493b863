import FlowModel

/// A JSON value whose object members keep their order, printed as the AWS CLI prints its
/// output (Python's `json.dumps` with an indent of 4), so generated inventory files look like
/// the real thing.
indirect enum SampleJSON: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case object([(String, SampleJSON)])
    case array([SampleJSON])
    case string(String)
    case number(Int)
    case bool(Bool)

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }

    /// `Tags`/`TagSet`: `[{"Key": ..., "Value": ...}]`.
    static func tags(_ pairs: [(String, String)]) -> SampleJSON {
        .array(pairs.map { .object([("Key", .string($0.0)), ("Value", .string($0.1))]) })
    }

    /// The text, each level indented by `unit` spaces (the CLI's 4; ip-ranges.json is
    /// published with 2), ending with a newline.
    func text(indent unit: Int = 4) -> String {
        var out = ""
        write(to: &out, indent: 0, unit: unit)
        return out + "\n"
    }

    private func write(to out: inout String, indent: Int, unit: Int) {
        let inner = String(repeating: " ", count: indent + unit)
        switch self {
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += inner + JSONString.quoted(key) + ": "
                value.write(to: &out, indent: indent + unit, unit: unit)
                out += index < members.count - 1 ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        case .array(let elements):
            guard !elements.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, value) in elements.enumerated() {
                out += inner
                value.write(to: &out, indent: indent + unit, unit: unit)
                out += index < elements.count - 1 ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .string(let text): out += JSONString.quoted(text)
        case .number(let value): out += String(value)
        case .bool(let value): out += value ? "true" : "false"
        }
    }
}
