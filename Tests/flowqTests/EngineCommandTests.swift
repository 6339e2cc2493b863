import Foundation
import Testing

/// `flowq emit`, `flowq ddl` and `flowq query --engine spark` as a user runs them.
@Suite("Other engines from the command line")
struct EngineCommandTests {
    @Test("emit writes the query for Athena and refuses what Spark cannot express")
    func emit() throws {
        let athena = try CommandRunner.run(["emit", "--engine", "athena", "SELECT count(*) FROM flows WHERE date = DATE '2024-01-05'"])
        #expect(athena.status == 0, "\(athena.stderr)")
        #expect(athena.stdout.contains("date(from_unixtime(\"start\")) = DATE '2024-01-05'"))
        #expect(athena.stdout.contains("\"delivery_day\" <= '2024/01/06'"))
        let spark = try CommandRunner.run(["emit", "--engine", "spark", "SELECT count(*) FROM flows WHERE contains('2001:db8::/32', cast(srcaddr AS IPADDRESS))"])
        #expect(spark.status == 2)
        #expect(spark.stderr.contains("IPv6 CIDR matching cannot be written in Spark SQL"))
        let bad = try CommandRunner.run(["emit", "--engine", "presto", "SELECT 1 FROM flows"])
        #expect(bad.status == 64)
    }

    @Test("emit with a store lists flowq's columns for SELECT *, date included; without one * stays")
    func emitStar() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try CommandRunner.run(["sample", "--records", "600", "--layout", "custom", "--out", scratch.path("logs")])
        #expect(try CommandRunner.run(["ingest", "--store", scratch.path("store"), scratch.path("logs")]).status == 0)
        let sql = "SELECT * FROM flows WHERE action = 'REJECT' LIMIT 5"
        let local = try CommandRunner.run(["query", "--store", scratch.path("store"), "--format", "csv", sql])
        let header = try #require(local.stdout.split(whereSeparator: \.isNewline).first).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        for engine in ["athena", "spark"] {
            let emitted = try CommandRunner.run(["emit", "--engine", engine, "--store", scratch.path("store"), sql])
            #expect(emitted.status == 0, "\(emitted.stderr)")
            let list = try #require(emitted.stdout.components(separatedBy: "\nFROM").first)
            #expect(!list.contains("*"), "\(emitted.stdout)")
            // Every column flowq prints is named, in flowq's order.
            let quote = engine == "athena" ? "\"" : "`"
            var position = list.startIndex
            for name in header {
                let range = try #require(list.range(of: "\(quote)\(name)\(quote)", range: position..<list.endIndex), "\(name) in \(list)")
                position = range.upperBound
            }
        }
        #expect(header.contains("date") && header.contains("flow_direction"), "\(header)")
        // A field the store has never seen is NULL here and in the emitted query.
        _ = try CommandRunner.run(["sample", "--records", "300", "--out", scratch.path("plain-logs")])
        #expect(try CommandRunner.run(["ingest", "--store", scratch.path("plain"), scratch.path("plain-logs")]).status == 0)
        let absent = "SELECT instance_id, count(*) AS n FROM flows GROUP BY 1"
        let here = try CommandRunner.run(["query", "--store", scratch.path("plain"), "--format", "csv", absent])
        #expect(here.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.hasPrefix(",") } == [true], "\(here.stdout)")
        for engine in ["athena", "spark"] {
            let emitted = try CommandRunner.run(["emit", "--engine", engine, "--store", scratch.path("plain"), absent])
            let quote = engine == "athena" ? "\"" : "`"
            let type = engine == "athena" ? "varchar" : "string"
            #expect(emitted.stdout.contains("CAST(NULL AS \(type)) AS \(quote)instance_id\(quote)"), "\(emitted.stdout)")
        }
        let bare = try CommandRunner.run(["emit", "--engine", "athena", "--store", scratch.path("none"), sql])
        #expect(bare.status == 0)
        #expect(bare.stdout.hasPrefix("SELECT *"), "\(bare.stdout)")
    }

    @Test("ddl takes its columns from the store's layout")
    func ddl() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try CommandRunner.run(["sample", "--records", "600", "--layout", "custom", "--out", scratch.path("logs")])
        _ = try CommandRunner.run(["ingest", "--store", scratch.path("store"), scratch.path("logs")])
        let result = try CommandRunner.run(["ddl", "--engine", "athena", "--location", "s3://bucket/x/", "--store", scratch.path("store")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("`flow_direction` string"))
        #expect(result.stdout.contains("'projection.aws_account.values' = '123456789012'"))
        #expect(result.stdout.contains("'projection.delivery_day.range' = '2023/12/31,NOW'"))
    }

    @Test("--memory-limit: a query whose groups need more fails with status 1 and says what to do; within it, it runs")
    func memoryLimit() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try CommandRunner.run(["sample", "--records", "20000", "--out", scratch.path("logs")])
        #expect(try CommandRunner.run(["ingest", "--store", scratch.path("store"), scratch.path("logs")]).status == 0)
        let sql = "SELECT srcaddr, dstaddr, srcport, count(*) FROM flows GROUP BY 1, 2, 3"
        let small = try CommandRunner.run(["query", "--store", scratch.path("store"), "--memory-limit", "1MB", sql])
        #expect(small.status == 1)
        #expect(small.stderr.contains("needs more than 1 MB") && small.stderr.contains("--memory-limit"), "\(small.stderr)")
        let enough = try CommandRunner.run(["query", "--store", scratch.path("store"), "--memory-limit", "256MB", "--format", "csv", sql])
        #expect(enough.status == 0, "\(enough.stderr)")
        #expect(enough.stdout.split(separator: "\r\n").count > 1000)
    }

    @Test("a missing Spark is an error naming what to install")
    func missingSpark() throws {
        let result = try CommandRunner.run(["query", "--engine", "spark", "--location", "/tmp", "SELECT count(*) FROM flows"],
                                           environment: ["SPARK_HOME": "/nonexistent", "PATH": "/usr/bin:/bin"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Spark is not installed here"))
    }
}
