import FlowModel
import Testing
@testable import FlowIngest
@testable import FlowStore

/// Parses one line with a layout read from `header`.
private func parse(_ header: String, _ line: String) throws -> (FlowRecordParser, FlowRecordParser.Outcome) {
    var header = header
    let layout = try header.withUTF8 { try FlowLayout(headerLine: UnsafeRawBufferPointer($0)) }
    let parser = FlowRecordParser(layout: layout)
    var line = line
    let outcome = line.withUTF8 { parser.parse(UnsafeRawBufferPointer($0)) }
    return (parser, outcome)
}

/// The value of `column` in the parser's current record, as text for easy comparison.
private func value(_ parser: FlowRecordParser, _ column: String, in line: String) -> String {
    guard let index = parser.layout.slots.firstIndex(where: { $0.columnName == column }) else { return "<absent>" }
    let v = parser.values[index]
    switch v.kind {
    case .null: return "NULL"
    case .integer: return String(v.integer)
    case .text: return String(decoding: Array(line.utf8)[v.textOffset..<v.textOffset + v.textCount], as: UTF8.self)
    case .ipv6: return IPAddress.format(v6: Array(parser.addressBytes[v.textOffset..<v.textOffset + 16]))
    }
}

@Suite("Record parsing")
struct RecordParserTests {
    /// The default format (which `parseValid` reads with a loop specialised to it) and one with
    /// an extra field (the general loop).
    @Test("the one-pass parser and the checked parser agree on every line, valid or not", arguments: [true, false])
    func fastAndCheckedAgree(defaultFormat: Bool) throws {
        var header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        if !defaultFormat { header += " vpc-id" }
        let layout = try header.withUTF8 { try FlowLayout(headerLine: UnsafeRawBufferPointer($0)) }
        #expect(FlowRecordParser(layout: layout).isDefaultLayout == defaultFormat)
        var base = ["2", "123456789012", "eni-0123456789abcdef0", "10.0.0.1", "2001:db8::1", "443", "22", "6", "5", "4249",
                    "1704412800", "1704412860", "ACCEPT", "OK"]
        if !defaultFormat { base.append("vpc-1") }
        let replacements = ["-", "0", "18446744073709551616", "999999999999999999", "9223372036854775807", "1704412800123",
                            "1704412800123456", "::", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8", "1::2::3", "10.0.0.256", "010.0.0.1",
                            "REJECT", "reject", "NODATA", "x\u{7F}y", "a\u{01}b", "abcdefgh\u{1B}", "é", "65536", "-5", "5-",
                            "eni-0123456789abcdef0eni-0123456789abcdef0", "", "  ", "12345678", "123456789", "1234567890123456",
                            "12345678901234567", "0000000000000000001", "00000000", "255", "256", "4294967295", "1.2.3.4", "1e5",
                            "SKIPDATA", "SKIPDATAX", "OK-", "ACCEPT\t", "0.0.0.0", "199.255.0.9", "1234.1.1.1"]
        var lines: [String] = [base.joined(separator: " "), base.joined(separator: "\t"), "  " + base.joined(separator: "   ") + "  ",
                               base.dropLast().joined(separator: " "), (base + ["extra"]).joined(separator: " "), "", "   "]
        for slot in base.indices {
            for replacement in replacements {
                var fields = base
                fields[slot] = replacement
                lines.append(fields.joined(separator: " "))
            }
        }
        for text in lines {
            var bytes = Array(text.utf8)
            let fast = FlowRecordParser(layout: layout), checked = FlowRecordParser(layout: layout)
            let (a, b) = bytes.withUnsafeMutableBytes { raw in
                (fast.parse(UnsafeRawBufferPointer(raw)), checked.parseChecked(UnsafeRawBufferPointer(raw)))
            }
            #expect(a == b, "\(text.debugDescription)")
            guard case .record = a, a == b else { continue }
            for slot in base.indices {
                let x = fast.values[slot], y = checked.values[slot]
                #expect(x.kind == y.kind && x.integer == y.integer && x.textOffset == y.textOffset && x.textCount == y.textCount,
                        "slot \(slot) of \(text.debugDescription)")
                if x.kind == .ipv6 {
                    #expect(Array(fast.addressBytes[(slot * 16)..<(slot * 16 + 16)]) == Array(checked.addressBytes[(slot * 16)..<(slot * 16 + 16)]))
                }
            }
        }
    }

    @Test("the default format, every field kind")
    func defaultFormat() throws {
        let line = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 REJECT OK"
        let (parser, outcome) = try parse(defaultHeader, line)
        #expect(outcome == .record(start: 1_418_530_010))
        #expect(value(parser, "version", in: line) == "2")
        #expect(value(parser, "account_id", in: line) == "123456789010")
        #expect(value(parser, "srcaddr", in: line) == String((172 << 24) | (31 << 16) | (16 << 8) | 139))
        #expect(value(parser, "dstport", in: line) == "22")
        #expect(value(parser, "bytes", in: line) == "4249")
        #expect(value(parser, "action", in: line) == "REJECT") // checked against its vocabulary, kept as the word
        #expect(value(parser, "log_status", in: line) == "OK")
    }

    @Test("'-' is NULL, never 0: NODATA rows keep their times")
    func dashes() throws {
        let line = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
        let (parser, outcome) = try parse(defaultHeader, line)
        #expect(outcome == .record(start: 1_431_280_876))
        for column in ["srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "action"] {
            #expect(value(parser, column, in: line) == "NULL", "\(column)")
        }
        #expect(value(parser, "log_status", in: line) == "NODATA")
        #expect(value(parser, "end", in: line) == "1431280934")
    }

    @Test("runs of spaces and tabs separate fields")
    func whitespaceRuns() throws {
        let line = "2  123456789010\teni-1 10.0.0.1   10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK  "
        let (parser, outcome) = try parse(defaultHeader, line)
        #expect(outcome == .record(start: 100))
        #expect(value(parser, "interface_id", in: line) == "eni-1")
    }

    @Test("IPv6 addresses are validated and kept as 16 bytes")
    func ipv6() throws {
        let line = "2 1 eni-1 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8::1 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK"
        let (parser, outcome) = try parse(defaultHeader, line)
        #expect(outcome == .record(start: 1_477_913_708))
        #expect(value(parser, "srcaddr", in: line) == "2001:db8:1234:a100:8d6e:3477:df66:f105")
        #expect(value(parser, "dstaddr", in: line) == "2001:db8::1")
    }

    @Test("milliseconds become seconds")
    func milliseconds() throws {
        let line = "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1704198000000 1704198060123 ACCEPT OK"
        let (parser, outcome) = try parse(defaultHeader, line)
        #expect(outcome == .record(start: 1_704_198_000))
        #expect(value(parser, "end", in: line) == "1704198060")
    }

    @Test("a custom order lands in the right columns")
    func customOrder() throws {
        let header = "version vpc-id srcaddr action start dstport log-status tcp-flags region flow-direction traffic-path type"
        let line = "5 vpc-0a 10.1.2.3 ACCEPT 1700000000 443 OK 18 eu-west-1 egress 2 IPv4"
        let (parser, outcome) = try parse(header, line)
        #expect(outcome == .record(start: 1_700_000_000))
        #expect(value(parser, "vpc_id", in: line) == "vpc-0a")
        #expect(value(parser, "dstport", in: line) == "443")
        #expect(value(parser, "tcp_flags", in: line) == "18")
        #expect(value(parser, "region", in: line) == "eu-west-1")
        #expect(value(parser, "flow_direction", in: line) == "egress")
        #expect(value(parser, "traffic_path", in: line) == "2")
        #expect(value(parser, "type", in: line) == "IPv4")
    }

    @Test("fields newer than flowq are kept as text")
    func unknownFields() throws {
        let header = "version start end quantum-flux reject-reason"
        let line = "9 100 160 warp BPA"
        let (parser, outcome) = try parse(header, line)
        #expect(outcome == .record(start: 100))
        #expect(parser.layout.unknownFieldNames == ["quantum-flux"])
        #expect(value(parser, "quantum_flux", in: line) == "warp")
        #expect(value(parser, "reject_reason", in: line) == "BPA")
    }

    @Test("malformed lines say what is wrong", arguments: [
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT", "expected 14 fields as the header says, found 13"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK extra", "expected 14 fields as the header says, found 15"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 70000 6 1 40 100 160 ACCEPT OK", "dstport is '70000', expected an integer in 0...65535"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 http 6 1 40 100 160 ACCEPT OK", "dstport is 'http', expected an integer in 0...65535"),
        ("2 1 eni-1 10.0.0.256 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK", "srcaddr is '10.0.0.256', expected an IPv4 or IPv6 address"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ALLOW OK", "action is 'ALLOW', expected ACCEPT or REJECT"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT FINE", "log_status is 'FINE', expected OK or NODATA or SKIPDATA"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 -40 100 160 ACCEPT OK", "bytes is '-40', expected an integer in 0...9223372036854775807"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 - 160 ACCEPT OK", "start is '-': the record cannot be placed in a day partition"),
        ("2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCÉPT OK", "control or non-ASCII byte 0xc3 at column 51"),
    ])
    func malformed(line: String, reason: String) throws {
        let (_, outcome) = try parse(defaultHeader, line)
        #expect(outcome == .malformed(reason))
    }

    @Test("headers that describe no layout are refused")
    func badHeaders() throws {
        #expect(throws: LayoutError.noHeader(firstField: "2")) { _ = try parse("2 123 eni-1", "x") }
        #expect(throws: LayoutError.duplicateField("start", "start")) { _ = try parse("version start start", "x") }
    }

    @Test("the header decides the table: Transit Gateway fields make a Transit Gateway log, never VPC columns", arguments: [
        ("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status", FlowTable.vpc),
        ("version resource-type account-id tgw-id tgw-attachment-id srcaddr start end", .transitGateway),
        ("version tgw-attachment-id srcaddr dstaddr start end", .transitGateway),
        ("version srcaddr packets-lost-blackhole start end", .transitGateway),
        // resource-type alone says Transit Gateway only without VPC's action.
        ("version resource-type srcaddr start end log-status", .transitGateway),
        ("version resource-type srcaddr start end action", .vpc),
    ])
    func table(header: String, table: FlowTable) throws {
        let layout = try FlowLayout(logFormat: header)
        #expect(layout.table == table)
        #expect(layout.unknownFieldNames.isEmpty)
    }

    @Test("AWS's Transit Gateway default format: every field known, typed, in the table's column order")
    func transitGatewayDefault() throws {
        let header = FlowLayout.transitGatewayDefaultFields.map(\.headerName).joined(separator: " ")
        #expect(header == "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service")
        let line = "6 TransitGateway 123456789012 tgw-0a tgw-attach-0a 123456789012 210987654321 vpc-0a vpc-0b subnet-0a subnet-0b eni-0a eni-0b use1-az1 use1-az2 tgw-attach-0b 10.0.1.5 10.1.2.7 49152 443 6 10 8400 1704456000 1704456060 OK IPv4 0 3 0 0 18 us-east-1 egress - -"
        let (parser, outcome) = try parse(header, line)
        #expect(outcome == .record(start: 1_704_456_000))
        #expect(parser.layout.table == .transitGateway)
        #expect(value(parser, "tgw_attachment_id", in: line) == "tgw-attach-0a")
        #expect(value(parser, "packets_lost_blackhole", in: line) == "3")
        #expect(value(parser, "pkt_src_aws_service", in: line) == "NULL")
        // The fields VPC logs have keep their column ids; the new ones come after them all.
        #expect(PartitionSchema.columnID(of: .encryptionStatus) == 42)
        #expect(PartitionSchema.columnID(of: .resourceType) == 43)
        #expect(FlowField.vpcFields.count == 42)
        #expect(FlowField.packetsLostBlackhole.storage == .integer(0...Int64.max))
        #expect(FlowField.tgwAttachmentID.storage == .dictionary)
        let negative = try parse(header, line.replacingOccurrences(of: " 0 3 0 0 ", with: " 0 -3 0 0 "))
        #expect(negative.1 == .malformed("packets_lost_blackhole is '-3', expected an integer in 0...9223372036854775807"))
    }

    @Test("a blank line is no record and no error")
    func blank() throws {
        let (_, outcome) = try parse(defaultHeader, "   ")
        #expect(outcome == .blank)
    }
}

@Suite("Addresses")
struct IPAddressTests {
    @Test("IPv4 parses to a number and back", arguments: ["0.0.0.0", "10.117.1.22", "255.255.255.255", "172.16.0.1"])
    func ipv4RoundTrip(text: String) {
        guard case .v4(let value)? = IPAddress(text) else { Issue.record("not parsed"); return }
        #expect(IPAddress.format(v4: value) == text)
    }

    @Test("invalid IPv4 is refused", arguments: ["1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", ""])
    func ipv4Invalid(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("IPv6 is read in every spelling and written canonically", arguments: [
        ("2001:db8:0:0:0:0:0:1", "2001:db8::1"), ("::1", "::1"), ("::", "::"), ("2001:DB8::", "2001:db8::"),
        ("fe80::1:0:0:1", "fe80::1:0:0:1"), ("::ffff:10.0.0.1", "::ffff:10.0.0.1"), ("::FFFF:a00:1", "::ffff:10.0.0.1"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
    ])
    func ipv6(text: String, canonical: String) {
        #expect(IPAddress(text)?.text == canonical)
    }

    @Test("invalid IPv6 is refused", arguments: ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", ":1", "1:", "g::1"])
    func ipv6Invalid(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("CIDR blocks for both families")
    func cidr() {
        let block = CIDRBlock("172.16.0.0/12")
        #expect(block?.low == IPAddress("172.16.0.0"))
        #expect(block?.high == IPAddress("172.31.255.255"))
        let v6 = CIDRBlock("2001:db8::/32")
        #expect(v6?.low == IPAddress("2001:db8::"))
        #expect(v6?.high == IPAddress("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(CIDRBlock("10.0.0.0/33") == nil)
    }

    /// Trino's rules, from its own tests of `contains`: an IPv4 network with host bits set or
    /// without a prefix is refused; an IPv6 one is masked; an IPv4-mapped network is IPv4.
    @Test("CIDR text is checked as Trino checks it", arguments: [
        ("10.1.2.3/8", "Invalid CIDR"), ("10.0.0.0", "Invalid CIDR"), ("203.0.113.3/16", "Invalid CIDR"),
        ("0.0.0.1/0", "Invalid CIDR"), ("10.0.0.1/33", "Prefix length exceeds address length"),
        ("2620:109:c006:104::/250", "Prefix length exceeds address length"), ("0.0.0.0/-1", "Invalid prefix length"),
        ("x.x.x.x/1", "Invalid network IP address"), ("x.x.x.x", "Invalid CIDR"),
    ])
    func cidrRefused(text: String, message: String) {
        #expect(CIDRBlock(text) == nil)
        #expect(CIDRBlock.problem(with: text) == message)
    }

    @Test("IPv6 host bits are masked; IPv4-mapped networks are IPv4 blocks")
    func cidrAccepted() {
        let masked = CIDRBlock("2001:abcd:ef01:2345:6789:abcd:ef01:234/64")
        #expect(masked?.low == IPAddress("2001:abcd:ef01:2345::"))
        #expect(masked?.high == IPAddress("2001:abcd:ef01:2345:ffff:ffff:ffff:ffff"))
        let mapped = CIDRBlock("::ffff:7f00:0001/32")
        #expect(mapped?.low == IPAddress("127.0.0.1"))
        #expect(mapped?.high == IPAddress("127.0.0.1"))
        #expect(CIDRBlock("10.0.0.0/8")?.ipv4Range == 0x0A00_0000...0x0AFF_FFFF)
        #expect(CIDRBlock("10.0.0.0/8")?.ipv6Range.low == IPAddress.mapped(0x0A00_0000))
        // ::/0 holds every IPv4 address too (as IPv4-mapped IPv6); 2001:db8::/32 holds none.
        #expect(CIDRBlock("::/0")?.ipv4Range == 0...UInt32.max)
        #expect(CIDRBlock("::/80")?.ipv4Range == 0...UInt32.max)
        #expect(CIDRBlock("::ffff:0:0/104") == nil, "a mapped network counts its prefix in IPv4 bits")
        #expect(CIDRBlock("2001:db8::/32")?.ipv4Range == nil)
    }
}

@Suite("S3 keys and days")
struct S3KeyTests {
    @Test("account and region come from every export layout", arguments: [
        "/x/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05/f.log.gz",
        "/x/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05/10/f.log.gz",
        "/x/prefix/AWSLogs/o-abc123/123456789012/vpcflowlogs/eu-west-1/2024/01/05/f.log.gz",
        "/x/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2024/month=01/day=05/f.log.gz",
        "/tmp/123456789012_vpcflowlogs_eu-west-1_fl-1_20240105T0005Z_ab.log.gz",
    ])
    func layouts(path: String) {
        let key = S3Key(path: path)
        #expect(key.accountID == "123456789012")
        #expect(key.region == "eu-west-1")
        #expect(key.deliveryTime.map(PartitionDay.init(unixSeconds:)) == PartitionDay("2024-01-05"))
    }

    @Test("a path that names nothing gives nothing")
    func nothing() {
        #expect(S3Key(path: "/tmp/flows.log") == S3Key())
    }

    @Test("days: both spellings, civil dates, weekdays, times before 1970")
    func days() {
        #expect(PartitionDay("2024-01-05") == PartitionDay("2024/01/05"))
        #expect(PartitionDay("2024-02-30") == nil)
        #expect(PartitionDay("2024-02-29")?.isoText == "2024-02-29")
        #expect(PartitionDay(unixSeconds: 1_704_412_800).isoText == "2024-01-05")
        #expect(PartitionDay(unixSeconds: 1_704_412_799).isoText == "2024-01-04")
        #expect(PartitionDay(unixSeconds: -1).isoText == "1969-12-31")
        #expect(PartitionDay("2024-01-01")?.dayOfWeek == 1) // a Monday
        #expect(PartitionDay("2024-01-07")?.slashedText == "2024/01/07")
    }
}
