import Foundation
import Testing
@testable import FlowInventory

/// What a person reads when a file cannot be read: the file, the line and column, the JSON path
/// and what was wrong, message for message.
@Suite("Inventory errors")
struct InventoryErrorTests {
    private static let expected = #"expected one of "NetworkInterfaces" (aws ec2 describe-network-interfaces), "Reservations" (aws ec2 describe-instances), "Subnets" (aws ec2 describe-subnets), "Vpcs" (aws ec2 describe-vpcs), "SecurityGroups" (aws ec2 describe-security-groups), "NatGateways" (aws ec2 describe-nat-gateways), "VpcEndpoints" (aws ec2 describe-vpc-endpoints), or "syncToken" with "prefixes" (ip-ranges.json)"#

    // MARK: The AWS CLI reference's own examples, verbatim: three of them are not valid input.

    @Test("the describe-security-groups reference example has a trailing comma")
    func docsTrailingComma() throws {
        let error = try #require(inventoryError(String(decoding: try fixtureBytes("invalid/describe-security-groups-docs-example.json"), as: UTF8.self),
                                                name: "describe-security-groups-docs-example.json"))
        #expect(error.kind == .syntax)
        #expect(error.description == "describe-security-groups-docs-example.json:53:9: trailing comma before '}'")
    }

    @Test("the describe-subnets reference example has a single-quoted string")
    func docsSingleQuotes() throws {
        let error = try #require(inventoryError(String(decoding: try fixtureBytes("invalid/describe-subnets-docs-example.json"), as: UTF8.self),
                                                name: "subnets.json"))
        #expect(error.description == #"subnets.json:17:39: expected a JSON value, found "'" (strings take double quotes)"#)
    }

    @Test("the describe-instances reference example has a private address that is not one")
    func docsBadAddress() throws {
        let error = try #require(inventoryError(String(decoding: try fixtureBytes("invalid/describe-instances-docs-example.json"), as: UTF8.self),
                                                name: "instances.json"))
        #expect(error.kind == .invalidField)
        #expect(error.path == "Reservations[0].Instances[0].PrivateIpAddress")
        #expect(error.description == #"instances.json:22:41: Reservations[0].Instances[0].PrivateIpAddress: expected an IP address, found "10-0-0-157""#)
    }

    // MARK: Syntax

    @Test("bad JSON says file, line, column and what was wrong")
    func syntax() throws {
        let text = """
        {
            "Vpcs": [
                {
                    "CidrBlock": "10.0.0.0/16",
                    "VpcId": "vpc-06e4ab6c6cEXAMPLE"
                    "IsDefault": false
                }
            ]
        }
        """
        let error = try #require(inventoryError(text, name: "vpcs.json"))
        #expect(error == InventoryError(.syntax, file: "vpcs.json", line: 6, column: 13,
                                        message: #"expected ',' or '}' after an object member, found '"'"#))
        #expect(error.localizedDescription == #"vpcs.json:6:13: expected ',' or '}' after an object member, found '"'"#)
    }

    // MARK: Unknown shapes

    @Test("valid JSON of another shape names its keys and the expected ones", arguments: [
        (#"{"Foo": 1, "Bar": []}"#, #"its top-level keys are "Foo", "Bar""#),
        (#"{"NetworkInterface": {"NetworkInterfaceId": "eni-1"}}"#, #"its top-level keys are "NetworkInterface""#),
        (#"{"syncToken": "1416435608", "createDate": "2014-11-19-23-29-02"}"#, #"its top-level keys are "syncToken", "createDate""#),
        ("{}", "it is an empty object"),
        (#"{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1}"#, #"its top-level keys are "a", "b", "c", "d", "e", "f", "g", "h" and 2 more"#),
    ])
    func unknownShape(text: String, found: String) throws {
        let error = try #require(inventoryError(text, name: "mystery.json"))
        #expect(error.kind == .unknownShape)
        #expect(error.description == "mystery.json: not an inventory file: \(found); \(Self.expected)")
    }

    @Test("a --query projection (top-level array) is refused with the reason")
    func queryOutput() throws {
        let error = try #require(inventoryError(#"[{"Instance": "i-057750d42936e468a", "Subnet": "subnet-069beee9b12030077"}]"#, name: "q.json"))
        #expect(error.description == "q.json: not an inventory file: the top level is an array, not an object (output filtered with --query cannot be read); \(Self.expected)")
    }

    @Test("two commands' keys in one object are refused")
    func ambiguous() throws {
        let error = try #require(inventoryError(#"{"Vpcs": [], "Subnets": []}"#, name: "both.json"))
        #expect(error.description == #"both.json: not an inventory file: it has both "Subnets" and "Vpcs", so it is not the output of one command"#)
    }

    // MARK: Fields

    @Test("a missing required field names its path and points at the object that lacks it")
    func missingField() throws {
        let text = """
        {
            "Reservations": [
                {
                    "Instances": [
                        {"InstanceId": "i-1"},
                        {"InstanceId": "i-2"},
                        {"InstanceType": "t3.nano"}
                    ],
                    "OwnerId": "123456789012"
                }
            ]
        }
        """
        let error = try #require(inventoryError(text, name: "instances.json"))
        #expect(error.kind == .invalidField)
        #expect(error.description == "instances.json:7:17: Reservations[0].Instances[2].InstanceId: missing (expected a string)")
    }

    @Test("wrongly typed fields name their path, place and both types", arguments: [
        (#"{"Reservations": [{"Instances": [{"InstanceId": 42}]}]}"#, "1:49: Reservations[0].Instances[0].InstanceId: expected a string, found a number"),
        (#"{"Vpcs": {}}"#, "1:10: Vpcs: expected an array, found an object"),
        (#"{"Vpcs": ["vpc-1"]}"#, "1:11: Vpcs[0]: expected an object, found a string"),
        (#"{"Vpcs": [{"VpcId": "vpc-1", "IsDefault": "false"}]}"#, "1:43: Vpcs[0].IsDefault: expected a boolean, found a string"),
        (#"{"Vpcs": [{"VpcId": "vpc-1", "Tags": [{"Value": "x"}]}]}"#, "1:39: Vpcs[0].Tags[0].Key: missing (expected a string)"),
        (#"{"Subnets": [{"SubnetId": "s", "AvailableIpAddressCount": 1.5}]}"#, "1:59: Subnets[0].AvailableIpAddressCount: expected an integer, found 1.5"),
        (#"{"Reservations": [{"Instances": [{"InstanceId": "i-1", "LaunchTime": "yesterday"}]}]}"#,
         #"1:70: Reservations[0].Instances[0].LaunchTime: expected an ISO 8601 time such as 2022-11-15T10:48:59+00:00, found "yesterday""#),
        (#"{"NatGateways": [{"NatGatewayId": "nat-1", "NatGatewayAddresses": [{"PublicIp": "54.85.121.300"}]}]}"#,
         #"1:81: NatGateways[0].NatGatewayAddresses[0].PublicIp: expected an IP address, found "54.85.121.300""#),
        (#"{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpProtocol": "tcpx"}]}]}"#,
         #"1:74: SecurityGroups[0].IpPermissions[0].IpProtocol: expected -1, tcp, udp, icmp, icmpv6 or a protocol number from 0 to 255, found "tcpx""#),
        (#"{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"IpRanges": []}]}]}"#,
         "1:59: SecurityGroups[0].IpPermissions[0].IpProtocol: missing (expected a string)"),
        (#"{"syncToken": "1", "createDate": "2014-11-19 23:29:02", "prefixes": []}"#,
         #"1:34: createDate: expected a date such as 2024-01-05-20-13-07, found "2014-11-19 23:29:02""#),
        (#"{"syncToken": "1", "createDate": "2014-11-19-23-29-02", "prefixes": [{"ip_prefix": "2600:1f18::/33", "region": "x", "service": "S3"}]}"#,
         #"1:84: prefixes[0].ip_prefix: expected an IPv4 prefix such as 52.216.0.0/15, found "2600:1f18::/33""#),
        (#"{"syncToken": "1", "createDate": "2014-11-19-23-29-02", "ipv6_prefixes": [{"ipv6_prefix": "2600:1f18::/129", "region": "x", "service": "S3"}]}"#,
         #"1:91: ipv6_prefixes[0].ipv6_prefix: expected an IPv6 prefix such as 2600:1f18::/33, found "2600:1f18::/129""#),
    ])
    func wrongTypes(text: String, expected: String) throws {
        let error = try #require(inventoryError(text, name: "f.json"))
        #expect(error.kind == .invalidField)
        #expect(error.description == "f.json:\(expected)")
    }

    @Test("null counts as absent; extra members are ignored")
    func nullsAndExtras() throws {
        let text = #"{"Vpcs": [{"VpcId": "vpc-1", "IsDefault": null, "SomethingNew": {"x": [1]}}], "NextToken": null}"#
        guard case .vpcs(let rows) = try InventoryDocument.parse(bytes: Array(text.utf8), name: "v.json").content else {
            Issue.record("wrong kind")
            return
        }
        #expect(rows == [VPCRow(vpcID: "vpc-1")])
    }

    // MARK: Hostile input

    @Test("every truncation of a fixture is a syntax error inside the file, never a crash or a partial read",
          arguments: ["describe-vpcs.json", "describe-nat-gateways.json"])
    func truncations(name: String) throws {
        let bytes = try fixtureBytes(name)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
        // The last bytes are a closing brace and a newline: cutting the newline leaves valid JSON.
        for length in 0..<(bytes.count - 1) {
            do {
                _ = try InventoryDocument.parse(bytes: Array(bytes[..<length]), name: name)
                Issue.record("length \(length): read a truncated file")
            } catch {
                #expect(error.kind == .syntax, "length \(length): \(error)")
                #expect((1...lines).contains(error.line ?? 0), "length \(length): \(error)")
            }
        }
    }

    @Test("random byte changes give rows or an InventoryError with a place, never a crash",
          arguments: ["describe-network-interfaces.json", "describe-security-groups.json", "ip-ranges.json"])
    func flips(name: String) throws {
        let original = try fixtureBytes(name)
        var random = SplitMix64(state: UInt64(original.count))
        let replacements = Array("{}[],:\"\\0-.e/ \u{1}x".utf8) + [0xC3, 0xFF]
        var errors = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = replacements.randomElement(using: &random) ?? 0
            }
            do {
                _ = try InventoryDocument.parse(bytes: bytes, name: name)
            } catch {
                errors += 1
                #expect(!error.description.isEmpty)
                if error.kind == .syntax { #expect(error.line != nil && error.column != nil) }
                if error.kind == .invalidField { #expect(error.path != nil) }
            }
        }
        #expect(errors > 0)
    }
}
