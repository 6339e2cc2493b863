import Foundation
import Testing
@testable import FlowInventory

/// The network fixtures (AWS CLI reference examples for describe-network-interfaces,
/// describe-nat-gateways and describe-vpc-endpoints) read into the rows flowq stores.
@Suite("Network fixtures")
struct NetworkFixtureTests {
    private func interfaces() throws -> [NetworkInterfaceRow] {
        let document = try fixtureDocument("describe-network-interfaces.json")
        #expect(document.kind == .networkInterfaces)
        #expect(document.asOf == nil)
        guard case .networkInterfaces(let rows) = document.content else {
            Issue.record("wrong kind: \(document.kind)")
            return []
        }
        return rows
    }

    @Test("every address of every interface is a row: private, public, IPv6")
    func interfaceAddresses() throws {
        let rows = try interfaces()
        let summary = rows.map { "\($0.interfaceID) \($0.address ?? "-") \($0.addressKind?.rawValue ?? "-") \($0.isPrimary.map(String.init) ?? "-") \($0.privateIP ?? "-")" }
        #expect(summary == [
            "eni-e5aa89a3 10.0.1.17 private true 10.0.1.17",
            "eni-e5aa89a3 203.0.113.12 public true 10.0.1.17",
            "eni-f9ba99bf 10.0.1.149 private true 10.0.1.149",
            "eni-f9ba99bf 198.51.100.0 public true 10.0.1.149",
            "eni-b9a5ac93 10.0.1.55 private true 10.0.1.55",
            "eni-b9a5ac93 10.0.1.117 private false 10.0.1.117",
            "eni-05da417453f9a84bf 10.0.8.18 private true 10.0.8.18",
            "eni-05da417453f9a84bf 2600:1f13:cfe:3650:a1dc:237c:393a:4ba7 ipv6 false -",
            "eni-09cc4b2558794f7f9 10.0.0.211 private true 10.0.0.211",
            "eni-09cc4b2558794f7f9 54.85.121.213 public true 10.0.0.211",
            "eni-09cc4b2558794f7f9 10.0.0.74 private false 10.0.0.74",
            "eni-09cc4b2558794f7f9 3.211.231.218 public false 10.0.0.74",
            "eni-2ec2b084 10.0.2.45 private true 10.0.2.45",
        ])
    }

    @Test("a public address row carries the Elastic IP's owner and DNS name, in column order")
    func publicRowValues() throws {
        let row = try #require(try interfaces().first { $0.address == "203.0.113.12" })
        #expect(row.values == [
            .text("eni-e5aa89a3"), .text("203.0.113.12"), .text("public"), .boolean(true), .text("10.0.1.17"),
            .text("ec2-203-0-113-12.compute-1.amazonaws.com"), .text("123456789012"), .text("vpc-a01106c2"),
            .text("subnet-b61f49f0"), .text("us-east-1d"), .null, .text("my network interface"), .null,
            .boolean(false), .text("i-1234567890abcdef0"), .text(#"["sg-8637d3e3"]"#), .text("123456789012"),
            .text("in-use"), .text("02:2f:8f:b0:cf:75"), .null, .text("{}"),
        ])
        let autoAssigned = try #require(try interfaces().first { $0.address == "198.51.100.0" })
        #expect(autoAssigned.ipOwnerID == "amazon")
        #expect(autoAssigned.dnsName == nil)
        #expect(autoAssigned.instanceID == "i-0598c7d356eba48d7")
    }

    @Test("AWS-managed interfaces say who owns them")
    func managedInterfaces() throws {
        let rows = try interfaces()
        let nat = try #require(rows.first { $0.interfaceID == "eni-09cc4b2558794f7f9" })
        #expect(nat.interfaceType == "nat_gateway")
        #expect(nat.interfaceDescription == "Interface for NAT Gateway nat-01234567890abcdef")
        #expect(nat.requesterID == "036872051663")
        #expect(nat.requesterManaged == true)
        #expect(nat.instanceID == nil)
        #expect(nat.securityGroupIDs == [])
        let endpoint = try #require(rows.first { $0.interfaceID == "eni-2ec2b084" })
        #expect(endpoint.interfaceType == "vpc_endpoint")
        #expect(endpoint.requesterID == nil)
        let dualStack = try #require(rows.first { $0.addressKind == .ipv6 })
        #expect(dualStack.requesterID == "AIDA4Z3Y7GSXTMEXAMPLE")
        #expect(dualStack.interfaceType == "interface")
        let tagged = try #require(rows.first { $0.interfaceID == "eni-b9a5ac93" })
        #expect(tagged.tags == [InventoryTag(key: "Purpose", value: "Prod")])
        #expect(tagged.values.last == .text(#"{"Purpose":"Prod"}"#))
        #expect(tagged.status == "available")
        // Output from before AWS added InterfaceType leaves it NULL rather than guessed.
        #expect(rows.first { $0.interfaceID == "eni-e5aa89a3" }?.interfaceType == nil)
    }

    @Test("NAT gateways: a row per address; a failed gateway keeps one row")
    func natGateways() throws {
        let document = try fixtureDocument("describe-nat-gateways.json")
        guard case .natGateways(let rows) = document.content else { Issue.record("wrong kind"); return }
        #expect(rows.map { "\($0.natGatewayID) \($0.privateIP ?? "-") \($0.publicIP ?? "-") \($0.isPrimary.map(String.init) ?? "-")" } == [
            "nat-01234567890abcdef 10.0.0.211 54.85.121.213 true",
            "nat-01234567890abcdef 10.0.0.74 3.211.231.218 false",
            "nat-1234567890abcdef0 10.0.20.240 - true",
            "nat-1234567890abcdef0 10.0.20.33 - false",
            "nat-1234567890abcdef0 10.0.20.197 - false",
            "nat-0a1b2c3d4e5f60718 - - -",
        ])
        let first = rows[0]
        #expect(first.values == [
            .text("nat-01234567890abcdef"), .text("vpc-098eb5ef58EXAMPLE"), .text("subnet-655eab5f08EXAMPLE"),
            .text("available"), .text("public"), .integer(1_692_928_611), .text("eni-09cc4b2558794f7f9"),
            .text("10.0.0.211"), .text("54.85.121.213"), .text("eipalloc-0790180cd2EXAMPLE"), .boolean(true),
            .text("public-nat"), .text(#"{"Name":"public-nat"}"#),
        ])
        #expect(rows[2].connectivityType == "private")
        #expect(rows[2].allocationID == nil)
        #expect(rows[5].state == "failed")
        #expect(rows[5].name == nil)
    }

    @Test("a NAT gateway's public address is found among the interfaces, as a join would find it")
    func natJoinsInterfaces() throws {
        guard case .natGateways(let gateways) = try fixtureDocument("describe-nat-gateways.json").content else { return }
        let interfaces = try interfaces()
        for gateway in gateways where gateway.natGatewayID == "nat-01234567890abcdef" {
            let match = interfaces.first { $0.address == gateway.publicIP }
            #expect(match?.interfaceID == gateway.networkInterfaceID)
            #expect(match?.interfaceType == "nat_gateway")
        }
    }

    @Test("VPC endpoints: lists as JSON arrays, times as Unix seconds")
    func vpcEndpoints() throws {
        let document = try fixtureDocument("describe-vpc-endpoints.json")
        guard case .vpcEndpoints(let rows) = document.content else { Issue.record("wrong kind"); return }
        #expect(rows.map(\.vpcEndpointID) == ["vpce-032a826a", "vpce-0f89a33420c1931d7", "vpce-aabbaabbaabbaabba"])
        #expect(rows.map(\.vpcEndpointType) == ["Gateway", "Interface", "GatewayLoadBalancer"])
        let gateway = rows[0]
        #expect(gateway.serviceName == "com.amazonaws.us-east-1.dynamodb")
        #expect(gateway.routeTableIDs == ["rtb-3d560345"])
        #expect(gateway.creationTime == 1_504_644_088)
        let interface = rows[1]
        #expect(interface.networkInterfaceIDs == ["eni-2ec2b084", "eni-1b4a65cf"])
        #expect(interface.securityGroupIDs == ["sg-54e8bf31"])
        #expect(interface.dnsNames.count == 3)
        #expect(interface.privateDNSEnabled == false)
        // 17:55:27.583Z: the fraction is dropped.
        #expect(interface.creationTime == 1_504_634_127)
        #expect(interface.values[6] == .text(#"["eni-2ec2b084","eni-1b4a65cf"]"#))
        let gwlb = rows[2]
        #expect(gwlb.requesterManaged == false)
        #expect(gwlb.subnetIDs == ["subnet-0011aabbcc2233445"])
        #expect(gwlb.creationTime == 1_605_081_963)
        #expect(gwlb.values.last == .text("{}"))
    }
}

extension NATGatewayRow {
    /// The Name tag, for assertions.
    var name: String? { tags.nameTag }
}
