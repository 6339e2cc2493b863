/// A strict RFC 8259 parser over bytes that says where the text stops being JSON.
///
/// Foundation's parsers do not report a line and column on Linux, and an inventory file is
/// hand-edited often enough (a `--query` pasted in, a trailing comma) that the place matters.
///
/// Decisions where RFC 8259 leaves room:
/// - Any value may be the top level; a UTF-8 byte order mark is skipped (section 8.1), a UTF-16
///   one is refused with a hint (Windows PowerShell's `>` writes UTF-16).
/// - Numbers follow the grammar exactly (no leading zeros, `+`, `.5`, `1.`, `NaN`) and keep
///   their text.
/// - Strings must be valid UTF-8 without raw control characters (U+0000 to U+001F); `\uXXXX`
///   surrogate pairs combine, and a lone surrogate is an error: a Swift `String` cannot hold
///   one, and replacing it would change a value (a tag) without saying so.
/// - Duplicate member names are kept in order; lookups take the last (see `JSONValue`).
/// - Nesting deeper than `maximumDepth` is an error, so hostile input cannot exhaust the stack.
struct JSONParser {
    /// Arrays and objects may nest this deep; the AWS CLI's output nests about eight.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// When locating: the path sought, the path of the value being parsed, and where it was.
    private let target: [JSONPath.Component]?
    private var current: [JSONPath.Component] = []
    private var found: Int?

    private init(bytes: UnsafeBufferPointer<UInt8>, target: JSONPath?) {
        self.bytes = bytes
        self.target = target?.components
    }

    /// Parses one JSON text (a value with optional whitespace around it).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, target: nil)
        return try parser.parseDocument()
    }

    /// Parses one JSON text held in an array.
    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONSyntaxError) -> JSONValue in try parse(buffer) }
        }
        return try result.get()
    }

    /// The byte offset where the value at `path` starts, found by parsing again with the path
    /// tracked; only errors pay for it. Nil when the path is not in the document.
    static func offset(of path: JSONPath, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var parser = JSONParser(bytes: bytes, target: path)
        _ = try? parser.parseDocument()
        return parser.found
    }

    // MARK: Structure

    private mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            index = 3
        } else if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw JSONSyntaxError(offset: 0, message: "the file is UTF-16, not UTF-8 (Windows PowerShell's '>' writes UTF-16; use '| Out-File -Encoding utf8')")
        }
        skipWhitespace()
        if index == bytes.count {
            throw JSONSyntaxError(offset: index, message: "empty file: expected a JSON value")
        }
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw failure("expected the end of the file after the JSON value")
        }
        return value
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        if let target, found == nil, current == target {
            found = index
            // Stop here: the caller only wanted the place.
            throw JSONSyntaxError(offset: index, message: "located")
        }
        guard index < bytes.count else { throw failure("expected a JSON value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "'"): throw JSONSyntaxError(offset: index, message: "expected a JSON value, found \"'\" (strings take double quotes)")
        default: throw failure("expected a JSON value")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        index += 1 // '{'
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                if members.isEmpty { throw failure("expected a member name in double quotes or '}'") }
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    throw JSONSyntaxError(offset: index, message: "trailing comma before '}'")
                }
                throw failure("expected a member name in double quotes after ','")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw failure("expected ':' after the member name")
            }
            index += 1
            skipWhitespace()
            if target != nil { current.append(.key(key)) }
            let value = try parseValue()
            if target != nil { current.removeLast() }
            members.append(JSONMember(key: key, value: value))
            skipWhitespace()
            guard index < bytes.count else { throw failure("expected ',' or '}' after an object member") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(members)
            } else {
                throw failure("expected ',' or '}' after an object member")
            }
        }
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        try enterContainer()
        index += 1 // '['
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            if !elements.isEmpty, index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                throw JSONSyntaxError(offset: index, message: "trailing comma before ']'")
            }
            if target != nil { current.append(.index(elements.count)) }
            let element = try parseValue()
            if target != nil { current.removeLast() }
            elements.append(element)
            skipWhitespace()
            guard index < bytes.count else { throw failure("expected ',' or ']' after an array element") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return .array(elements)
            } else {
                throw failure("expected ',' or ']' after an array element")
            }
        }
    }

    private mutating func enterContainer() throws(JSONSyntaxError) {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw JSONSyntaxError(offset: index, message: "arrays and objects nest deeper than \(JSONParser.maximumDepth) levels")
        }
    }

    // MARK: Scalars

    /// Checks the RFC 8259 number grammar and returns the text:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit after '-'") }
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw JSONSyntaxError(offset: index - 1, message: "numbers may not have leading zeros")
            }
        } else {
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit after the decimal point") }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit in the exponent") }
            skipDigits()
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count {
            guard index + offset < bytes.count, bytes[index + offset] == text[offset] else {
                throw JSONSyntaxError(offset: index, message: "expected a JSON value (did you mean '\(literal)'?)")
            }
        }
        index += count
    }

    // MARK: Bytes

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// An error at the current byte: `expected X, found 'y'`, or `unexpected end of file, expected X`.
    func failure(_ expected: String) -> JSONSyntaxError {
        guard index < bytes.count else {
            return JSONSyntaxError(offset: index, message: "unexpected end of file, \(expected)")
        }
        return JSONSyntaxError(offset: index, message: "\(expected), found \(describeByte(at: index))")
    }

    /// `'x'`, `a line break`, `U+0007`, or the non-ASCII character starting there.
    func describeByte(at offset: Int) -> String {
        let byte = bytes[offset]
        switch byte {
        case 0x0A, 0x0D: return "a line break"
        case 0x09: return "a tab"
        case UInt8(ascii: "'"): return "\"'\""
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x00..<0x20, 0x7F: return "U+\(hex4(UInt32(byte)))"
        default:
            let end = min(bytes.count, offset + 4)
            var iterator = UnsafeBufferPointer(rebasing: bytes[offset..<end]).makeIterator()
            var decoder = UTF8()
            if case .scalarValue(let scalar) = decoder.decode(&iterator) { return "'\(Character(scalar))'" }
            return "byte 0x\(String(byte, radix: 16, uppercase: true)) (not UTF-8)"
        }
    }

    func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    // The string scanner lives in JSONParser+Strings.swift; it needs these.
    var position: Int {
        get { index }
        set { index = newValue }
    }
    var input: UnsafeBufferPointer<UInt8> { bytes }
}
