import FlowInventory
import FlowModel
import FlowSamples
import Foundation
import Testing

/// `flowq sample --inventory`: the flag-off corpus untouched, an inventory FlowInventory reads,
/// and ground truth the records agree with.
@Suite("Sample inventory")
struct SampleInventoryTests {
    /// A small corpus with the inventory, every file in the custom layout (VPC, subnet, zone and
    /// packet addresses in each record).
    static func withInventory(records: Int = 3_000, seed: UInt64 = 11) throws -> SampleCorpus {
        try SampleCorpus {
            $0.records = records
            $0.filesPerDay = 3
            $0.layout = .custom
            $0.seed = seed
            $0.inventory = true
        }
    }

    static func document(_ corpus: SampleCorpus, _ name: String) throws -> InventoryDocument {
        let path = corpus.inventoryFile(name)
        return try InventoryDocument.parse(data: Data(contentsOf: URL(fileURLWithPath: path)), name: name)
    }

    @Test("without --inventory the files are byte for byte what the generator wrote before the flag existed")
    func flagOffUnchanged() throws {
        let corpus = try SampleCorpus {
            $0.records = 3_000
            $0.days = 2
            $0.filesPerDay = 3
            $0.layout = .mixed
            $0.seed = 42
        }
        defer { corpus.remove() }
        // Recorded from the generator of commit 1b1f341 (before `--inventory`), plain files so
        // that no zlib version enters: any change to the world or the random stream without the
        // flag changes this number, and with it the benchmarks' and tests' corpora.
        #expect(try corpus.digest() == 0xB434_E593_9242_AA26)
        #expect(corpus.corpus.files.count == 6)
        #expect(corpus.corpus.groundTruth == nil)
        #expect(corpus.corpus.inventoryFiles.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: corpus.folder.appendingPathComponent("inventory").path))
    }

    @Test("the same seed writes the same corpus, inventory and ground truth")
    func deterministic() throws {
        let first = try Self.withInventory(records: 600)
        defer { first.remove() }
        let second = try Self.withInventory(records: 600)
        defer { second.remove() }
        #expect(try first.digest() == second.digest())
        #expect(first.corpus.groundTruth == second.corpus.groundTruth)
    }

    @Test("every inventory file is read by FlowInventory, as the kind its name says, with the world's row counts")
    func inventoryParses() throws {
        let corpus = try Self.withInventory()
        defer { corpus.remove() }
        #expect(corpus.corpus.inventoryFiles.map { URL(fileURLWithPath: $0).lastPathComponent } == [
            "describe-vpcs.json", "describe-subnets.json", "describe-instances.json", "describe-network-interfaces.json",
            "describe-nat-gateways.json", "describe-security-groups.json", "describe-vpc-endpoints.json", "ip-ranges.json",
        ])
        var counts: [String: Int] = [:]
        for path in corpus.corpus.inventoryFiles {
            let document = try InventoryDocument.parse(data: Data(contentsOf: URL(fileURLWithPath: path)), name: path)
            for set in document.rowSets { counts[set.tableName, default: 0] += set.rows.count }
        }
        #expect(counts == [
            // 40 interfaces with a private and an IPv6 address each; 3 NAT gateways' interfaces
            // with a private and a public address.
            "network_interfaces": 86,
            // 40 interfaces less 4 load balancers and 4 Lambda functions.
            "instances": 32,
            // A public and a private subnet in each of 3 zones, in each of 3 VPCs.
            "subnets": 18, "vpcs": 3,
            // Per VPC a web group (443, 80, 8443 from anywhere; all out) and an app group (8080
            // from web, 5 ports and 2 unused ones from the VPC; all out).
            "security_groups": 6, "security_group_rules": 39,
            "nat_gateways": 3, "vpc_endpoints": 0,
            // 5 IPv4 and 1 IPv6 range, each as AMAZON and as its service.
            "aws_ip_ranges": 12,
        ])
    }

    @Test("records and inventory agree: each interface's subnet, zone, VPC and instance")
    func recordsMatchInventory() throws {
        let corpus = try Self.withInventory()
        defer { corpus.remove() }
        guard case .networkInterfaces(let interfaces) = try Self.document(corpus, "describe-network-interfaces.json").content,
              case .subnets(let subnets) = try Self.document(corpus, "describe-subnets.json").content else {
            Issue.record("unexpected kinds"); return
        }
        let zoneOfSubnet = Dictionary(subnets.map { ($0.subnetID, $0.availabilityZoneID ?? "") }, uniquingKeysWith: { a, _ in a })
        let zoneNames = Set(subnets.map { "\($0.availabilityZone ?? "")=\($0.availabilityZoneID ?? "")" })
        #expect(zoneNames == ["us-east-1b=use1-az1", "us-east-1c=use1-az2", "us-east-1a=use1-az3"])
        let byInterface = Dictionary(interfaces.map { ($0.interfaceID, $0) }, uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        for record in try corpus.records() {
            let id = try #require(record["interface-id"])
            let interface = try #require(byInterface[id], "\(id) is in no describe-network-interfaces entry")
            #expect(record["subnet-id"] == interface.subnetID)
            #expect(record["vpc-id"] == interface.vpcID)
            #expect(record["az-id"] == zoneOfSubnet[interface.subnetID ?? ""])
            #expect(record["instance-id"] == (interface.instanceID ?? "-"))
            seen.insert(id)
        }
        #expect(seen.count > 30)
    }

    @Test("each NAT hop is six records as AWS documents them, and its bytes are the ground truth's")
    func natHops() throws {
        let corpus = try Self.withInventory()
        defer { corpus.remove() }
        let truth = try #require(corpus.corpus.groundTruth)
        #expect(truth.natHops.count > 100)
        let records = try corpus.records()
        let natInterfaces = Set(truth.natHops.map(\.natInterfaceID))
        #expect(natInterfaces.count == 3)
        let onNAT = records.filter { natInterfaces.contains($0["interface-id"] ?? "") }
        #expect(onNAT.count == 4 * truth.natHops.count)
        // On the NAT gateway's interface each direction is logged twice (in, then out).
        #expect(onNAT.reduce(0) { $0 + (Int($1["bytes"] ?? "") ?? 0) } == 2 * truth.natBytes)
        #expect(truth.natBytesByGateway.values.reduce(0, +) == truth.natBytes)

        let hop = try #require(truth.natHops.first)
        let pair = { (record: [String: String]) in [record["srcaddr"]!, record["dstaddr"]!, record["pkt-srcaddr"]!, record["pkt-dstaddr"]!] }
        let (source, nat, external) = (hop.sourceAddress, hop.natPrivateIP, hop.externalAddress)
        let hopRecords = records.filter {
            $0["start"] == String(hop.start) && [hop.natInterfaceID, hop.sourceInterfaceID].contains($0["interface-id"])
                && Set(pair($0)).isSubset(of: [source, nat, external])
        }
        // The VPC user guide's "Traffic through a NAT gateway", record for record.
        #expect(hopRecords.map(pair) == [
            [source, external, source, external], [external, source, external, source],
            [source, nat, source, external], [nat, external, nat, external],
            [external, nat, external, nat], [nat, source, external, source],
        ])
        #expect(hopRecords.map { $0["instance-id"]! }.suffix(4) == ["-", "-", "-", "-"])
        #expect(hopRecords.map { Int($0["bytes"]!)! } == [hop.requestBytes, hop.responseBytes, hop.requestBytes, hop.requestBytes,
                                                         hop.responseBytes, hop.responseBytes])
    }

    @Test("the ip-ranges.json excerpt names the service of every AWS address the NAT hops reach, and S3 is among them")
    func awsServices() throws {
        let corpus = try Self.withInventory()
        defer { corpus.remove() }
        let truth = try #require(corpus.corpus.groundTruth)
        guard case .ipRanges(let file) = try Self.document(corpus, "ip-ranges.json").content else { Issue.record("not ip-ranges"); return }
        let ranges = try AWSIPRanges(file)
        for hop in truth.natHops {
            #expect(ranges.service(for: hop.externalAddress) == hop.service, "\(hop.externalAddress)")
            #expect(hop.service == nil || ranges.region(for: hop.externalAddress) == "us-east-1")
        }
        let services = truth.natBytesByService
        #expect(services["S3", default: 0] > 0)
        #expect(services["DYNAMODB", default: 0] > 0)
        #expect(services["EC2", default: 0] > 0)
    }

    @Test("flows between interfaces of a VPC are logged on both, and some cross zones")
    func crossZone() throws {
        let corpus = try Self.withInventory()
        defer { corpus.remove() }
        let truth = try #require(corpus.corpus.groundTruth)
        let records = try corpus.records()
        #expect(!truth.crossZoneFlows.isEmpty)
        #expect(truth.crossZoneFlows.count < truth.internalFlows.count)
        for flow in truth.crossZoneFlows.prefix(20) {
            let logged = records.filter {
                $0["start"] == String(flow.start) && $0["srcaddr"] == flow.sourceAddress && $0["dstaddr"] == flow.destinationAddress
                    && $0["dstport"] == String(flow.port)
            }
            #expect(logged.map { $0["interface-id"]! } == [flow.sourceInterfaceID, flow.destinationInterfaceID])
            #expect(logged.map { $0["az-id"]! } == [flow.sourceZoneID, flow.destinationZoneID])
            #expect(logged.allSatisfy { $0["bytes"] == String(flow.bytes) })
        }
    }

    @Test("security groups: rules the traffic uses, rules it never uses, and a rule open to everyone that few peers use")
    func securityGroupRules() throws {
        let corpus = try Self.withInventory()
        defer { corpus.remove() }
        guard case .securityGroups(_, let rules) = try Self.document(corpus, "describe-security-groups.json").content else {
            Issue.record("not security groups"); return
        }
        // What reaches the groups' interfaces (a NAT gateway's has none, and picks its ports freely).
        let natInterfaces = Set(try #require(corpus.corpus.groundTruth).natHops.map(\.natInterfaceID))
        let records = try corpus.records().filter {
            $0["log-status"] == "OK" && $0["flow-direction"] == "ingress" && !natInterfaces.contains($0["interface-id"] ?? "")
        }
        let ingressPorts = Set(records.compactMap { Int($0["dstport"] ?? "") })
        let unused = rules.filter { $0.direction == .ingress && $0.fromPort.map { !ingressPorts.contains(Int($0)) } == true }
        #expect(Set(unused.compactMap(\.fromPort)) == [9200, 161])
        let wide = rules.filter { $0.cidr == "0.0.0.0/0" && $0.fromPort == 8443 }
        #expect(wide.count == 3)
        let adminPeers = Set(records.filter { $0["dstport"] == "8443" }.compactMap { $0["srcaddr"] })
        #expect((1...3).contains(adminPeers.count))
        #expect(rules.contains { $0.peerGroupID != nil && $0.fromPort == 8080 })
    }
}
