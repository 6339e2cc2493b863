/// A parsed JSON value, as RFC 8259 defines it.
///
/// Objects keep their members in file order (duplicates included) so nothing the file said is
/// lost; numbers keep their text so no precision is lost before a field decides what it wants
/// (an account id, a port, a count).
enum JSONValue: Sendable, Equatable {
    /// `{ ... }`: members in the order the file lists them.
    case object([JSONMember])
    /// `[ ... ]`.
    case array([JSONValue])
    /// A string, escapes resolved.
    case string(String)
    /// A number, as written (`-0.5e+10`); the grammar was checked.
    case number(String)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// The value of the member named `key` in an object; the last one when a key repeats (as
    /// Python's `json` module, which the AWS CLI is written with, and JavaScript do); nil for a
    /// missing key or a value that is not an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    /// The member names of an object, in file order and without repeats; empty for other values.
    var keys: [String] {
        guard case .object(let members) = self else { return [] }
        var seen = Set<String>()
        return members.map(\.key).filter { seen.insert($0).inserted }
    }

    /// What the value is, for messages: `an object`, `a string`, `null`.
    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// One `"name": value` pair of a JSON object.
struct JSONMember: Sendable, Equatable {
    /// The member name, escapes resolved.
    var key: String
    /// The member's value.
    var value: JSONValue
}
