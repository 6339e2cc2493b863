import Foundation
import Testing
@testable import FlowInventory

/// `aws_service(addr)` and `aws_region(addr)`: the documented rule on real ip-ranges.json rows,
/// and the interval lookup against a brute-force scan of every prefix.
@Suite("AWS IP ranges")
struct AWSIPRangesTests {
    private func fixtureRanges() throws -> (IPRangesFile, AWSIPRanges) {
        let document = try fixtureDocument("ip-ranges.json")
        guard case .ipRanges(let file) = document.content else { throw FixtureError.wrongKind }
        return (file, try AWSIPRanges(file))
    }

    private enum FixtureError: Error { case wrongKind }

    @Test("the file: stamps, one row per listed prefix, --as-of from createDate")
    func file() throws {
        let document = try fixtureDocument("ip-ranges.json")
        let (file, ranges) = try fixtureRanges()
        #expect(file.syncToken == "1784861225")
        #expect(file.createDate == 1_784_861_225) // 2026-07-24-02-47-05 is the syncToken's second
        #expect(document.asOf == file.createDate)
        #expect(file.rows.count == 34)
        #expect(file.rows.filter { $0.ipVersion == 6 }.count == 17)
        #expect(file.rows[0].values == [.text("3.5.140.0/22"), .integer(4), .text("AMAZON"), .text("ap-northeast-2"),
                                        .text("ap-northeast-2"), .text("1784861225"), .integer(1_784_861_225)])
        #expect(file.rows.last?.prefix == "2600:1f18:1be8:8f00::/56")
        #expect(ranges.prefixCount == 20)
    }

    @Test("the rule on real rows", arguments: [
        ("52.216.8.14", "S3", "us-east-1", "52.216.0.0/15"),          // AMAZON and S3 list the same /15
        ("3.5.140.9", "S3", "ap-northeast-2", "3.5.140.0/22"),        // AMAZON, S3 and EC2: S3 is the narrower subset
        ("3.12.200.1", "EC2", "us-east-2", "3.12.0.0/16"),
        ("3.12.23.130", "AMAZON", "us-east-2", "3.12.23.128/26"),     // an AMAZON-only /26 inside EC2's /16: longest wins
        ("3.12.23.89", "AMAZON_APPFLOW", "us-east-2", "3.12.23.88/30"),
        ("3.4.25.1", "ROUTE53", "us-gov-east-1", "3.4.24.0/23"),
        ("3.4.30.1", "EC2", "us-gov-east-1", "3.4.24.0/21"),
        ("13.33.0.1", "CLOUDFRONT", "GLOBAL", "13.32.0.0/15"),
        ("70.132.63.255", "CLOUDFRONT_ORIGIN_FACING", "GLOBAL", "70.132.0.0/18"),
        ("2600:1f18::1", "EC2", "us-east-1", "2600:1f18::/33"),
        ("2600:1f18:3fff:f8ff:ffff:ffff:ffff:ffff", "ROUTE53_HEALTHCHECKS", "us-east-1", "2600:1f18:3fff:f800::/56"),
        ("2600:1f18:8000::5", "EC2", "us-east-1", "2600:1f18:8000::/36"),
        ("2400:7fc0:3000::1", "AMAZON", "cn-north-1", "2400:7fc0:3000::/48"),
        ("2400:7fc0:3001::1", "EC2", "cn-north-1", "2400:7fc0:3000::/40"),
        ("2a05:d070:e0ff::9", "S3", "me-south-1", "2a05:d070:e000::/40"),
        ("::ffff:52.216.8.14", "S3", "us-east-1", "52.216.0.0/15"),
    ])
    func rule(address: String, service: String, region: String, prefix: String) throws {
        let (_, ranges) = try fixtureRanges()
        let match = ranges.match(for: address)
        #expect(match?.service == service)
        #expect(match?.region == region)
        #expect(match?.prefix == prefix)
        #expect(ranges.service(for: address) == service)
        #expect(ranges.region(for: address) == region)
    }

    @Test("addresses outside every range, and text that is no address, have no match",
          arguments: ["8.8.8.8", "3.13.0.0", "70.132.64.0", "3.4.32.0", "2600:1f17:ffff::1", "::1", "not an address", "", "52.216.8.14/32"])
    func noMatch(address: String) throws {
        let (_, ranges) = try fixtureRanges()
        #expect(ranges.match(for: address) == nil)
    }

    @Test("numeric lookups agree with text ones")
    func numeric() throws {
        let (_, ranges) = try fixtureRanges()
        #expect(ranges.service(forIPv4: 0x34D8_080E) == "S3") // 52.216.8.14
        #expect(ranges.region(forIPv4: 0x34D8_080E) == "us-east-1")
        #expect(ranges.match(forIPv6: 0x2600_1F18_0000_0000_0000_0000_0000_0001)?.service == "EC2")
        #expect(ranges.match(forIPv6: 0xFFFF_34D8_080E)?.service == "S3") // ::ffff:52.216.8.14
        let bytes: [UInt8] = [0x26, 0x00, 0x1F, 0x18, 0x3F, 0xFF, 0xF8, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        #expect(ranges.match(forIPv6Bytes: bytes)?.service == "ROUTE53_HEALTHCHECKS")
        #expect(ranges.match(forIPv6Bytes: [1, 2, 3]) == nil)
    }

    @Test("among rows for one prefix: AMAZON never wins, then the smaller subset, then the name")
    func tieRule() {
        let counts = ["AMAZON": 100, "EC2": 40, "S3": 10, "CLOUDFRONT": 10, "ROUTE53": 3]
        #expect(AWSIPRanges.prefers("EC2", over: "AMAZON", counts: counts))
        #expect(!AWSIPRanges.prefers("AMAZON", over: "ROUTE53", counts: counts))
        #expect(AWSIPRanges.prefers("S3", over: "EC2", counts: counts))
        #expect(AWSIPRanges.prefers("CLOUDFRONT", over: "S3", counts: counts))
        #expect(!AWSIPRanges.prefers("S3", over: "CLOUDFRONT", counts: counts))
        #expect(!AWSIPRanges.prefers("S3", over: "S3", counts: counts))
        // A service listed more often than AMAZON (never in the real file) still beats it.
        #expect(AWSIPRanges.prefers("EC2", over: "AMAZON", counts: ["AMAZON": 1, "EC2": 9]))
    }

    @Test("a row whose prefix is not CIDR text is refused when building the lookup")
    func badRow() {
        let row = IPRangeRow(prefix: "52.216.0.0", ipVersion: 4, service: "S3", region: "us-east-1", networkBorderGroup: nil,
                             syncToken: "1", createDate: 0)
        #expect(throws: InventoryError(.invalidRow, file: "aws_ip_ranges", message: "'52.216.0.0' is not an IPv4 CIDR prefix")) {
            try AWSIPRanges(rows: [row])
        }
    }

    // MARK: Against brute force

    @Test("IPv4 lookups equal a scan of every prefix", arguments: [1, 2, 3])
    func bruteForceIPv4(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        let roots = (0..<4).map { _ in UInt32.random(in: .min ... .max, using: &random) }
        var prefixes: [(UInt32, Int)] = [(0, 0), (.max, 32), (0xFFFF_FF00, 24)]
        for _ in 0..<300 {
            let length = Int.random(in: 0...32, using: &random)
            let base = Bool.random(using: &random) ? roots.randomElement(using: &random)! : UInt32.random(in: .min ... .max, using: &random)
            prefixes.append((base & ~PrefixIntervals<UInt32>.hostMask(length), length))
        }
        let rows = makeRows(prefixes.map { (IPAddressText.format(v4: $0.0), $0.1, 4) }, using: &random)
        let ranges = try AWSIPRanges(rows: rows)
        var addresses = (0..<1000).map { _ in UInt32.random(in: .min ... .max, using: &random) }
        for (network, length) in prefixes {
            let last = network | PrefixIntervals<UInt32>.hostMask(length)
            addresses += [network, last, network &- 1, last &+ 1]
        }
        addresses += roots + [0, .max]
        let oracle = BruteForce(rows)
        for address in addresses {
            let expected = oracle.answer { prefix in
                guard case .v4(let network) = prefix.network else { return false }
                return address & ~PrefixIntervals<UInt32>.hostMask(prefix.length) == network
            }
            let found = ranges.match(forIPv4: address)
            #expect(found?.service == expected?.service && found?.region == expected?.region,
                    "\(IPAddressText.format(v4: address)): \(String(describing: found)) vs \(String(describing: expected))")
        }
    }

    @Test("IPv6 lookups equal a scan of every prefix", arguments: [11, 12, 13])
    func bruteForceIPv6(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        func random128() -> UInt128 { UInt128(random.next()) << 64 | UInt128(random.next()) }
        let roots = (0..<4).map { _ in random128() }
        var prefixes: [(UInt128, Int)] = [(0, 0), (.max, 128)]
        for _ in 0..<300 {
            let length = Int.random(in: 0...128, using: &random)
            let base = Bool.random(using: &random) ? roots.randomElement(using: &random)! : random128()
            prefixes.append((base & ~PrefixIntervals<UInt128>.hostMask(length), length))
        }
        let rows = makeRows(prefixes.map { (IPAddressText.format(v6: $0.0), $0.1, 6) }, using: &random)
        let ranges = try AWSIPRanges(rows: rows)
        var addresses = (0..<1000).map { _ in random128() }
        for (network, length) in prefixes {
            let last = network | PrefixIntervals<UInt128>.hostMask(length)
            addresses += [network, last, network &- 1, last &+ 1]
        }
        let oracle = BruteForce(rows)
        for address in addresses where address >> 32 != 0xFFFF {
            let expected = oracle.answer { prefix in
                guard case .v6(let network) = prefix.network else { return false }
                return address & ~PrefixIntervals<UInt128>.hostMask(prefix.length) == network
            }
            let found = ranges.match(forIPv6: address)
            #expect(found?.service == expected?.service && found?.region == expected?.region,
                    "\(IPAddressText.format(v6: address)): \(String(describing: found)) vs \(String(describing: expected))")
        }
    }

    /// Rows for `prefixes`, each listed under one to three services (sometimes `AMAZON`), with a
    /// region per row so a wrong pick shows.
    private func makeRows(_ prefixes: [(String, Int, Int)], using random: inout SplitMix64) -> [IPRangeRow] {
        let services = ["AMAZON", "EC2", "S3", "CLOUDFRONT", "ROUTE53", "DYNAMODB"]
        var rows: [IPRangeRow] = []
        for (address, length, version) in prefixes {
            for service in services.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)) {
                rows.append(IPRangeRow(prefix: "\(address)/\(length)", ipVersion: version, service: service,
                                       region: "region-\(rows.count)", networkBorderGroup: nil, syncToken: "1", createDate: 0))
            }
        }
        return rows
    }

}

/// The answer by definition, scanning every row: the longest containing prefix; among its rows
/// AMAZON last, then the service with fewer rows in the file, then the smaller name, then the
/// first row.
private struct BruteForce {
    let rows: [(row: IPRangeRow, prefix: IPPrefix)]
    let counts: [String: Int]

    init(_ rows: [IPRangeRow]) {
        self.rows = rows.compactMap { row in IPPrefix(row.prefix).map { (row, $0) } }
        var counts: [String: Int] = [:]
        for row in rows { counts[row.service, default: 0] += 1 }
        self.counts = counts
    }

    func answer(containing contains: (IPPrefix) -> Bool) -> IPRangeRow? {
        var best: (row: IPRangeRow, key: (Int, Int, Int, String, Int))? = nil
        for (index, entry) in rows.enumerated() where contains(entry.prefix) {
            // Smaller keys win: longer prefix, then not AMAZON, then fewer rows, then name, then file order.
            let service = entry.row.service
            let key = (-entry.prefix.length, service == "AMAZON" ? 1 : 0, counts[service, default: 0], service, index)
            if best == nil || key < best!.key { best = (entry.row, key) }
        }
        return best?.row
    }
}
