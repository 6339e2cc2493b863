import Foundation
import Testing

/// The inventory reports as a user runs them: the built `flowq` binary over the hand-written
/// fixtures in `Tests/Fixtures/inventory-reports`.
@Suite("Inventory reports from the command line")
struct InventoryReportCommandTests {
    static let fixtures = CommandRunner.packageRoot.appendingPathComponent("Tests/Fixtures/inventory-reports")

    @Test("report --list shows them; without the inventory a clear error and status 2; with it, JSON and Markdown")
    func reports() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        let flows = ["flows.log", "flows-nat.log"].map { Self.fixtures.appendingPathComponent($0).path }
        let ingest = try CommandRunner.run(["ingest", "--store", store] + flows)
        #expect(ingest.status == 0, "\(ingest.stderr)")

        let list = try CommandRunner.run(["report", "--list"])
        #expect(list.status == 0)
        for name in ["nat-gateways", "cross-az", "security-groups"] { #expect(list.stdout.contains(name)) }
        #expect(list.stdout.contains("--param price_per_gb=... (default 0.045)"))
        #expect(list.stdout.contains("--param price_table=... (optional)"))

        let window = ["--from", "2024-01-05", "--to", "2024-01-07"]
        let bare = try CommandRunner.run(["report", "nat-gateways", "--store", store] + window)
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("report 'nat-gateways' needs `aws ec2 describe-nat-gateways` output"), "\(bare.stderr)")
        #expect(bare.stderr.contains("aws ec2 describe-nat-gateways > nat-gateways.json"))
        #expect(bare.stderr.contains("flowq inventory add"))

        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { $0.hasSuffix(".json") }.sorted()
        let add = try CommandRunner.run(["inventory", "add", "--store", store, "--as-of", "2024-01-01"]
                                        + files.map { Self.fixtures.appendingPathComponent($0).path })
        #expect(add.status == 0, "\(add.stderr)")

        let json = try CommandRunner.run(["report", "nat-gateways", "--store", store, "--format", "json"] + window)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let queries = try #require(object["queries"] as? [[String: Any]])
        let days = try #require(queries.first?["rows"] as? [[Any]])
        #expect(days.map { $0[4] as? String } == ["2024-01-05", "2024-01-06"])
        #expect(days.map { ($0[5] as? NSNumber)?.int64Value } == [16 * 1_073_741_824, 3 * 1_073_741_824])

        let markdown = try CommandRunner.run(["report", "security-groups", "--store", store, "-f", "markdown"] + window)
        #expect(markdown.status == 0, "\(markdown.stderr)")
        #expect(markdown.stdout.contains("## Wide rules and the narrowest rule that admits the same flows"))
        #expect(markdown.stdout.contains("198.51.100.9/32, 203.0.113.4/30"))

        let output = scratch.path("cross-az.html")
        let html = try CommandRunner.run(["report", "cross-az", "--store", store, "-o", output] + window)
        #expect(html.status == 0, "\(html.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains("<svg class=\"chart\""))

        let badParam = try CommandRunner.run(["report", "cross-az", "--store", store, "--param", "price=1"] + window)
        #expect(badParam.status == 64)
        #expect(badParam.stderr.contains("has no parameter 'price'"))
    }
}
