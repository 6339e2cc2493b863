import Foundation
import Testing
@testable import FlowInventory

/// The resource fixtures (AWS CLI reference examples for describe-instances, describe-subnets,
/// describe-vpcs and describe-security-groups) read into the rows flowq stores.
@Suite("Resource fixtures")
struct ResourceFixtureTests {
    @Test("instances: Reservations[].Instances[], with the reservation's owner")
    func instances() throws {
        let document = try fixtureDocument("describe-instances.json")
        guard case .instances(let rows) = document.content else { Issue.record("wrong kind"); return }
        #expect(rows.map(\.instanceID) == ["i-1234567890abcdef0", "i-0123a456700123456", "i-9876a543210987654"])
        #expect(rows[0].values == [
            .text("i-1234567890abcdef0"), .text("t3.nano"), .text("running"), .integer(1_668_509_339),
            .text("us-east-2a"), .text("subnet-04a636d18e83cfacb"), .text("vpc-1234567890abcdef0"),
            .text("10.0.0.157"), .text("34.253.223.13"), .text("ip-10-0-0-157.us-east-2.compute.internal"),
            .text("ec2-34-253-223-13.us-east-2.compute.amazonaws.com"), .text("ami-0abcdef1234567890"),
            .text(#"["sg-1234567890abcdefg"]"#), .text("111111111111"), .text("r-1234567890abcdefg"),
            .text("my-instance"), .text(#"{"Name":"my-instance"}"#),
        ])
        let stopped = rows[1]
        #expect(stopped.state == "stopped")
        #expect(stopped.launchTime == 1_614_705_706) // 2021-03-02T17:21:46.000Z, CLI v1's form
        #expect(stopped.publicIP == nil)
        #expect(stopped.publicDNSName == nil) // printed as ""
        #expect(stopped.securityGroupIDs == ["sg-0b0384b66d7d692f9", "sg-903004f8"])
        #expect(stopped.ownerID == "123456789012")
        #expect(stopped.values.suffix(2) == [.text("hdfs-datanode-7"), .text(#"{"Owner":"my-team","Name":"hdfs-datanode-7"}"#)])
        let terminated = rows[2]
        #expect(terminated.state == "terminated")
        #expect(terminated.subnetID == nil)
        #expect(terminated.privateIP == nil)
        #expect(terminated.privateDNSName == nil)
        #expect(terminated.values.suffix(2) == [.null, .text("{}")])
    }

    @Test("subnets: IPv6 blocks as a JSON array, disassociated ones left out")
    func subnets() throws {
        let document = try fixtureDocument("describe-subnets.json")
        guard case .subnets(let rows) = document.content else { Issue.record("wrong kind"); return }
        #expect(rows.map(\.subnetID) == ["subnet-0bb1c79de3EXAMPLE", "subnet-8EXAMPLE", "subnet-0736441d38EXAMPLE", "subnet-03f720e7deEXAMPLE"])
        #expect(rows[0].values == [
            .text("subnet-0bb1c79de3EXAMPLE"), .text("vpc-0ee975135dEXAMPLE"), .text("172.31.80.0/20"), .text("[]"),
            .text("us-east-1d"), .text("use1-az2"), .text("available"), .integer(4089), .boolean(true), .boolean(false),
            .text("111122223333"), .text("arn:aws:ec2:us-east-2:111122223333:subnet/subnet-0bb1c79de3EXAMPLE"),
            .null, .text("{}"),
        ])
        #expect(rows[1].tags.nameTag == "MySubnet")
        #expect(rows[2].ipv6CIDRBlocks == ["2600:1f13:cfe:3660::/64"])
        #expect(rows[3].cidrBlock == nil)
        #expect(rows[3].values[3] == .text(#"["2600:1f13:cfe:3662::/64"]"#))
    }

    @Test("VPCs: every associated block; the default VPC flagged")
    func vpcs() throws {
        let document = try fixtureDocument("describe-vpcs.json")
        guard case .vpcs(let rows) = document.content else { Issue.record("wrong kind"); return }
        #expect(rows.map(\.vpcID) == ["vpc-0e9801d129EXAMPLE", "vpc-06e4ab6c6cEXAMPLE", "vpc-3EXAMPLE"])
        #expect(rows[1].values == [
            .text("vpc-06e4ab6c6cEXAMPLE"), .text("10.0.0.0/16"), .text(#"["10.0.0.0/16","10.2.0.0/16"]"#),
            .text(#"["2600:1f13:cfe:3600::/56"]"#), .text("available"), .boolean(false), .text("dopt-19edf471"),
            .text("default"), .text("222222222222"), .text("Shared VPC"), .text(#"{"Name":"Shared VPC"}"#),
        ])
        #expect(rows[0].tags.nameTag == "Not Shared")
        #expect(rows[2].isDefault == true)
        #expect(rows[2].tags.isEmpty)
    }

    @Test("security groups: a rule row per peer, protocols normalised")
    func securityGroups() throws {
        let document = try fixtureDocument("describe-security-groups.json")
        #expect(document.rowSets.map(\.tableName) == ["security_groups", "security_group_rules"])
        guard case .securityGroups(let groups, let rules) = document.content else { Issue.record("wrong kind"); return }
        #expect(groups.map(\.groupID) == ["sg-903004f8", "sg-1234567890abcdef0"])
        #expect(groups[0].values == [
            .text("sg-903004f8"), .text("MySecurityGroup"), .text("My security group"), .text("vpc-1a2b3c4d"),
            .text("123456789012"), .text("SG1"), .text(#"{"Name":"SG1"}"#),
        ])
        let summary = rules.map { rule in
            let ports = "\(rule.fromPort.map(String.init) ?? "*")-\(rule.toPort.map(String.init) ?? "*")"
            let peer = rule.cidr ?? rule.peerGroupID ?? rule.prefixListID ?? "?"
            return "\(rule.groupID) \(rule.direction.rawValue) \(rule.ipProtocol)/\(rule.protocolNumber.map(String.init) ?? "-") \(ports) \(peer)"
        }
        #expect(summary == [
            "sg-903004f8 ingress all/- *-* sg-903004f8",
            "sg-903004f8 ingress tcp/6 22-22 203.0.113.0/24",
            "sg-903004f8 egress all/- *-* 0.0.0.0/0",
            "sg-1234567890abcdef0 ingress tcp/6 443-443 0.0.0.0/0",
            "sg-1234567890abcdef0 ingress tcp/6 443-443 ::/0",
            "sg-1234567890abcdef0 ingress tcp/6 22-22 2001:db8:1234:1a00::/64",
            "sg-1234567890abcdef0 ingress icmpv6/58 -1--1 ::/0",
            "sg-1234567890abcdef0 ingress icmp/1 8--1 10.0.0.0/16",
            "sg-1234567890abcdef0 ingress 50/50 *-* 198.51.100.0/24",
            "sg-1234567890abcdef0 egress tcp/6 443-443 pl-002dc3ec097de1514",
            "sg-1234567890abcdef0 egress udp/17 53-53 10.0.0.2/32",
            "sg-1234567890abcdef0 egress udp/17 53-53 sg-0b0384b66d7d692f9",
        ])
        #expect(rules[0].peerUserID == "123456789012")
        #expect(rules[1].values == [
            .text("sg-903004f8"), .text("ingress"), .text("tcp"), .integer(6), .integer(22), .integer(22),
            .text("203.0.113.0/24"), .null, .null, .null, .text("Access from NY office"),
        ])
        #expect(rules[9].ruleDescription == "S3 through the gateway endpoint")
        #expect(rules[11].ruleDescription == "resolvers")
    }

    @Test("protocol numbers print as names where the API has them", arguments: [
        ("6", "tcp", Int64(6)), ("17", "udp", 17), ("1", "icmp", 1), ("58", "icmpv6", 58), ("TCP", "tcp", 6), ("47", "47", 47),
    ])
    func protocols(given: String, name: String, number: Int64) throws {
        let text = #"{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "\#(given)", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]}]}"#
        guard case .securityGroups(_, let rules) = try InventoryDocument.parse(bytes: Array(text.utf8), name: "sg.json").content else { return }
        #expect(rules.map(\.ipProtocol) == [name])
        #expect(rules.map(\.protocolNumber) == [number])
    }

    @Test("every row of every fixture has one value per column, of the column's type")
    func rowShapes() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path).filter { $0.hasSuffix(".json") }
        #expect(names.count == 8)
        for name in names {
            let document = try fixtureDocument(name)
            #expect(document.kind.tableNames == document.rowSets.map(\.tableName), "\(name)")
            for set in document.rowSets {
                #expect(!set.rows.isEmpty, "\(name)")
                #expect(Set(set.columns.map(\.name)).count == set.columns.count, "\(set.tableName): repeated column")
                for row in set.rows {
                    #expect(row.count == set.columns.count, "\(set.tableName)")
                    for (value, column) in zip(row, set.columns) {
                        #expect(fits(value, column.type), "\(set.tableName).\(column.name): \(value)")
                    }
                }
            }
        }
    }

    private func fits(_ value: InventoryValue, _ type: InventorySQLType) -> Bool {
        switch (value, type) {
        case (.null, _), (.text, .varchar), (.integer, .bigint), (.integer, .timestamp), (.boolean, .boolean): return true
        default: return false
        }
    }
}
