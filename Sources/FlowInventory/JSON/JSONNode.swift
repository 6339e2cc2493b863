/// A field of a known shape that is missing or is not what the shape says.
struct FieldError: Error, Sendable, Equatable {
    /// The path named in the message.
    var path: JSONPath
    /// The value to point at for the line and column: the field itself, or for a missing field
    /// the object that lacks it.
    var location: JSONPath
    /// What was wrong: `expected a string, found a number`.
    var message: String
}

/// A JSON value with its path, for reading a known shape field by field.
///
/// Required fields throw `FieldError` when missing; every field, required or not, throws when
/// present with the wrong type, since a wrong type means the file is not what it seems. `null`
/// counts as absent (`--query` projections print it for missing fields).
struct JSONNode: Sendable {
    /// The value.
    let value: JSONValue
    /// Where it sits.
    let path: JSONPath

    init(_ value: JSONValue, path: JSONPath = .root) {
        self.value = value
        self.path = path
    }

    /// The member `key`, or nil when absent or null.
    func optional(_ key: String) throws(FieldError) -> JSONNode? {
        guard case .object = value else { throw mismatch("an object") }
        guard let member = value[key], member != .null else { return nil }
        return JSONNode(member, path: path.appending(key))
    }

    /// The member `key`; throws when absent or null.
    func required(_ key: String, _ expected: String) throws(FieldError) -> JSONNode {
        guard let node = try optional(key) else {
            throw FieldError(path: path.appending(key), location: path, message: "missing (expected \(expected))")
        }
        return node
    }

    // MARK: Typed members
    //
    // Scalar members are read without making a child node: the path is only built for an
    // error, which keeps a 5 MB ip-ranges.json from allocating a path per field.

    /// The value of member `key`, nil when absent or null.
    private func member(_ key: String) throws(FieldError) -> JSONValue? {
        guard case .object = value else { throw mismatch("an object") }
        guard let member = value[key], member != .null else { return nil }
        return member
    }

    /// `expected X, found Y` for member `key` holding `found`.
    private func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> FieldError {
        let path = path.appending(key)
        return FieldError(path: path, location: path, message: "expected \(expected), found \(found.kindDescription)")
    }

    /// An error about member `key`'s value, pointing at it.
    func invalid(_ key: String, _ message: String) -> FieldError {
        let path = path.appending(key)
        return FieldError(path: path, location: path, message: message)
    }

    /// A string member, or nil when absent.
    func string(_ key: String) throws(FieldError) -> String? {
        guard let member = try member(key) else { return nil }
        guard case .string(let text) = member else { throw mismatch(key, "a string", member) }
        return text
    }

    /// A string member that must be there.
    func requiredString(_ key: String) throws(FieldError) -> String {
        guard let text = try string(key) else {
            throw FieldError(path: path.appending(key), location: path, message: "missing (expected a string)")
        }
        return text
    }

    /// A boolean member, or nil when absent.
    func bool(_ key: String) throws(FieldError) -> Bool? {
        guard let member = try member(key) else { return nil }
        guard case .bool(let flag) = member else { throw mismatch(key, "a boolean", member) }
        return flag
    }

    /// An integer member (no fraction or exponent), or nil when absent.
    func integer(_ key: String) throws(FieldError) -> Int64? {
        guard let member = try member(key) else { return nil }
        guard case .number(let text) = member else { throw mismatch(key, "an integer", member) }
        guard let number = Int64(text) else { throw invalid(key, "expected an integer, found \(text)") }
        return number
    }

    /// The elements of an array member; empty when absent.
    func array(_ key: String) throws(FieldError) -> [JSONNode] {
        guard let node = try optional(key) else { return [] }
        return try node.elements()
    }

    /// The elements of an array member that must be there.
    func requiredArray(_ key: String) throws(FieldError) -> [JSONNode] {
        try required(key, "an array").elements()
    }

    /// An object member, or nil when absent.
    func object(_ key: String) throws(FieldError) -> JSONNode? {
        guard let node = try optional(key) else { return nil }
        guard case .object = node.value else { throw node.mismatch("an object") }
        return node
    }

    /// A time member (ISO 8601, as the AWS CLI prints them) as Unix seconds, or nil when absent.
    func time(_ key: String) throws(FieldError) -> Int64? {
        guard let text = try string(key) else { return nil }
        guard let seconds = AWSTimestamp.unixSeconds(iso8601: text) else {
            throw invalid(key, "expected an ISO 8601 time such as 2022-11-15T10:48:59+00:00, found \"\(text)\"")
        }
        return seconds
    }

    /// An IP address member in canonical text (IPv6 as RFC 5952), or nil when absent.
    func address(_ key: String) throws(FieldError) -> String? {
        guard let text = try string(key) else { return nil }
        guard let canonical = IPAddressText.canonical(text) else {
            throw invalid(key, "expected an IP address, found \"\(text)\"")
        }
        return canonical
    }

    /// An AWS tag list (`[{"Key": ..., "Value": ...}]`) as pairs in file order.
    func tags(_ key: String) throws(FieldError) -> [(key: String, value: String)] {
        try array(key).map { tag throws(FieldError) in (try tag.requiredString("Key"), try tag.string("Value") ?? "") }
    }

    // MARK: This value

    /// The value as a string.
    func asString() throws(FieldError) -> String {
        guard case .string(let text) = value else { throw mismatch("a string") }
        return text
    }

    /// The elements of this array, each with its path.
    func elements() throws(FieldError) -> [JSONNode] {
        guard case .array(let values) = value else { throw mismatch("an array") }
        var nodes: [JSONNode] = []
        nodes.reserveCapacity(values.count)
        for (index, element) in values.enumerated() {
            nodes.append(JSONNode(element, path: path.appending(index)))
        }
        return nodes
    }

    /// `expected X, found Y` for this value.
    func mismatch(_ expected: String) -> FieldError {
        FieldError(path: path, location: path, message: "expected \(expected), found \(value.kindDescription)")
    }
}
