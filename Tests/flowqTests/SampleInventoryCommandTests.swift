import FlowInventory
import FlowSamples
import Foundation
import Testing

/// `flowq sample --inventory`, then `flowq inventory add` of what it wrote: the inventory
/// explains the sample's addresses as a real one would a real account's.
@Suite("Sample inventory from the command line")
struct SampleInventoryCommandTests {
    /// `flowq sample --records 3000 --seed 5 --inventory`, ingested, its inventory added.
    private static func sampleStore(_ scratch: Scratch) throws -> (store: String, out: String) {
        let out = scratch.path("sample"), store = scratch.path("store")
        let sample = try CommandRunner.run(["sample", "--records", "3000", "--seed", "5", "--inventory", "--out", out])
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(sample.stderr.contains("wrote 8 inventory files under \(out)/inventory"), "\(sample.stderr)")
        let ingest = try CommandRunner.run(["ingest", "--store", store, out])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out + "/inventory").sorted().map { out + "/inventory/" + $0 }
        let add = try CommandRunner.run(["inventory", "add", "--store", store] + files)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stderr.components(separatedBy: "added ").count - 1 == 8, "\(add.stderr)")
        return (store, out)
    }

    /// The same corpus's ground truth, generated in process (the CLI's defaults, seed 5).
    private static func groundTruth(_ scratch: Scratch) throws -> SampleGroundTruth {
        var options = FlowLogGenerator.Options()
        options.records = 3000
        options.seed = 5
        options.inventory = true
        return try #require(try FlowLogGenerator(options: options).write(to: scratch.url.appendingPathComponent("again")).groundTruth)
    }

    /// Rows of a CSV answer, header dropped.
    private static func rows(_ result: CommandRunner.Result) -> [[String]] {
        result.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test("addr_owner attributes every interface address in the sample to its instance, NAT gateway, load balancer or function")
    func everyAddressOwned() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (store, out) = try Self.sampleStore(scratch)
        // The oracle: describe-network-interfaces read directly, owners as the lookup names them.
        let path = out + "/inventory/describe-network-interfaces.json"
        guard case .networkInterfaces(let interfaces) = try InventoryDocument.parse(data: Data(contentsOf: URL(fileURLWithPath: path)), name: path).content else {
            Issue.record("not interfaces"); return
        }
        var expected: [String: String] = [:]
        for row in interfaces where row.addressKind != .publicIPv4 {
            if let address = row.address { expected[address] = AddressOwners.owner(of: row) }
        }
        let answer = try CommandRunner.run(["query", "--store", store, "--format", "csv",
                                            "SELECT srcaddr, addr_owner(srcaddr) AS owner, count(*) AS flows FROM flows WHERE srcaddr IS NOT NULL GROUP BY 1, 2"])
        #expect(answer.status == 0, "\(answer.stderr)")
        let rows = Self.rows(answer)
        #expect(rows.count > 100)
        var kinds = Set<String>()
        for row in rows {
            let (address, owner) = (row[0], row[1])
            // The world's own addresses: its VPCs' IPv4 blocks and IPv6 /56s.
            let own = ["10.0.", "172.31.", "10.117.", "2001:db8:1234:a"].contains { address.hasPrefix($0) }
            if own {
                #expect(owner == expected[address], "\(address) is \(owner)")
                kinds.insert(String(owner.prefix { $0 != " " }))
            } else {
                #expect(owner.isEmpty, "\(address) is outside the world but owned by \(owner)")
            }
        }
        #expect(kinds == ["instance", "nat-gateway", "elb", "lambda"])
    }

    @Test("aws_service finds the S3 addresses of the NAT traffic, as the generator's ground truth lists them")
    func s3ThroughNAT() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (store, _) = try Self.sampleStore(scratch)
        let truth = try Self.groundTruth(scratch)
        let nats = truth.natHops.map(\.natPrivateIP)
        let answer = try CommandRunner.run(["query", "--store", store, "--format", "csv", """
            SELECT dstaddr, aws_service(dstaddr) AS service FROM flows
            WHERE srcaddr IN ('\(Set(nats).sorted().joined(separator: "', '"))') AND aws_service(dstaddr) IS NOT NULL GROUP BY 1, 2
            """])
        #expect(answer.status == 0, "\(answer.stderr)")
        let found = Dictionary(uniqueKeysWithValues: Self.rows(answer).map { ($0[0], $0[1]) })
        let expected = Dictionary(truth.natHops.compactMap { hop in hop.service.map { (hop.externalAddress, $0) } }, uniquingKeysWith: { a, _ in a })
        #expect(found == expected)
        #expect(found.values.contains("S3"))
        // The NAT gateways' S3 bytes, out and back, each once: the translated records only.
        let bytes = try CommandRunner.run(["query", "--store", store, "--format", "csv", """
            SELECT sum(bytes) FROM flows
            WHERE (srcaddr IN ('\(Set(nats).sorted().joined(separator: "', '"))') AND aws_service(dstaddr) = 'S3')
               OR (dstaddr IN ('\(Set(nats).sorted().joined(separator: "', '"))') AND aws_service(srcaddr) = 'S3')
            """])
        #expect(bytes.status == 0, "\(bytes.stderr)")
        #expect(Self.rows(bytes).first?.first == String(truth.natBytesByService["S3", default: 0]))
    }

    @Test("without --inventory, sample writes no inventory and says nothing of one")
    func noInventoryWithoutFlag() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CommandRunner.run(["sample", "--records", "100", "--out", scratch.path("plain")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("inventory"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("plain/inventory")))
    }
}
