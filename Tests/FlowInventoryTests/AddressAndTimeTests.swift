import Foundation
import Testing
@testable import FlowInventory

/// Address text (parsed as flowq parses it, printed as RFC 5952) and AWS's time formats.
@Suite("Addresses and times")
struct AddressAndTimeTests {
    @Test("IPv6 prints in RFC 5952 form so it joins with flowq's text", arguments: [
        ("2600:1F13:0CFE:3650:A1DC:237C:393A:4BA7", "2600:1f13:cfe:3650:a1dc:237c:393a:4ba7"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8::0:1", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("10.0.1.17", "10.0.1.17"),
    ])
    func canonical(text: String, expected: String) {
        #expect(IPAddressText.canonical(text) == expected)
    }

    @Test("text that is not an address is refused", arguments: [
        "10-0-0-157", "10.0.0", "10.0.0.256", "10.0.0.01", "10.0.0.1.", ".10.0.0.1", "1.2.3.4 ", "",
        ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "1:2:3:4:5:6:7:", "g::1", "::ffff:1.2.3",
    ])
    func notAddresses(text: String) {
        #expect(IPAddressText.canonical(text) == nil)
    }

    @Test("CIDR prefixes parse; host bits are cleared", arguments: [
        ("52.216.0.0/15", "52.216.0.0/15"), ("198.51.100.2/24", "198.51.100.0/24"), ("0.0.0.0/0", "0.0.0.0/0"),
        ("2600:1f18::/33", "2600:1f18::/33"), ("2001:db8:1234::/64", "2001:db8:1234::/64"), ("::/0", "::/0"),
        ("2600:1f18:ffff::/33", "2600:1f18:8000::/33"), ("10.0.0.1/32", "10.0.0.1/32"),
    ])
    func prefixes(text: String, expected: String) {
        #expect(IPPrefix(text)?.text == expected)
    }

    @Test("not prefixes", arguments: ["52.216.0.0", "52.216.0.0/33", "2600::/129", "52.216.0.0/", "/8", "52.216.0.0/+8", "x/8", "1.2.3.4/08x"])
    func notPrefixes(text: String) {
        #expect(IPPrefix(text) == nil)
    }

    @Test("the time forms the AWS CLI prints", arguments: [
        ("2022-11-15T10:48:59+00:00", Int64(1_668_509_339)),
        ("2013-11-30T23:36:42.000Z", 1_385_854_602),
        ("2017-09-05T17:55:27.583Z", 1_504_634_127),
        ("2017-09-05T20:41:28Z", 1_504_644_088),
        ("2022-11-15T12:48:59+02:00", 1_668_509_339),
        ("2022-11-15T05:18:59-0530", 1_668_509_339),
        ("2022-11-15 10:48:59", 1_668_509_339),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59Z", -1),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
    ])
    func times(text: String, seconds: Int64) {
        #expect(AWSTimestamp.unixSeconds(iso8601: text) == seconds)
    }

    @Test("not times", arguments: ["yesterday", "2022-11-15", "2022-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2022-11-15T24:00:00Z",
                                   "2022-11-15T10:48:59.Z", "2022-11-15T10:48:59+0", "2022-11-15T10:48:59 UTC", "2022-11-15T10:48"])
    func notTimes(text: String) {
        #expect(AWSTimestamp.unixSeconds(iso8601: text) == nil)
    }

    @Test("ip-ranges.json's createDate")
    func createDate() {
        #expect(AWSTimestamp.unixSeconds(createDate: "2014-11-19-23-29-02") == 1_416_439_742)
        #expect(AWSTimestamp.unixSeconds(createDate: "2024-01-05-20-13-07") == 1_704_485_587)
        #expect(AWSTimestamp.unixSeconds(createDate: "2014-11-19T23:29:02") == nil)
        #expect(AWSTimestamp.unixSeconds(createDate: "14-11-19-23-29-02") == nil)
    }

    @Test("JSON text of list and tag columns escapes what JSON requires")
    func jsonText() throws {
        #expect(JSONText.array([]) == "[]")
        #expect(JSONText.array(["sg-1", "a\"b\\c"]) == #"["sg-1","a\"b\\c"]"#)
        #expect(JSONText.object([("Name", "web\n1"), ("k", "\u{01}é"), ("Name", "web")]) == #"{"k":"\u0001é","Name":"web"}"#)
        // What it writes, the parser reads back.
        let text = JSONText.object([("a\tb", "c\u{1F}d"), ("日本", "\"")])
        #expect(try json(text) == .object([JSONMember(key: "a\tb", value: .string("c\u{1F}d")), JSONMember(key: "日本", value: .string("\""))]))
    }
}
