import FlowInventory
import FlowModel
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowQuery
@testable import FlowReports
@testable import FlowStore

/// A store of the hand-written flows and inventory in `Tests/Fixtures/inventory-reports`: one
/// VPC (10.1.0.0/16) in three zones, a NAT gateway, two app instances, a database, a Lambda
/// interface, two security groups; NAT hops logged as AWS's example shows them (four records on
/// the gateway's interface, two on the client's), and one day-2 hop in the default format.
struct InventoryFixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/inventory-reports")
    static let allInventory = ["describe-network-interfaces.json", "describe-subnets.json", "describe-vpcs.json",
                               "describe-nat-gateways.json", "describe-vpc-endpoints.json", "describe-security-groups.json",
                               "ip-ranges.json"]
    static let window = ReportWindow(bounds: .days(from: PartitionDay("2024-01-05"), to: PartitionDay("2024-01-07")))
    static let gib: Int64 = 1_073_741_824

    let store: FlowStore
    let scratch: URL
    /// Every record of both files, read naively (field name → text).
    let records: [TextRecord]

    init(inventory names: [String] = InventoryFixture.allInventory) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-inventory-reports-\(UUID().uuidString)")
        store = FlowStore(url: scratch.appendingPathComponent("store"))
        let files = ["flows.log", "flows-nat.log"].map { Self.folder.appendingPathComponent($0).path }
        let summary = try Ingestor(store: store).ingest(paths: files)
        var records: [TextRecord] = []
        for path in files {
            var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            let header = lines.removeFirst().split(separator: " ").map { $0.replacingOccurrences(of: "-", with: "_") }
            for line in lines {
                var record: TextRecord = [:]
                for (name, value) in zip(header, line.split(separator: " ")) { record[name] = String(value) }
                records.append(record)
            }
        }
        #expect(summary.rejected.isEmpty && summary.recordsStored == Int64(records.count))
        self.records = records
        if !names.isEmpty {
            let inventory = try #require(try InventoryStore.open(store, forWriting: true))
            for name in names {
                let document = try InventoryDocument.parse(data: Data(contentsOf: Self.folder.appendingPathComponent(name)), name: name)
                _ = try inventory.add(document, source: name, contentKey: name, asOf: 1_704_067_200)
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(at: scratch) }

    func run(_ name: String, parameters: [String: String] = [:]) throws -> ReportResult {
        let report = try #require(BuiltInReports.named(name))
        return try ReportRunner(store: store).run(report, window: Self.window, parameters: parameters)
    }

    /// A section's rows as dictionaries of text (NULL left out).
    static func rows(_ result: ReportResult, _ title: String) throws -> [[String: String]] {
        let section = try #require(result.sections.first { $0.title == title }, "no section '\(title)'")
        return section.rows.map { row in
            var out: [String: String] = [:]
            for (value, column) in zip(row, section.columns) { out[column.name] = ValueText.plain(value, type: column.type) }
            return out
        }
    }

    /// Dollars as the reports round them.
    static func dollars(_ bytes: Int64, _ price: Double) -> Double {
        (Double(bytes) / Double(gib) * price * 10_000).rounded() / 10_000
    }

    // Facts of the hand-written world, for the direct calculations.
    static let natAddress = "10.1.0.10"
    static let zone = ["10.1.0.10": "us-east-1a", "10.1.1.10": "us-east-1a", "10.1.1.11": "us-east-1a",
                       "10.1.2.20": "us-east-1b", "10.1.2.50": "us-east-1b", "10.1.3.30": "us-east-1c"]
    static let interfaceAddress = ["eni-nat-a": "10.1.0.10", "eni-app1": "10.1.1.10", "eni-app2": "10.1.2.20",
                                   "eni-db": "10.1.3.30", "eni-lambda": "10.1.2.50"]
    static let source = ["10.1.1.10": "i-0app1", "10.1.2.20": "i-0app2", "10.1.2.50": "subnet-1b-app"]
    static let service = ["52.216.8.14": "S3", "3.218.180.10": "DYNAMODB", "198.51.100.7": "internet"]
}

extension TextRecord {
    /// The UTC day of the record's start.
    var day: String { PartitionDay(unixSeconds: int("start") ?? 0).isoText }
    /// Whether the address is in the fixture's VPC, 10.1.0.0/16.
    static func inVPC(_ address: String?) -> Bool { address?.hasPrefix("10.1.") ?? false }
}

@Suite("Inventory reports: NAT gateways, cross-AZ, security groups")
struct InventoryReportTests {
    @Test("nat-gateways counts each hop once, on the gateway's inside leg, by source and destination, priced per GB")
    func natGateways() throws {
        let fixture = try InventoryFixture()
        defer { fixture.remove() }
        let result = try fixture.run("nat-gateways")

        // Direct: the gateway interface's records between its address and an address of the VPC.
        let inside = fixture.records.filter { r in
            r.text("interface_id") == "eni-nat-a" && r.text("action") == "ACCEPT"
                && ((r.text("srcaddr") == InventoryFixture.natAddress && TextRecord.inVPC(r.text("dstaddr")) && r.text("dstaddr") != InventoryFixture.natAddress)
                    || (r.text("dstaddr") == InventoryFixture.natAddress && TextRecord.inVPC(r.text("srcaddr")) && r.text("srcaddr") != InventoryFixture.natAddress))
        }
        var perDay: [String: Int64] = [:]
        for r in inside { perDay[r.day, default: 0] += r.int("bytes") ?? 0 }
        // The same traffic seen once more from the clients' side: what left for outside the VPC.
        var clientSide: [String: Int64] = [:]
        for r in fixture.records where r.text("interface_id") != "eni-nat-a" && TextRecord.inVPC(r.text("srcaddr")) != TextRecord.inVPC(r.text("dstaddr")) {
            if InventoryFixture.service[r.text("srcaddr") ?? ""] != nil || InventoryFixture.service[r.text("dstaddr") ?? ""] != nil {
                clientSide[r.day, default: 0] += r.int("bytes") ?? 0
            }
        }
        #expect(perDay == ["2024-01-05": 16 * InventoryFixture.gib, "2024-01-06": 3 * InventoryFixture.gib])
        #expect(clientSide == perDay, "the gateway's inside leg and the clients' own records agree: each hop once")

        let days = try InventoryFixture.rows(result, NATGatewayReport.perDay)
        #expect(days.map { $0["day"] } == ["2024-01-05", "2024-01-06"])
        for row in days {
            let bytes = try #require(perDay[row["day"] ?? ""])
            #expect(row["nat_gateway"] == "nat-0flowq1a" && row["region"] == "us-east-1" && row["name"] == "egress-a")
            #expect(row["bytes"] == String(bytes))
            #expect(row["usd_per_gb"] == "0.045")
            #expect(Double(row["cost_usd"] ?? "") == InventoryFixture.dollars(bytes, 0.045))
        }

        // By source and destination, directly: the client's instance (else subnet) and the
        // pkt-* address's service; unknown where the log has no pkt-* fields.
        var expected: [String: Int64] = [:]
        for r in inside {
            let towards = r.text("dstaddr") == InventoryFixture.natAddress
            let client = towards ? r.text("srcaddr") : r.text("dstaddr")
            let remote = towards ? r.text("pkt_dstaddr") : r.text("pkt_srcaddr")
            let destination = remote.map { InventoryFixture.service[$0] ?? "?" } ?? "unknown"
            expected["\(r.day) \(InventoryFixture.source[client ?? ""] ?? "?") \(destination)", default: 0] += r.int("bytes") ?? 0
        }
        let detail = try InventoryFixture.rows(result, NATGatewayReport.bySourceAndDestination)
        var actual: [String: Int64] = [:]
        for row in detail { actual["\(row["day"] ?? "") \(row["source"] ?? "") \(row["destination"] ?? "")"] = Int64(row["bytes"] ?? "") }
        #expect(actual == expected)
        #expect(expected["2024-01-05 i-0app1 S3"] == 10 * InventoryFixture.gib)
        #expect(expected["2024-01-06 i-0app2 unknown"] == InventoryFixture.gib)

        // Findings: S3 (no gateway endpoint) but not DynamoDB (the VPC has one), and the bytes
        // whose destination the default format cannot say.
        let findings = try InventoryFixture.rows(result, NATGatewayReport.findings)
        #expect(findings.map { $0["destination"] } == ["S3", "unknown"])
        #expect(findings[0]["bytes"] == String(12 * InventoryFixture.gib))
        #expect(findings[0]["finding"]?.contains("a gateway endpoint (com.amazonaws.us-east-1.s3) in vpc-0flowq1 would make it free") == true)
        #expect(findings[1]["finding"]?.contains("lacks pkt-srcaddr and pkt-dstaddr") == true)
    }

    @Test("nat-gateways: a per-region price table overrides price_per_gb; a bad table or price is a usage error")
    func natPrices() throws {
        let fixture = try InventoryFixture()
        defer { fixture.remove() }
        let table = fixture.scratch.appendingPathComponent("prices.txt")
        try "# region  USD per GB\nus-east-1  0.05\neu-central-1, 0.052\n".write(to: table, atomically: true, encoding: .utf8)
        let result = try fixture.run("nat-gateways", parameters: ["price_table": table.path])
        let days = try InventoryFixture.rows(result, NATGatewayReport.perDay)
        #expect(days.map { $0["usd_per_gb"] } == ["0.05", "0.05"])
        #expect(Double(days[0]["cost_usd"] ?? "") == InventoryFixture.dollars(16 * InventoryFixture.gib, 0.05))
        let cheaper = try fixture.run("nat-gateways", parameters: ["price_per_gb": "0.01"])
        #expect(try InventoryFixture.rows(cheaper, NATGatewayReport.perDay)[1]["cost_usd"] == "0.03")

        try "us-east-1 cheap\n".write(to: table, atomically: true, encoding: .utf8)
        #expect(throws: ReportError.self) { try fixture.run("nat-gateways", parameters: ["price_table": table.path]) }
        do {
            _ = try fixture.run("nat-gateways", parameters: ["price_per_gb": "free"])
            Issue.record("a price that is not a number ran")
        } catch let error as ReportError {
            #expect(error.kind == .usage && error.message.contains("price_per_gb=free"))
        }
    }

    @Test("cross-az: bytes per pair of zones and per talker pair, each flow once (the sender's record, else the receiver's), priced both ways")
    func crossAZ() throws {
        let fixture = try InventoryFixture()
        defer { fixture.remove() }
        let result = try fixture.run("cross-az")

        // Direct: per (day, source, destination), the sender interface's bytes, else the receiver's.
        var sender: [String: Int64] = [:], receiver: [String: Int64] = [:]
        for r in fixture.records where r.text("action") == "ACCEPT" {
            let key = "\(r.day)|\(r.text("srcaddr") ?? "")|\(r.text("dstaddr") ?? "")"
            let own = InventoryFixture.interfaceAddress[r.text("interface_id") ?? ""]
            if own == r.text("srcaddr") { sender[key, default: 0] += r.int("bytes") ?? 0 }
            else if own == r.text("dstaddr") { receiver[key, default: 0] += r.int("bytes") ?? 0 }
        }
        var zones: [String: Int64] = [:]
        for key in Set(sender.keys).union(receiver.keys) {
            let parts = key.split(separator: "|").map(String.init)
            guard let from = InventoryFixture.zone[parts[1]], let to = InventoryFixture.zone[parts[2]], from != to else { continue }
            zones["\(from)>\(to)", default: 0] += sender[key] ?? receiver[key] ?? 0
        }
        let g = InventoryFixture.gib
        let handComputed: [String: Int64] = [
            "us-east-1a>us-east-1b": 11 * g / 2, "us-east-1a>us-east-1c": 3 * g, "us-east-1b>us-east-1a": 11 * g / 4,
            "us-east-1b>us-east-1c": 2 * g, "us-east-1c>us-east-1a": g, "us-east-1c>us-east-1b": g / 2,
        ]
        #expect(zones == handComputed)

        let rows = try InventoryFixture.rows(result, CrossAZReport.zonePairs)
        #expect(rows.count == zones.count)
        let rowBytes: [Int64] = rows.map { Int64($0["bytes"] ?? "") ?? 0 }
        let largestFirst: [Int64] = zones.values.sorted(by: >)
        #expect(rowBytes == largestFirst, "largest first")
        for row in rows {
            let bytes = try #require(zones["\(row["from_az"] ?? "")>\(row["to_az"] ?? "")"])
            #expect(row["bytes"] == String(bytes))
            #expect(Double(row["cost_usd"] ?? "") == InventoryFixture.dollars(bytes, 0.02), "$0.01 out of one zone and $0.01 into the other")
        }
        #expect(rows[0]["from_az_id"] == "use1-az1" && rows[0]["to_az_id"] == "use1-az2")

        let talkers = try InventoryFixture.rows(result, "Top 50 talker pairs across zones")
        #expect(talkers.first?["source"] == "10.1.0.10" && talkers.first?["destination"] == "10.1.2.50")
        #expect(talkers.first?["source_owner"] == "nat-gateway nat-0flowq1a" && talkers.first?["destination_owner"] == "lambda")
        #expect(talkers.first?["bytes"] == String(3 * g))
        let talkerBytes: [Int64] = talkers.map { Int64($0["bytes"] ?? "") ?? 0 }
        let zoneTotal: Int64 = zones.values.reduce(0, +)
        #expect(talkerBytes.reduce(0, +) == zoneTotal)
        let priced = try fixture.run("cross-az", parameters: ["price_per_gb": "0.02", "top": "2"])
        #expect(try InventoryFixture.rows(priced, "Top 2 talker pairs across zones").count == 2)
        #expect(Double(try InventoryFixture.rows(priced, CrossAZReport.zonePairs)[0]["cost_usd"] ?? "") == InventoryFixture.dollars(zones["us-east-1a>us-east-1b"] ?? 0, 0.04))
    }

    @Test("security-groups: flows each rule admits, unused rules, and wide rules narrowed to exactly the observed peers and ports")
    func securityGroups() throws {
        let fixture = try InventoryFixture()
        defer { fixture.remove() }
        let result = try fixture.run("security-groups")
        let rules = try InventoryFixture.rows(result, SecurityGroupReport.rulesTitle)
        func rule(_ group: String, _ direction: String, _ ports: String, _ peer: String) throws -> [String: String] {
            try #require(rules.first { $0["group_id"] == group && $0["direction"] == direction && $0["ports"] == ports && $0["peer"] == peer })
        }

        // Direct: accepted records into app1's address on port 443 that are not answers.
        let https = fixture.records.filter { r in
            r.text("interface_id") == "eni-app1" && r.text("action") == "ACCEPT" && r.text("dstaddr") == "10.1.1.10"
                && r.text("dstport") == "443" && (r.int("srcport") ?? 0) > 443
        }
        let web443 = try rule("sg-0web", "ingress", "443", "0.0.0.0/0")
        #expect(web443["flows"] == String(https.count) && https.count == 5)
        #expect(web443["bytes"] == String(https.compactMap { $0.int("bytes") }.reduce(0, +)))
        #expect(web443["peers"] == "5" && web443["status"] == "wide")
        #expect(web443["last_seen"] == SecurityGroupReport.timeText(https.compactMap { $0.int("end") }.max() ?? 0))

        let postgres = fixture.records.filter { r in
            r.text("interface_id") == "eni-db" && r.text("dstaddr") == "10.1.3.30" && r.text("dstport") == "5432"
        }
        #expect(try rule("sg-0db", "ingress", "5432", "sg-0web")["flows"] == String(postgres.count))
        #expect(try rule("sg-0db", "ingress", "5432", "10.1.1.0/24")["flows"] == String(postgres.filter { $0.text("srcaddr")?.hasPrefix("10.1.1.") == true }.count))
        #expect(try rule("sg-0web", "egress", "443", "pl-63a5400a")["status"] == "not evaluated (prefix list)")

        // Unused by construction: no SSH was accepted, and nothing talks MySQL.
        let unused = try InventoryFixture.rows(result, SecurityGroupReport.unusedTitle)
        #expect(unused.map { "\($0["group_id"] ?? "") \($0["ports"] ?? "") \($0["peer"] ?? "")" } == ["sg-0db 3306 10.1.0.0/16", "sg-0web 22 10.1.0.0/16"])

        // Wide rules: each suggestion admits exactly what was seen.
        let wide = try InventoryFixture.rows(result, SecurityGroupReport.wideTitle)
        let anywhere = try #require(wide.first { $0["peer"] == "0.0.0.0/0" && $0["direction"] == "ingress" })
        #expect(anywhere["suggested_peers"] == "198.51.100.9/32, 203.0.113.4/30")
        #expect(Self.addresses(anywhere["suggested_peers"] ?? "") == Set(https.compactMap { $0.text("srcaddr") }))
        #expect(anywhere["suggested_ports"] == "443" && anywhere["suggested_protocol"] == "tcp")

        // The default egress rule (all protocols to 0.0.0.0/0) against what the web interfaces started.
        let started = fixture.records.filter { r in
            ["eni-app1", "eni-app2"].contains(r.text("interface_id") ?? "") && r.text("action") == "ACCEPT"
                && r.text("srcaddr") == InventoryFixture.interfaceAddress[r.text("interface_id") ?? ""]
                && !((r.int("srcport") ?? 0) < (r.int("dstport") ?? 0) && (r.int("dstport") ?? 0) >= 1024)
        }
        let egress = try #require(wide.first { $0["direction"] == "egress" })
        #expect(egress["flows"] == String(started.count))
        #expect(Self.addresses(egress["suggested_peers"] ?? "") == Set(started.compactMap { $0.text("dstaddr") }))
        #expect(egress["suggested_ports"] == PortRanges.text(PortRanges.ranges(started.compactMap { $0.int("dstport") })))
        #expect(egress["suggested_ports"] == "443, 5432, 9100" && egress["suggested_protocol"] == "tcp")

        let group = try #require(wide.first { $0["peer"] == "sg-0web" })
        #expect(group["ports"] == "8000-8999" && group["suggested_ports"] == "8080" && group["suggested_peers"] == "sg-0web")
    }

    @Test("Without the inventory a report needs, a clear error names the describe commands and flowq inventory add")
    func missingInventory() throws {
        let bare = try InventoryFixture(inventory: [])
        defer { bare.remove() }
        for (report, command) in [("nat-gateways", "aws ec2 describe-nat-gateways"), ("cross-az", "aws ec2 describe-subnets"),
                                  ("security-groups", "aws ec2 describe-security-groups")] {
            do {
                _ = try bare.run(report)
                Issue.record("\(report) ran without an inventory")
            } catch let error as ReportError {
                #expect(error.kind == .missingInventory)
                #expect(error.message.contains(command), "\(error.message)")
                #expect(error.message.contains("flowq inventory add"))
            }
        }
        let partial = try InventoryFixture(inventory: ["describe-network-interfaces.json", "describe-subnets.json"])
        defer { partial.remove() }
        do {
            _ = try partial.run("nat-gateways")
            Issue.record("nat-gateways ran without describe-nat-gateways")
        } catch let error as ReportError {
            #expect(error.message.contains("`aws ec2 describe-nat-gateways` output and AWS's ip-ranges.json"), "\(error.message)")
            #expect(!error.message.contains("describe-subnets"))
        }
        #expect(throws: Never.self) { try partial.run("cross-az") }
    }

    @Test("Computed reports render in every format: JSON with notes and numbers, CSV, Markdown, HTML")
    func formats() throws {
        let fixture = try InventoryFixture()
        defer { fixture.remove() }
        let result = try fixture.run("nat-gateways")
        let json = ReportRenderer(format: .json).render(result)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let queries = try #require(object["queries"] as? [[String: Any]])
        #expect(queries.map { $0["name"] as? String } == [NATGatewayReport.perDay, NATGatewayReport.bySourceAndDestination, NATGatewayReport.findings])
        let first = try #require((queries[0]["rows"] as? [[Any]])?.first)
        #expect((first[5] as? NSNumber)?.int64Value == 16 * InventoryFixture.gib)
        #expect((queries[0]["notes"] as? [String])?.first?.contains("Each hop counted once") == true)
        #expect((object["parameters"] as? [String: String])?["price_per_gb"] == "0.045")

        let csv = ReportRenderer(format: .csv).render(result)
        #expect(csv.contains("nat_gateway,name,vpc_id,region,day,bytes,gb,usd_per_gb,cost_usd\r\nnat-0flowq1a,egress-a,vpc-0flowq1,us-east-1,2024-01-05,17179869184,16.0,0.045,0.72\r\n"))
        let markdown = ReportRenderer(format: .markdown).render(result)
        #expect(markdown.contains("## Findings"))
        #expect(markdown.contains("| nat-0flowq1a | egress-a | vpc-0flowq1 | us-east-1 | 2024-01-05 | 17,179,869,184 | 16 | 0.045 | 0.72 |"))
        let html = ReportRenderer(format: .html).render(result)
        #expect(html.contains("<p class=\"note\">Each hop counted once"))
        let table = ReportRenderer(format: .table).render(try fixture.run("security-groups"))
        #expect(table.contains("== Rules that admitted nothing in the window"))
    }

    @Test("Prefix arithmetic: the exact cover of a set of addresses, the covering prefix, port ranges")
    func prefixes() {
        let addresses = ["10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.9", "2001:db8::1", "2001:db8::"].compactMap(NetworkAddress.init)
        #expect(NetworkPrefix.exactCover(addresses).map(\.text) == ["10.0.0.4/30", "10.0.0.9/32", "2001:db8::/127"])
        #expect(NetworkPrefix.smallestCovering(addresses).map(\.text) == ["10.0.0.0/28", "2001:db8::/127"])
        #expect(NetworkPrefix("10.1.2.3/16")?.text == "10.1.0.0/16")
        #expect(NetworkPrefix("0.0.0.0/0")?.contains(NetworkAddress("203.0.113.9")!) == true)
        #expect(NetworkPrefix("::/0")?.contains(NetworkAddress("203.0.113.9")!) == false)
        #expect(PortRanges.text(PortRanges.ranges([443, 8081, 8080, 22, 8082])) == "22, 443, 8080-8082")
        #expect(ReportInventory.region(ofZone: "us-west-2-lax-1a") == "us-west-2")
        #expect(ReportInventory.region(ofZone: "us-gov-west-1b") == "us-gov-west-1")
        let prices = try? RegionPrices.parse("# region price\nus-east-1 0.045\neu-central-1,0.052 # Frankfurt\n\n*\t0.05\n", name: "p", fallback: 0.1)
        #expect(prices == RegionPrices(fallback: 0.05, prices: ["us-east-1": 0.045, "eu-central-1": 0.052]))
        #expect(prices?.price(for: "ap-south-1") == 0.05 && prices?.price(for: nil) == 0.05)
        #expect(throws: ReportError.self) { try RegionPrices.parse("us-east-1\n", name: "p", fallback: 0.1) }
    }

    /// Every address the comma-separated prefixes hold (small prefixes only).
    static func addresses(_ text: String) -> Set<String> {
        var out = Set<String>()
        for piece in text.split(separator: ",") {
            guard let prefix = NetworkPrefix(piece.trimmingCharacters(in: .whitespaces)), prefix.hostBits <= 16 else { continue }
            for offset in 0..<(UInt128(1) << UInt128(prefix.hostBits)) {
                out.insert(NetworkAddress(isIPv6: prefix.network.isIPv6, value: prefix.network.value + offset).text)
            }
        }
        return out
    }
}
