import Foundation
import Testing
@testable import FlowInventory

/// The JSON parser against RFC 8259: what it accepts, what it refuses, and the exact place and
/// message of each refusal.
@Suite("JSON parser")
struct JSONParserTests {
    // MARK: Accepted

    @Test("objects keep member order and nest arrays")
    func structure() throws {
        let value = try json(#" { "b" : [1, 2, {"c": null}], "a": true, "e": {}, "f": [] } "#)
        #expect(value.keys == ["b", "a", "e", "f"])
        #expect(value["b"] == .array([.number("1"), .number("2"), .object([JSONMember(key: "c", value: .null)])]))
        #expect(value["a"] == .bool(true))
        #expect(value["e"] == .object([]))
        #expect(value["f"] == .array([]))
        #expect(value["missing"] == nil)
    }

    @Test("numbers keep their text", arguments: ["0", "-0", "-0.5e+10", "1E3", "1e-7", "12.25", "123456789012345678901234567890", "-1"])
    func numbers(text: String) throws {
        #expect(try json(text) == .number(text))
        #expect(try json("[\(text)]") == .array([.number(text)]))
    }

    @Test("escapes resolve", arguments: [
        (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""\u00e9\u00C9""#, "éÉ"),
        (#""\uD83D\uDE00 smile""#, "😀 smile"),
        (#""a\u0000b""#, "a\u{0}b"),
        (#""plain ascii""#, "plain ascii"),
        ("\"日本語 raw UTF-8\"", "日本語 raw UTF-8"),
        ("\"before \\n after é\"", "before \n after é"),
        ("\"del \u{7F} is not a control character\"", "del \u{7F} is not a control character"),
    ])
    func escapes(text: String, expected: String) throws {
        #expect(try json(text) == .string(expected))
    }

    @Test("any value may be the top level; whitespace and a UTF-8 BOM around it are skipped")
    func topLevel() throws {
        #expect(try json(" \t\r\n42\n") == .number("42"))
        #expect(try json("null") == .null)
        #expect(try json("false") == .bool(false))
        #expect(try json("\"x\"") == .string("x"))
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object([]))
    }

    @Test("a repeated key is kept, and lookup takes the last, as Python's json does")
    func duplicateKeys() throws {
        let value = try json(#"{"a": 1, "a": 2}"#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.count == 2)
        #expect(value["a"] == .number("2"))
        #expect(value.keys == ["a"])
    }

    @Test("nesting is allowed up to the limit")
    func deepNesting() throws {
        let depth = JSONParser.maximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try json(text)
        var levels = 0
        while case .array(let elements) = value {
            levels += 1
            guard let first = elements.first else { break }
            value = first
        }
        #expect(levels == depth)
    }

    // MARK: Refused, with the place

    @Test("refusals say where and why", arguments: [
        ("", "1:1: empty file: expected a JSON value"),
        ("  \n  ", "2:3: empty file: expected a JSON value"),
        (#"{"a": 1,}"#, "1:9: trailing comma before '}'"),
        ("[1, 2,]", "1:7: trailing comma before ']'"),
        ("[1, 2 3]", "1:7: expected ',' or ']' after an array element, found '3'"),
        (#"{"a": 1 "b": 2}"#, #"1:9: expected ',' or '}' after an object member, found '"'"#),
        (#"{"a" 1}"#, "1:6: expected ':' after the member name, found '1'"),
        ("{a: 1}", "1:2: expected a member name in double quotes or '}', found 'a'"),
        ("{'a': 1}", "1:2: expected a member name in double quotes or '}', found \"'\""),
        (#"{"a": 1, 2}"#, "1:10: expected a member name in double quotes after ',', found '2'"),
        (#"{"a": 'x'}"#, #"1:7: expected a JSON value, found "'" (strings take double quotes)"#),
        ("[01]", "1:2: numbers may not have leading zeros"),
        ("-", "1:2: unexpected end of file, expected a digit after '-'"),
        ("-a", "1:2: expected a digit after '-', found 'a'"),
        ("1.", "1:3: unexpected end of file, expected a digit after the decimal point"),
        ("[1.e5]", "1:4: expected a digit after the decimal point, found 'e'"),
        ("1e", "1:3: unexpected end of file, expected a digit in the exponent"),
        ("1e+", "1:4: unexpected end of file, expected a digit in the exponent"),
        (".5", "1:1: expected a JSON value, found '.'"),
        ("+1", "1:1: expected a JSON value, found '+'"),
        ("NaN", "1:1: expected a JSON value, found 'N'"),
        ("True", "1:1: expected a JSON value, found 'T'"),
        ("[tru]", "1:2: expected a JSON value (did you mean 'true'?)"),
        ("nul", "1:1: expected a JSON value (did you mean 'null'?)"),
        ("\"a\tb\"", "1:3: a tab inside a string must be escaped"),
        ("[\"a\nb\"]", "1:4: a line break inside a string must be escaped"),
        ("\"\u{01}\"", "1:2: control character U+0001 inside a string must be escaped"),
        (#""\x""#, #"1:2: invalid escape '\x' in a string"#),
        (#""ok\u12""#, #"1:4: expected four hexadecimal digits after '\u'"#),
        (#""\uD800""#, #"1:2: lone surrogate '\uD800': a high surrogate must be followed by a '\u' low surrogate"#),
        (#""\uD800\u0041""#, #"1:2: lone surrogate '\uD800': a high surrogate must be followed by a '\u' low surrogate"#),
        (#""x\uDC00""#, #"1:3: lone surrogate '\uDC00': a low surrogate must follow a high one"#),
        (#"{"a": "abc"#, #"1:7: unterminated string: no closing '"' before the end of the file"#),
        ("[", "1:2: unexpected end of file, expected a JSON value"),
        (#"{"a":"#, "1:6: unexpected end of file, expected a JSON value"),
        (#"{"a": 1"#, "1:8: unexpected end of file, expected ',' or '}' after an object member"),
        (#"{"a": 1}x"#, "1:9: expected the end of the file after the JSON value, found 'x'"),
        ("{} {}", "1:4: expected the end of the file after the JSON value, found '{'"),
        ("\u{0C}1", "1:1: expected a JSON value, found U+000C"),
        ("é", "1:1: expected a JSON value, found 'é'"),
        (#"{"名前": 1 2}"#, "1:10: expected ',' or '}' after an object member, found '2'"),
        ("{\r\n  \"a\" 1\r\n}", "2:7: expected ':' after the member name, found '1'"),
    ])
    func refusals(text: String, expected: String) {
        #expect(jsonError(text) == expected)
    }

    @Test("the place of an error in a many-line file is its line and column")
    func manyLines() {
        let text = """
        {
            "Vpcs": [
                {
                    "VpcId": "vpc-1"
                    "State": "available"
                }
            ]
        }
        """
        #expect(jsonError(text) == #"5:13: expected ',' or '}' after an object member, found '"'"#)
    }

    @Test("bytes that are not UTF-8 are refused")
    func invalidUTF8() {
        #expect(jsonError(bytes: [0x22, 0xC3, 0x28, 0x22]) == "1:1: this string is not valid UTF-8")
        #expect(jsonError(bytes: [0x5B, 0xFF, 0x5D]) == "1:2: expected a JSON value, found byte 0xFF (not UTF-8)")
        #expect(jsonError(bytes: [0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00])
            == "1:1: the file is UTF-16, not UTF-8 (Windows PowerShell's '>' writes UTF-16; use '| Out-File -Encoding utf8')")
    }

    @Test("nesting past the limit is refused, not a stack overflow")
    func tooDeep() {
        let depth = JSONParser.maximumDepth + 1
        #expect(jsonError(String(repeating: "[", count: depth)) == "1:\(depth): arrays and objects nest deeper than \(depth - 1) levels")
        #expect(jsonError(String(repeating: "[", count: 100_000)) == "1:\(depth): arrays and objects nest deeper than \(depth - 1) levels")
    }

    @Test("every proper prefix of a document is refused with a message, never a crash")
    func truncations() throws {
        let text = Array(#"{"a": [1, -2.5e3, "x\u00e9\n", true, false, null], "b": {"c": "d"}}"#.utf8)
        for length in 0..<text.count {
            #expect(jsonError(bytes: Array(text[..<length])) != nil, "length \(length)")
        }
    }

    @Test("the locator finds the line and column of a path")
    func locate() throws {
        let text = Array("{\n  \"a\": [\n    {\"b\": 1},\n    {\"b\": 22}\n  ]\n}".utf8)
        let path = JSONPath.root.appending("a").appending(1).appending("b")
        let position = text.withUnsafeBufferPointer { buffer in
            JSONParser.offset(of: path, in: buffer).map { SourcePosition(offset: $0, in: buffer) }
        }
        #expect(position == SourcePosition(line: 4, column: 11))
        #expect(path.description == "a[1].b")
        let missing = text.withUnsafeBufferPointer { JSONParser.offset(of: JSONPath.root.appending("z"), in: $0) }
        #expect(missing == nil)
    }
}
