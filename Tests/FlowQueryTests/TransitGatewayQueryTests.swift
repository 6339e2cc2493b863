import FlowModel
import Foundation
import Testing
@testable import FlowEmit
@testable import FlowIngest
@testable import FlowQuery
@testable import FlowSamples
@testable import FlowStore

/// `tgw_flow_logs` answers the same SQL as `vpc_flow_logs` over its own columns and partitions,
/// and neither table ever shows the other's records.
@Suite("Transit Gateway queries")
struct TransitGatewayQueryTests {
    /// A store holding a VPC sample and Transit Gateway files from one bucket, with the TGW
    /// records as their text (field name -> value, `-` as nil).
    struct MixedStore: Sendable {
        let store: FlowStore
        let vpcRecords: Int
        let tgw: [TextRecord]
    }

    static let shared: Result<MixedStore, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-tgw-\(UUID().uuidString)")
        let bucket = folder.appendingPathComponent("bucket")
        var options = FlowLogGenerator.Options()
        options.records = 2_000
        options.days = 2
        options.compress = false
        let corpus = try FlowLogGenerator(options: options).write(to: bucket)
        var sample = TransitGatewaySample()
        sample.firstDay = PartitionDay("2024-01-01")!
        sample.days = 2
        let files = try sample.write(to: bucket)
        let store = FlowStore(url: folder.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [bucket.path])
        precondition(summary.rejected.isEmpty, "mixed ingest failed")
        let names = FlowLayout.transitGatewayDefaultFields.map(\.columnName)
        let tgw = files.flatMap(\.records).map { fields in
            TextRecord(uniqueKeysWithValues: zip(names, fields.map { $0 == "-" ? nil : $0 }))
        }
        return MixedStore(store: store, vpcRecords: corpus.records, tgw: tgw)
    }

    let mixed: MixedStore
    init() throws { mixed = try Self.shared.get() }

    func query(_ sql: String) throws -> [[String?]] {
        let plan = try QueryEngine(store: mixed.store).plan(sql)
        return try QueryExecutor(store: mixed.store).collect(plan).map { row in zip(row, plan.columns).map { ValueText.plain($0, type: $1.type) } }
    }

    @Test("a group-by with a date filter gives what the records say")
    func groupByDay() throws {
        let answer = try query("""
            SELECT tgw_attachment_id, count(*) AS flows, sum(bytes) AS bytes, sum(packets_lost_blackhole) AS lost
            FROM tgw_flow_logs WHERE date = DATE '2024-01-02' GROUP BY tgw_attachment_id ORDER BY tgw_attachment_id
            """)
        var expected: [String: (flows: Int64, bytes: Int64, lost: Int64)] = [:]
        for record in mixed.tgw where Fixture.day(record) == "2024-01-02" {
            let key = record.text("tgw_attachment_id")!
            var group = expected[key] ?? (0, 0, 0)
            group.flows += 1
            group.bytes += record.int("bytes") ?? 0
            group.lost += record.int("packets_lost_blackhole") ?? 0
            expected[key] = group
        }
        #expect(expected.count == TransitGatewaySample.attachments.count)
        #expect(answer == expected.keys.sorted().map { key in
            let group = expected[key]!
            return [key, String(group.flows), String(group.bytes), String(group.lost)]
        })
    }

    @Test("conditions on day, date and start prune Transit Gateway days; zone maps apply", arguments: [
        "SELECT count(*) FROM tgw_flow_logs WHERE day = '2024/01/01'",
        "SELECT count(*) FROM tgw_flow_logs WHERE date_partition >= '2024-01-01' AND date_partition < '2024-01-02'",
        "SELECT count(*) FROM tgw_flow_logs WHERE start >= 1704067200 AND start < 1704153600",
    ])
    func pruning(sql: String) throws {
        let plan = try QueryEngine(store: mixed.store).plan(sql)
        #expect(plan.table == .transitGateway)
        #expect(plan.partitions.allSatisfy { $0.partition.table == .transitGateway })
        #expect(plan.keptPartitions.map(\.day) == [PartitionDay("2024-01-01")!])
        let expected = mixed.tgw.filter { Fixture.day($0) == "2024-01-01" }.count
        #expect(try query(sql) == [[String(expected)]])
        let explanation = plan.explanation(store: mixed.store)
        #expect(explanation.hasPrefix("Partitions of tgw_flow_logs: 1 of \(plan.partitions.count) read"))
        let zoned = try QueryEngine(store: mixed.store).plan("SELECT count(*) FROM tgw_flow_logs WHERE packets_lost_mtu_exceeded >= 100")
        #expect(zoned.explanation(store: mixed.store).contains("packets_lost_mtu_exceeded >= 100  (packets_lost_mtu_exceeded in [100, +inf])"))
        #expect(try query("SELECT count(*) FROM tgw_flow_logs WHERE packets_lost_mtu_exceeded >= 100") == [["0"]])
    }

    @Test("SELECT * lists each table's own columns")
    func starColumns() throws {
        let tgw = try QueryEngine(store: mixed.store).plan("SELECT * FROM tgw_flow_logs").columns.map(\.name)
        #expect(tgw == FlowLayout.transitGatewayDefaultFields.map(\.columnName) + ["date"])
        let vpc = try QueryEngine(store: mixed.store).plan("SELECT * FROM vpc_flow_logs").columns.map(\.name)
        #expect(vpc.prefix(3) == ["version", "account_id", "interface_id"])
        #expect(vpc.contains("action") && vpc.last == "date")
        #expect(!vpc.contains { $0.hasPrefix("tgw_") || $0.hasPrefix("packets_lost") || $0 == "resource_type" })
        // Types as AWS's TGW table declares them.
        let types = try QueryEngine(store: mixed.store).plan("SELECT packets_lost_no_route, tgw_src_eni, srcaddr, log_status FROM tgw_flow_logs").columns.map(\.type)
        #expect(types == [.integer, .varchar, .varchar, .varchar])
    }

    @Test("vpc_flow_logs never shows Transit Gateway records, nor tgw_flow_logs VPC ones")
    func separateTables() throws {
        #expect(try query("SELECT count(*) FROM flows") == [[String(mixed.vpcRecords)]])
        #expect(try query("SELECT count(*) FROM vpc_flow_logs WHERE account_id = '111122223333'") == [["0"]])
        #expect(try query("SELECT count(*) FROM tgw_flow_logs") == [[String(mixed.tgw.count)]])
        #expect(try query("SELECT count(*), count(DISTINCT resource_type) FROM tgw_flow_logs WHERE resource_type = 'TransitGateway'")
                == [[String(mixed.tgw.count), "1"]])
        let nodata = mixed.tgw.filter { $0.text("log_status") == "NODATA" }.count
        #expect(try query("SELECT count(*) FROM tgw_flow_logs WHERE log_status = 'NODATA' AND bytes IS NULL") == [[String(nodata)]])
    }

    @Test("a VPC column asked of tgw_flow_logs is an unknown column, with the table it belongs to or the likely typo")
    func unknownColumns() throws {
        let planner = try QueryPlanner(snapshot: mixed.store.snapshot())
        do {
            _ = try planner.plan("SELECT count(*) FROM tgw_flow_logs WHERE srcaddr = action")
            Issue.record("a VPC column was accepted on tgw_flow_logs")
        } catch {
            #expect(error.kind == .unknownName && error.message == "unknown column 'action'")
            #expect(error.location?.column == 52)
            #expect(error.hint == "'action' is a column of vpc_flow_logs, not of tgw_flow_logs")
        }
        #expect(throws: QueryError.self) { _ = try planner.plan("SELECT interface_id FROM tgw_flow_logs") }
        do {
            _ = try planner.plan("SELECT tgw_attachmentid FROM tgw_flow_logs")
            Issue.record("a typo was accepted")
        } catch {
            #expect(error.hint == "did you mean 'tgw_attachment_id'?")
        }
        do {
            _ = try planner.plan("SELECT tgw_id FROM flows")
            Issue.record("a TGW column was accepted on flows")
        } catch {
            #expect(error.hint == "'tgw_id' is a column of tgw_flow_logs, not of vpc_flow_logs")
        }
        #expect(throws: QueryError.self) { _ = try planner.plan("SELECT * FROM transit_gateway_logs") }
    }

    @Test("the output formats print Transit Gateway rows as they print VPC ones")
    func outputFormats() throws {
        var json = ""
        try QueryEngine(store: mixed.store).run(
            "SELECT tgw_id, packets_lost_no_route, date FROM tgw_flow_logs WHERE log_status = 'OK' ORDER BY start, srcaddr LIMIT 1",
            format: .json) { json += $0 }
        #expect(json.contains("\"tgw_id\":\"tgw-0a1b2c3d4e5f60000\""), "\(json)")
        #expect(json.contains("\"date\":\"2023-12-31\""), "\(json)")
        var csv = ""
        try QueryEngine(store: mixed.store).run("SELECT tgw_id, pkt_dst_aws_service FROM tgw_flow_logs LIMIT 1", format: .csv) { csv += $0 }
        #expect(csv == "tgw_id,pkt_dst_aws_service\r\ntgw-0a1b2c3d4e5f60000,\r\n")
    }

    @Test("emit and ddl write AWS's Transit Gateway table for Athena and Spark")
    func emitAndDDL() throws {
        let athena = try QueryEmitter(engine: .athena).emit(
            "SELECT tgw_attachment_id, sum(bytes) AS bytes FROM tgw_flow_logs WHERE day = '2024/01/02' GROUP BY 1")
        #expect(athena == """
            SELECT "tgw_attachment_id", sum("bytes") AS "bytes"
            FROM tgw_flow_logs
            WHERE ((date_format(from_unixtime("start"), '%Y/%m/%d') = '2024/01/02')) AND ("delivery_day" >= '2024/01/02' AND "delivery_day" <= '2024/01/03')
            GROUP BY 1
            """)
        #expect(try QueryEmitter(engine: .spark, table: "tgw_logs").emit("SELECT count(*) FROM tgw_flow_logs").contains("FROM tgw_logs"))
        #expect(try QueryEmitter(engine: .spark).emit("SELECT count(*) FROM flows").contains("FROM vpc_flow_logs"))

        let columns = """
              `version` int,
              `resource_type` string,
              `account_id` string,
              `tgw_id` string,
              `tgw_attachment_id` string,
              `tgw_src_vpc_account_id` string,
              `tgw_dst_vpc_account_id` string,
              `tgw_src_vpc_id` string,
              `tgw_dst_vpc_id` string,
              `tgw_src_subnet_id` string,
              `tgw_dst_subnet_id` string,
              `tgw_src_eni` string,
              `tgw_dst_eni` string,
              `tgw_src_az_id` string,
              `tgw_dst_az_id` string,
              `tgw_pair_attachment_id` string,
              `srcaddr` string,
              `dstaddr` string,
              `srcport` int,
              `dstport` int,
              `protocol` bigint,
              `packets` bigint,
              `bytes` bigint,
              `start` bigint,
              `end` bigint,
              `log_status` string,
              `type` string,
              `packets_lost_no_route` bigint,
              `packets_lost_blackhole` bigint,
              `packets_lost_mtu_exceeded` bigint,
              `packets_lost_ttl_expired` bigint,
              `tcp_flags` int,
              `region` string,
              `flow_direction` string,
              `pkt_src_aws_service` string,
              `pkt_dst_aws_service` string
            )
            """
        let athenaDDL = TableDDL(engine: .athena, location: "s3://bucket/", flowTable: .transitGateway, accounts: ["111122223333"],
                                 regions: ["eu-west-1"], firstDay: PartitionDay("2024-01-01")!).render()
        #expect(athenaDDL.hasPrefix("CREATE EXTERNAL TABLE IF NOT EXISTS tgw_flow_logs (\n" + columns + "\nPARTITIONED BY (aws_account string, aws_region string, delivery_day string)"))
        #expect(athenaDDL.contains("'storage.location.template' = 's3://bucket/AWSLogs/${aws_account}/vpcflowlogs/${aws_region}/${delivery_day}'"))
        let sparkDDL = TableDDL(engine: .spark, location: "s3://bucket/", flowTable: .transitGateway).render()
        #expect(sparkDDL.hasPrefix("CREATE TABLE IF NOT EXISTS `tgw_flow_logs` (\n" + columns + "\nUSING csv"))

        let script = try SparkRunner(location: "/data/export").script(for: "SELECT tgw_id, count(*) FROM tgw_flow_logs GROUP BY 1")
        #expect(script.hasPrefix("CREATE TEMPORARY VIEW tgw_flow_logs_files (`version` int, `resource_type` string, `account_id` string, `tgw_id` string"))
        #expect(script.contains("CREATE TEMPORARY VIEW tgw_flow_logs AS SELECT"))
        #expect(!script.contains("`action`"))
    }
}
