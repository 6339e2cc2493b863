import Foundation
import Testing
@testable import FlowInventory

/// A full-size `ip-ranges.json` (the real one is about 5 MB and 16,000 prefixes): parsed and
/// indexed in one go. The time is printed for the record; the bound only catches a quadratic
/// mistake, speed itself belongs in a benchmark.
@Suite("Large files")
struct LargeFileTests {
    /// A generated ip-ranges.json of at least `bytes` bytes, in the real file's layout.
    static func generatedIPRanges(bytes: Int) -> (text: [UInt8], prefixes: Int) {
        var random = SplitMix64(state: 2024)
        let services = ["AMAZON", "AMAZON", "AMAZON", "EC2", "EC2", "S3", "CLOUDFRONT", "ROUTE53_HEALTHCHECKS"]
        let regions = ["us-east-1", "eu-west-1", "ap-northeast-2", "GLOBAL"]
        var v4 = "", v6 = ""
        var count = 0
        while v4.utf8.count + v6.utf8.count < bytes {
            let region = regions.randomElement(using: &random)!
            let service = services.randomElement(using: &random)!
            let length = Int.random(in: 8...32, using: &random)
            let network = UInt32.random(in: .min ... .max, using: &random) & ~PrefixIntervals<UInt32>.hostMask(length)
            if !v4.isEmpty { v4 += ",\n" }
            v4 += "    {\n      \"ip_prefix\": \"\(IPAddressText.format(v4: network))/\(length)\",\n      \"region\": \"\(region)\",\n      \"service\": \"\(service)\",\n      \"network_border_group\": \"\(region)\"\n    }"
            let length6 = Int.random(in: 24...64, using: &random)
            let network6 = (UInt128(0x2600) << 112 | UInt128(random.next()) << 48) & ~PrefixIntervals<UInt128>.hostMask(length6)
            if !v6.isEmpty { v6 += ",\n" }
            v6 += "    {\n      \"ipv6_prefix\": \"\(IPAddressText.format(v6: network6))/\(length6)\",\n      \"region\": \"\(region)\",\n      \"service\": \"\(service)\",\n      \"network_border_group\": \"\(region)\"\n    }"
            count += 2
        }
        let text = "{\n  \"syncToken\": \"1704485587\",\n  \"createDate\": \"2024-01-05-20-13-07\",\n  \"prefixes\": [\n\(v4)\n  ],\n  \"ipv6_prefixes\": [\n\(v6)\n  ]\n}\n"
        return (Array(text.utf8), count)
    }

    @Test("a 5 MB ip-ranges.json parses and indexes without a quadratic step")
    func fiveMegabytes() throws {
        let (text, prefixes) = Self.generatedIPRanges(bytes: 5_000_000)
        let clock = ContinuousClock()
        let start = clock.now
        let document = try InventoryDocument.parse(bytes: text, name: "ip-ranges.json")
        let parsed = clock.now
        guard case .ipRanges(let file) = document.content else { Issue.record("wrong kind"); return }
        let ranges = try AWSIPRanges(file)
        let indexed = clock.now
        #expect(file.rows.count == prefixes)
        #expect(ranges.prefixCount > 0)
        #expect(document.asOf == 1_704_485_587)
        print("ip-ranges.json: \(text.count) bytes, \(prefixes) prefixes: parse \(parsed - start), index \(indexed - parsed)")
        #expect(indexed - start < .seconds(10))
    }
}
