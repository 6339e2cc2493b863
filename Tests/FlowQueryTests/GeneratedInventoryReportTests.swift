import FlowInventory
import FlowModel
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowQuery
@testable import FlowReports
@testable import FlowSamples
@testable import FlowStore

/// The inventory reports over a generated world whose truth the generator reports: every NAT
/// hop and every flow between instances, with their bytes, and rules no flow uses by
/// construction.
@Suite("Inventory reports against the generator's ground truth")
struct GeneratedInventoryReportTests {
    struct World: Sendable {
        let store: FlowStore
        let truth: SampleGroundTruth
        let window: ReportWindow
    }

    static let shared: Result<World, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-generated-reports-\(UUID().uuidString)")
        var options = FlowLogGenerator.Options()
        options.records = 20_000
        options.days = 2
        options.layout = .mixed
        options.inventory = true
        options.compress = false
        options.seed = 7
        let corpus = try FlowLogGenerator(options: options).write(to: folder.appendingPathComponent("logs"))
        let store = FlowStore(url: folder.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [folder.appendingPathComponent("logs/AWSLogs").path])
        precondition(summary.rejected.isEmpty, "generated files rejected")
        let inventory = try #require(try InventoryStore.open(store, forWriting: true))
        for path in corpus.inventoryFiles {
            let document = try InventoryDocument.parse(data: Data(contentsOf: URL(fileURLWithPath: path)), name: path)
            _ = try inventory.add(document, source: path, contentKey: path, asOf: 1_704_067_200)
        }
        // Flows of the first files start before the first day; the window covers them all.
        let window = ReportWindow(bounds: .days(from: options.firstDay.adding(days: -1), to: options.firstDay.adding(days: Int32(options.days))))
        return World(store: store, truth: try #require(corpus.groundTruth), window: window)
    }

    func run(_ name: String, _ world: World) throws -> ReportResult {
        try ReportRunner(store: world.store).run(try #require(BuiltInReports.named(name)), window: world.window)
    }

    static func rows(_ result: ReportResult, _ title: String) throws -> [[String: String]] {
        let section = try #require(result.sections.first { $0.title.hasPrefix(title) }, "no section '\(title)'")
        return section.rows.map { row in
            var out: [String: String] = [:]
            for (value, column) in zip(row, section.columns) { out[column.name] = ValueText.plain(value, type: column.type) }
            return out
        }
    }

    @Test("nat-gateways: each NAT hop's bytes counted once, per gateway, as the generator wrote them")
    func natBytes() throws {
        let world = try Self.shared.get()
        #expect(!world.truth.natHops.isEmpty)
        let rows = try Self.rows(try run("nat-gateways", world), NATGatewayReport.perDay)
        var byGateway: [String: Int] = [:]
        for row in rows { byGateway[row["nat_gateway"] ?? "", default: 0] += Int(row["bytes"] ?? "") ?? 0 }
        #expect(byGateway == world.truth.natBytesByGateway)
    }

    @Test("cross-az: bytes between zones are the generator's cross-zone flows plus the hops to a NAT gateway in another zone")
    func crossZone() throws {
        let world = try Self.shared.get()
        let rows = try Self.rows(try run("cross-az", world), CrossAZReport.zonePairs)
        let reported = rows.reduce(0) { $0 + (Int($1["bytes"] ?? "") ?? 0) }
        let hops = world.truth.natHops.filter { $0.sourceZoneID != $0.natZoneID }.reduce(0) { $0 + $1.bytes }
        #expect(world.truth.crossZoneBytes > 0)
        #expect(reported == world.truth.crossZoneBytes + hops)
    }

    @Test("security-groups: the rules no generated flow uses are reported unused; the wide rule narrows to its few peers")
    func unusedRules() throws {
        let world = try Self.shared.get()
        let result = try run("security-groups", world)
        let unused = try Self.rows(result, SecurityGroupReport.unusedTitle)
        let ports = Set(unused.compactMap { $0["ports"] })
        #expect(ports.contains("9200") && ports.contains("161"), "\(unused)")
        let wide = try Self.rows(result, SecurityGroupReport.wideTitle)
        #expect(wide.contains { $0["ports"] == "8443" }, "\(wide)")
    }
}
