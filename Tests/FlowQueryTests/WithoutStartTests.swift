import Foundation
import Testing
@testable import FlowIngest
@testable import FlowQuery
@testable import FlowStore

/// Records of formats without `start` (AWS's NAT-gateway and transit-path examples) beside
/// records that have one: `start` reads NULL for them, and no condition on `start` may be
/// taken as true for a whole day that holds them.
@Suite("Formats without start")
struct WithoutStartTests {
    static let shared: Result<FlowStore, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-nostart-\(UUID().uuidString)")
        let day = folder.appendingPathComponent("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05")
        try FileManager.default.createDirectory(at: day, withIntermediateDirectories: true)
        try """
            instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr
            i-1 eni-1 10.0.0.1 10.0.0.2 10.0.0.1 52.1.1.1
            - eni-2 10.0.0.5 10.0.0.2 10.0.0.9 52.1.1.1

            """.write(to: day.appendingPathComponent("nat.log"), atomically: true, encoding: .utf8)
        try """
            version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
            2 123456789012 eni-1 10.0.0.1 10.0.0.2 1000 443 6 3 300 1704412800 1704412860 ACCEPT OK

            """.write(to: day.appendingPathComponent("default.log"), atomically: true, encoding: .utf8)
        let store = FlowStore(url: folder.appendingPathComponent("store"))
        _ = try Ingestor(store: store).ingest(paths: [folder.appendingPathComponent("AWSLogs").path])
        return store
    }

    let store: FlowStore
    init() throws { store = try Self.shared.get() }

    func query(_ sql: String) throws -> [[String?]] {
        let plan = try QueryEngine(store: store).plan(sql)
        return try QueryExecutor(store: store).collect(plan).map { row in zip(row, plan.columns).map { ValueText.plain($0, type: $1.type) } }
    }

    @Test("conditions on start see NULL for the records without one", arguments: [
        ("SELECT count(*) FROM flows WHERE start <= 9999999999", "1"),
        ("SELECT count(*) FROM flows WHERE start >= 0", "1"),
        ("SELECT count(*) FROM flows WHERE start IS NULL", "2"),
        ("SELECT count(*) FROM flows WHERE date = DATE '2024-01-05'", "3"),
        ("SELECT count(*) FROM flows WHERE pkt_dstaddr = '52.1.1.1'", "2"),
    ])
    func conditions(sql: String, count: String) throws {
        #expect(try query(sql) == [[count]])
    }

    @Test("explain says which rows were placed without start")
    func explain() throws {
        let plan = try QueryEngine(store: store).plan("SELECT count(*) FROM flows")
        #expect(plan.explanation(store: store).contains("3 rows (2 of a format without start, placed by end or delivery date)"))
    }
}
