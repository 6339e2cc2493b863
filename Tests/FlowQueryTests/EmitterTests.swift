import FlowModel
import Testing
@testable import FlowEmit
@testable import FlowQuery

@Suite("Queries and tables for Athena and Spark")
struct EmitterTests {
    let athena = QueryEmitter(engine: .athena)
    let spark = QueryEmitter(engine: .spark)

    @Test("the day columns keep flowq's meaning (start's UTC day), with a widened delivery-day predicate for Athena")
    func dayColumns() throws {
        let seed = try athena.emit("SELECT * FROM vpc_flow_logs WHERE (action = 'REJECT' AND dstport = 443) AND date_partition >= '2024-01-01'")
        #expect(seed.contains("date_format(from_unixtime(\"start\"), '%Y/%m/%d') >= '2024/01/01'"))
        #expect(seed.contains("(\"delivery_day\" >= '2024/01/01')"))
        #expect(!seed.contains("\"delivery_day\" <="))
        let oneDay = try athena.emit("SELECT * FROM vpc_flow_logs WHERE date = DATE('2020-05-04') LIMIT 100")
        #expect(oneDay.contains("(date(from_unixtime(\"start\")) = date('2020-05-04'))"))
        // Flows that started on the 4th are delivered on the 4th or the 5th.
        #expect(oneDay.contains("\"delivery_day\" >= '2020/05/04' AND \"delivery_day\" <= '2020/05/05'"))
        let sparkDay = try spark.emit("SELECT count(*) FROM flows WHERE day = '2024-01-05'")
        #expect(sparkDay.contains("(date_format(timestamp_seconds(`start`), 'yyyy/MM/dd') = '2024/01/05')"))
        #expect(!sparkDay.contains("delivery_day"))
    }

    @Test("joins with the inventory are written with every column qualified, the flow table's day columns from its own start")
    func joins() throws {
        let sql = try athena.emit("""
            SELECT i.instance_id, sum(bytes) AS bytes FROM vpc_flow_logs f
            JOIN network_interfaces i ON f.interface_id = i.interface_id
            LEFT JOIN subnets s ON i.subnet_id = s.subnet_id AND s.state = 'available'
            WHERE date = DATE '2024-01-02' GROUP BY 1
            """)
        #expect(sql.contains("FROM vpc_flow_logs \"f\"\nJOIN network_interfaces \"i\" ON (\"f\".\"interface_id\" = \"i\".\"interface_id\")"))
        #expect(sql.contains("LEFT JOIN subnets \"s\" ON ((\"i\".\"subnet_id\" = \"s\".\"subnet_id\") AND (\"s\".\"state\" = 'available'))"))
        #expect(sql.contains("sum(\"f\".\"bytes\") AS \"bytes\""))
        #expect(sql.contains("date(from_unixtime(\"f\".\"start\")) = DATE '2024-01-02'"))
        #expect(sql.contains("\"f\".\"delivery_day\" >= '2024/01/02'"))
        let sparkJoin = try spark.emit("SELECT a.address_kind, count(*) FROM flows JOIN interface_addresses a ON srcaddr = a.address GROUP BY 1")
        #expect(sparkJoin.contains("FROM vpc_flow_logs `flows`\nJOIN interface_addresses `a` ON (`flows`.`srcaddr` = `a`.`address`)"))
        // flowq's own errors, before anything is written.
        #expect(throws: QueryError.self) { try athena.emit("SELECT vpc_id FROM flows f JOIN subnets s ON f.subnet_id = s.subnet_id") }
    }

    @Test("partition values follow the table's layout: hive and hourly")
    func layouts() throws {
        let hive = QueryEmitter(engine: .athena, layout: .hive, hourly: true)
        let sql = try hive.emit("SELECT count(*) FROM flows WHERE day BETWEEN '2024/01/02' AND '2024/01/03'")
        #expect(sql.contains("\"delivery_day\" >= 'year=2024/month=01/day=02/hour=00' AND \"delivery_day\" <= 'year=2024/month=01/day=04/hour=23'"))
    }

    @Test("functions are mapped per engine")
    func functions() throws {
        let s = try spark.emit("SELECT day_of_week(date), to_iso8601(from_unixtime(start)), approx_distinct(srcaddr), array_agg(DISTINCT dstport), strpos(srcaddr, '.') FROM flows GROUP BY 1, 2, 5")
        #expect(s.contains("((dayofweek(to_date(timestamp_seconds(`start`))) + 5) % 7 + 1)"))
        #expect(s.contains("date_format(timestamp_seconds(`start`), \"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'\")"))
        #expect(s.contains("count(DISTINCT `srcaddr`)"))
        #expect(s.contains("transform(array_sort(collect_set(named_struct('v', `dstport`))), e -> e.v)"))
        #expect(s.contains("instr(`srcaddr`, '.')"))
        let a = try athena.emit("SELECT region, account_id, protocol_name(protocol) FROM flows ORDER BY 1 DESC")
        #expect(a.contains("coalesce(\"region\", aws_region)"))
        #expect(a.contains("coalesce(\"account_id\", aws_account)"))
        #expect(a.contains("WHEN 6 THEN 'tcp'"))
        #expect(a.hasSuffix("ORDER BY 1 DESC NULLS LAST"))
    }

    @Test("CIDR tests: Athena keeps contains(); Spark gets an IPv4 range and refuses IPv6")
    func cidr() throws {
        let a = try athena.emit("SELECT count(*) FROM flows WHERE contains('2001:db8::/32', cast(srcaddr AS IPADDRESS))")
        #expect(a.contains("contains('2001:db8::/32', CAST(\"srcaddr\" AS IPADDRESS))"))
        let s = try spark.emit("SELECT count(*) FROM flows WHERE contains('10.0.0.0/8', cast(srcaddr AS IPADDRESS))")
        #expect(s.contains("BETWEEN 167772160 AND 184549375"))
        #expect(throws: QueryError.self) { try spark.emit("SELECT count(*) FROM flows WHERE contains('2001:db8::/32', cast(srcaddr AS IPADDRESS))") }
        do {
            _ = try spark.emit("SELECT count(*) FROM flows WHERE contains('2001:db8::/32', cast(srcaddr AS IPADDRESS))")
        } catch {
            #expect(error.kind == .unsupported)
            #expect(error.message.contains("IPv6 CIDR matching cannot be written in Spark SQL"))
        }
    }

    @Test("string literals are escaped for each engine")
    func literals() throws {
        #expect(try athena.emit("SELECT count(*) FROM flows WHERE interface_id = 'it''s\\\\x'").contains("'it''s\\\\x'"))
        #expect(try spark.emit("SELECT count(*) FROM flows WHERE interface_id = 'it''s\\\\x'").contains("'it\\'s\\\\\\\\x'"))
    }

    @Test("DDL: Athena with partition projection, Spark over the gzip files")
    func ddl() {
        let athenaDDL = TableDDL(engine: .athena, location: "s3://bucket/prefix", accounts: ["111122223333"], regions: ["eu-west-1", "us-east-1"],
                                 firstDay: PartitionDay("2024-01-01")!).render()
        #expect(athenaDDL.contains("`end` bigint"))
        #expect(athenaDDL.contains("`region` string\n)"))                // absent from the default format: declared last
        #expect(athenaDDL.contains("'skip.header.line.count' = '1'"))
        #expect(athenaDDL.contains("'projection.aws_region.values' = 'eu-west-1,us-east-1'"))
        #expect(athenaDDL.contains("'storage.location.template' = 's3://bucket/prefix/AWSLogs/${aws_account}/vpcflowlogs/${aws_region}/${delivery_day}'"))
        let hive = TableDDL(engine: .athena, location: "s3://b/", layout: .hive, hourly: true).render()
        #expect(hive.contains("'projection.delivery_day.format' = ''year='yyyy'/month='MM'/day='dd'/hour='HH'"))
        #expect(hive.contains("'projection.delivery_day.interval.unit' = 'HOURS'"))
        let sparkDDL = TableDDL(engine: .spark, location: "s3://bucket/prefix/").render()
        #expect(sparkDDL.contains("USING csv"))
        #expect(sparkDDL.contains("path 's3a://bucket/prefix/AWSLogs/'"))
        #expect(sparkDDL.contains("nullValue '-'"))
    }

    @Test("Spark takes account and region from the file path when the layout lacks them, and declares every field")
    func sparkView() throws {
        let s = try spark.emit("SELECT account_id, region, count(*) FROM flows GROUP BY 1, 2")
        #expect(s.contains("coalesce(`account_id`, nullif(regexp_extract(input_file_name(), 'AWSLogs/(aws-account-id=)?([0-9]{12})/', 2), ''))"))
        #expect(s.contains("coalesce(`region`, nullif(regexp_extract(input_file_name(), 'vpcflowlogs/(aws-region=)?([a-z0-9-]+)/', 2), ''))"))
        let script = try SparkRunner(location: "/data/export").script(for: "SELECT instance_id FROM flows LIMIT 1")
        let statements = script.components(separatedBy: ";\n")
        let view = try #require(statements.first)
        // The default layout's fields come first, in file order; fields it lacks follow, read as NULL.
        #expect(view.contains("`version` int, `account_id` string, `interface_id` string"))
        #expect(view.contains("`instance_id` string"))
        #expect(view.contains("`log_status` string, `region` string"))
        #expect(view.contains("path '/data/export/AWSLogs/'"))
        var runner = SparkRunner(location: "/data/export")
        runner.starColumns = ["srcaddr", "date", "region"]
        let star = try runner.script(for: "SELECT * FROM flows").components(separatedBy: ";\n")[2]
        #expect(star.hasPrefix("SELECT `srcaddr`, to_date(timestamp_seconds(`start`)) AS `date`, coalesce(`region`, "))
        // The view queries read fills account and region from the path.
        #expect(statements.count == 3)
        #expect(statements[1].contains("input_file_name(), 'vpcflowlogs/(aws-region=)?([a-z0-9-]+)/', 2), '')) AS `region`"))
        #expect(statements[1].hasSuffix("FROM vpc_flow_logs_files"))
        #expect(statements[2].hasPrefix("SELECT `instance_id`"))
    }

    @Test("a string compared with any DATE value is written as a DATE, by the bound type rather than the column's name")
    func typesFromTheBinder() throws {
        let a = try athena.emit("SELECT count(*) FROM flows WHERE date(from_unixtime(start)) = '2024-01-02'")
        #expect(a.contains("= DATE '2024-01-02'"))
        let s = try spark.emit("SELECT count(*) FROM flows WHERE '2024-01-02' <= date_trunc('day', date)")
        #expect(s.contains("(DATE '2024-01-02' <="))
        // A string column compared with a date-like string stays text.
        #expect(try athena.emit("SELECT count(*) FROM flows WHERE interface_id = '2024-01-02'").contains("= '2024-01-02')"))
    }

    @Test("Athena's delivery-day predicate takes any constant day the binder folds, never one read from the clock")
    func foldedDayBounds() throws {
        let shifted = try athena.emit("SELECT count(*) FROM flows WHERE date >= DATE '2024-01-02' + INTERVAL '1' DAY")
        #expect(shifted.contains("\"delivery_day\" >= '2024/01/03'"))
        let relative = try athena.emit("SELECT count(*) FROM flows WHERE date >= current_date - INTERVAL '7' DAY")
        #expect(relative.contains("current_date"))
        #expect(!relative.contains("delivery_day"))
    }

    @Test("a query flowq would refuse is refused before anything is written, where the user wrote it")
    func boundBeforeWritten() throws {
        for engine in [athena, spark] {
            let unknown = #expect(throws: QueryError.self) { try engine.emit("SELECT srcadr FROM flows") }
            #expect(unknown?.kind == .unknownName)
            #expect(unknown?.location?.offset == 7)
            let mistyped = #expect(throws: QueryError.self) { try engine.emit("SELECT count(*) FROM flows WHERE bytes = 'many'") }
            #expect(mistyped != nil)
        }
    }
}
