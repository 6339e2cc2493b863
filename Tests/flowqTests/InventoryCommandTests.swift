import FlowInventory
import Foundation
import Testing

/// `flowq inventory` and the address functions it enables, as a user runs them.
@Suite("Inventory from the command line")
struct InventoryCommandTests {
    static let fixtures = CommandRunner.packageRoot.appendingPathComponent("Tests/FlowInventoryTests/Fixtures")

    /// A store of one flow per address in `addresses` (as source), 2024-01-05.
    private static func store(_ scratch: Scratch, addresses: [String]) throws -> String {
        var text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        for (index, address) in addresses.enumerated() {
            text += "2 123456789012 eni-1 \(address) 10.0.0.1 443 \(1000 + index) 6 1 100 1704412800 1704412860 ACCEPT OK\n"
        }
        try text.write(toFile: scratch.path("flows.log"), atomically: true, encoding: .utf8)
        let ingest = try CommandRunner.run(["ingest", "--store", scratch.path("store"), scratch.path("flows.log")])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return scratch.path("store")
    }

    @Test("aws_service and aws_region answer from the newest ip-ranges.json, as the lookup does; without one, a clear error")
    func addressFunctions() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let addresses = ["52.216.8.14", "3.5.140.7", "3.12.23.89", "3.12.23.130", "10.0.0.5", "70.132.1.1", "2600:1f18:8000::1", "2001:db8::1"]
        let store = try Self.store(scratch, addresses: addresses)
        let sql = "SELECT srcaddr, aws_service(srcaddr) AS service, aws_region(srcaddr) AS region FROM flows ORDER BY dstport"

        let before = try CommandRunner.run(["query", "--store", store, sql])
        #expect(before.status == 2)
        #expect(before.stderr.contains("aws_service() needs AWS's ip-ranges.json in the store's inventory"))
        #expect(before.stderr.contains("flowq inventory add ip-ranges.json"))

        let path = Self.fixtures.appendingPathComponent("ip-ranges.json").path
        let add = try CommandRunner.run(["inventory", "add", "--store", store, path])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stderr.contains("34 row(s) into aws_ip_ranges, as of 2026-07-24T02:47:05Z"))

        let after = try CommandRunner.run(["query", "--store", store, "--format", "csv", sql])
        #expect(after.status == 0, "\(after.stderr)")
        let rows = after.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        // The oracle: the same file parsed and looked up directly.
        let document = try InventoryDocument.parse(data: Data(contentsOf: URL(fileURLWithPath: path)), name: path)
        guard case .ipRanges(let file) = document.content else { Issue.record("not ip-ranges"); return }
        let ranges = try AWSIPRanges(file)
        #expect(rows.map { $0[0] } == addresses)
        for row in rows {
            #expect(row[1] == (ranges.service(for: row[0]) ?? ""), "\(row)")
            #expect(row[2] == (ranges.region(for: row[0]) ?? ""), "\(row)")
        }
        // Spot checks against the file by hand: S3 beats AMAZON and EC2 on 52.216.0.0/15; the
        // /30 of AMAZON_APPFLOW beats the /26 and /16 around it; private addresses are in none.
        #expect(rows[0] == ["52.216.8.14", "S3", "us-east-1"])
        #expect(rows[2] == ["3.12.23.89", "AMAZON_APPFLOW", "us-east-2"])
        #expect(rows[4] == ["10.0.0.5", "", ""])

        // Removing the snapshot takes the functions away again.
        let list = try CommandRunner.run(["inventory", "list", "--store", store, "--format", "json"])
        let snapshots = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(snapshots.count == 1)
        let id = try #require(snapshots.first?["id"] as? Int)
        #expect(try CommandRunner.run(["inventory", "remove", "--store", store, String(id)]).status == 0)
        #expect(try CommandRunner.run(["query", "--store", store, sql]).status == 2)
    }

    @Test("inventory add: every kind recognised by content, the same file once, a bad file named with line and column while the rest is added")
    func addFiles() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        let names = ["describe-network-interfaces.json", "describe-instances.json", "describe-subnets.json", "describe-vpcs.json",
                     "describe-security-groups.json", "describe-nat-gateways.json", "describe-vpc-endpoints.json", "ip-ranges.json"]
        // Renamed, so only the content can tell them apart.
        var paths: [String] = []
        for (index, name) in names.enumerated() {
            let path = scratch.path("file\(index).json")
            try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: path)
            paths.append(path)
        }
        try "{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\",}\n  ]\n}\n".write(toFile: scratch.path("broken.json"), atomically: true, encoding: .utf8)
        let add = try CommandRunner.run(["inventory", "add", "--store", store, "--as-of", "2024-01-05"] + paths
                                        + [scratch.path("broken.json"), scratch.path("missing.json")])
        #expect(add.status == 3)
        #expect(add.stderr.contains("missing.json: cannot read"), "\(add.stderr)")
        #expect(add.stderr.contains("broken.json:3:"), "\(add.stderr)")
        #expect(add.stderr.contains("(nothing of it added)"))
        let list = try CommandRunner.run(["inventory", "list", "--store", store, "--format", "json"])
        let snapshots = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(Set(snapshots.compactMap { $0["kind"] as? String }) == Set(InventoryKind.allCases.map(\.rawValue)))
        #expect(snapshots.allSatisfy { ($0["as_of"] as? String) == "2024-01-05T00:00:00Z" })
        let again = try CommandRunner.run(["inventory", "add", "--store", store, paths[0]])
        #expect(again.status == 0)
        #expect(again.stderr.contains("already present"))
        #expect(try CommandRunner.run(["inventory", "remove", "--store", store, "999"]).status == 1)
    }

    @Test("addr_owner follows an address from one owner to the next across two snapshots, by each flow's time")
    func ownerOverTime() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // One address, two days: the 5th and the 6th of January 2024.
        var text = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        text += "2 123456789012 eni-1 10.0.1.5 10.0.0.1 443 1000 6 1 100 1704412800 1704412860 ACCEPT OK\n"
        text += "2 123456789012 eni-1 10.0.1.5 10.0.0.1 443 1001 6 1 100 1704499200 1704499260 ACCEPT OK\n"
        text += "2 123456789012 eni-1 10.0.1.9 10.0.0.1 443 1002 6 1 100 1704499200 1704499260 ACCEPT OK\n"
        try text.write(toFile: scratch.path("flows.log"), atomically: true, encoding: .utf8)
        let store = scratch.path("store")
        #expect(try CommandRunner.run(["ingest", "--store", store, scratch.path("flows.log")]).status == 0)
        func snapshot(_ name: String, instance: String) throws -> String {
            let json = """
                {"NetworkInterfaces": [{"NetworkInterfaceId": "eni-\(instance)", "InterfaceType": "interface",
                  "Attachment": {"InstanceId": "\(instance)"}, "PrivateIpAddress": "10.0.1.5",
                  "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.5", "Primary": true}]}]}
                """
            try json.write(toFile: scratch.path(name), atomically: true, encoding: .utf8)
            return scratch.path(name)
        }
        let sql = "SELECT date, srcaddr, addr_owner(srcaddr) AS owner FROM flows ORDER BY dstport"
        let before = try CommandRunner.run(["query", "--store", store, sql])
        #expect(before.status == 2)
        #expect(before.stderr.contains("addr_owner() needs `aws ec2 describe-network-interfaces` output"))
        #expect(try CommandRunner.run(["inventory", "add", "--store", store, "--as-of", "2024-01-05", try snapshot("a.json", instance: "i-aaa")]).status == 0)
        #expect(try CommandRunner.run(["inventory", "add", "--store", store, "--as-of", "2024-01-06", try snapshot("b.json", instance: "i-bbb")]).status == 0)
        let answer = try CommandRunner.run(["query", "--store", store, "--format", "csv", sql])
        #expect(answer.status == 0, "\(answer.stderr)")
        let rows = answer.stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init)
        #expect(rows == ["2024-01-05,10.0.1.5,instance i-aaa", "2024-01-06,10.0.1.5,instance i-bbb", "2024-01-06,10.0.1.9,"])
    }
}
