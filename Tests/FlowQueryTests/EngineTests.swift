import Foundation
import Testing
@testable import FlowIngest
@testable import FlowQuery
@testable import FlowStore

/// The columnar executor (issue 12): zone maps that skip segments, shown by `explain`; hash
/// tables that grow and merge across threads, checked against a computation from the text
/// files; the memory budget; and the classes of query where an earlier executor differed from
/// Trino.
@Suite("The columnar executor")
struct EngineTests {
    let fixture: Fixture
    init() throws { fixture = try Fixture.get() }

    /// Runs `sql` on `parallelism` workers and returns the rows as text.
    private func query(_ sql: String, on store: FlowStore? = nil, parallelism: Int = 2, memoryLimit: Int = ExecutionOptions.defaultMemoryLimit) throws -> [[String?]] {
        let store = store ?? fixture.store
        let plan = try QueryEngine(store: store).plan(sql)
        let options = ExecutionOptions(parallelism: parallelism, memoryLimit: memoryLimit)
        return try QueryExecutor(store: store).collect(plan, options: options).map { row in
            zip(row, plan.columns).map { ValueText.plain($0, type: $1.type) }
        }
    }

    // MARK: Zone maps

    /// One day, three files: each a segment of its own, with its own ports and times.
    static let zoned: Result<FlowStore, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-zones-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        for (file, port) in [(0, 22), (1, 443), (2, 8080)] {
            var lines = [header]
            for index in 0..<500 {
                let start = 1_704_412_800 + file * 10_000 + index
                lines.append("2 123456789012 eni-1 10.0.\(file).\(index % 200) 10.1.0.1 \(1024 + index) \(port) 6 1 \(100 + index) \(start) \(start + 30) \(index % 4 == 0 ? "REJECT" : "ACCEPT") OK")
            }
            try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("f\(file).log"), atomically: true, encoding: .utf8)
        }
        let store = FlowStore(url: folder.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [folder.path])
        precondition(summary.recordsStored == 1500)
        return store
    }

    @Test("zone maps skip the segments a condition cannot hold for, as explain shows, and the answer is unchanged", arguments: [
        ("dstport = 443", 1, 2, 500),
        ("dstport > 8000", 1, 2, 500),
        ("dstport IN (22, 8080)", 2, 1, 1000),
        ("dstport BETWEEN 23 AND 442", 0, 3, 0),
        ("start >= 1704422800 AND start < 1704422900", 1, 2, 100),
        ("bytes >= 590", 3, 0, 30),
        ("srcport = 1100 AND dstport = 22", 1, 2, 1),
        ("srcaddr = '10.0.2.7'", 1, 2, 3),
        ("contains('10.0.1.0/24', cast(srcaddr AS IPADDRESS))", 1, 2, 500),
    ])
    func zoneMaps(condition: String, read: Int, skipped: Int, count: Int) throws {
        let store = try Self.zoned.get()
        let sql = "SELECT count(*) FROM flows WHERE \(condition)"
        let explanation = try QueryEngine(store: store).plan(sql).explanation(store: store)
        #expect(explanation.contains("Segments: \(read) read, \(skipped) skipped"), "\(explanation)")
        #expect(try query(sql, on: store) == [[String(count)]])
    }

    @Test("a condition on text or an OR across columns reads every segment")
    func noZoneMap() throws {
        let store = try Self.zoned.get()
        let sql = "SELECT count(*) FROM flows WHERE dstport = 22 OR action = 'REJECT'"
        let explanation = try QueryEngine(store: store).plan(sql).explanation(store: store)
        #expect(explanation.contains("Segments: 3 read, 0 skipped"), "\(explanation)")
        #expect(try query(sql, on: store) == [[String(500 + 250)]])
    }

    // MARK: Hash aggregation across threads

    @Test("group-bys whose tables grow past their first size and merge across 1, 2 and 4 workers equal a direct computation",
          arguments: [1, 2, 4])
    func growingGroups(parallelism: Int) throws {
        let rows = try query("""
            SELECT srcaddr, dstaddr, srcport, count(*), sum(bytes), min(start), max("end"), count(DISTINCT dstport), avg(packets)
            FROM flows GROUP BY srcaddr, dstaddr, srcport
            """, parallelism: parallelism)
        struct Key: Hashable { var source: String?, destination: String?, port: Int64? }
        let groups = Dictionary(grouping: fixture.records) { Key(source: $0.text("srcaddr"), destination: $0.text("dstaddr"), port: $0.int("srcport")) }
        #expect(groups.count > 4096, "the fixture must make the table grow several times")
        var expected: [[String?]] = []
        for (key, records) in groups {
            let bytes = records.compactMap { $0.int("bytes") }, packets = records.compactMap { $0.int("packets") }
            expected.append([key.source, key.destination, key.port.map(String.init), String(records.count),
                             bytes.isEmpty ? nil : String(bytes.reduce(0, +)),
                             records.compactMap { $0.int("start") }.min().map(String.init), records.compactMap { $0.int("end") }.max().map(String.init),
                             String(Set(records.compactMap { $0.int("dstport") }).count),
                             packets.isEmpty ? nil : String(Double(packets.reduce(0, +)) / Double(packets.count))])
        }
        let order: ([String?], [String?]) -> Bool = { a, b in a.map { $0 ?? "" }.lexicographicallyPrecedes(b.map { $0 ?? "" }) }
        #expect(rows.count == expected.count)
        #expect(rows.sorted(by: order) == expected.sorted(by: order))
    }

    @Test("top-N over many groups is the same on any number of workers")
    func topNAnyWorkers() throws {
        let sql = "SELECT srcaddr, dstaddr, sum(packets) AS p FROM flows GROUP BY 1, 2 ORDER BY p DESC, 1, 2 LIMIT 25"
        let one = try query(sql, parallelism: 1)
        #expect(one.count == 25)
        #expect(try query(sql, parallelism: 2) == one)
        #expect(try query(sql, parallelism: 3) == one)
    }

    @Test("a group-by past the memory budget fails with a message naming --memory-limit; a small one runs")
    func memoryBudget() throws {
        let sql = "SELECT srcaddr, dstaddr, srcport, count(DISTINCT dstport) FROM flows GROUP BY 1, 2, 3"
        do {
            _ = try query(sql, memoryLimit: 256 << 10)
            Issue.record("the query ran within 256 KB")
        } catch let error as QueryError {
            #expect(error.kind == .execution)
            #expect(error.message.contains("--memory-limit"), "\(error.message)")
            #expect(error.message.contains("groups"), "\(error.message)")
        }
        #expect(try query("SELECT protocol, count(*) FROM flows GROUP BY 1", memoryLimit: 256 << 10).count > 1)
    }

    // MARK: Trino's semantics where the SQLite-based executor differed

    @Test("BETWEEN compares the values the user sees, on words and addresses")
    func betweenOnValues() throws {
        let records = fixture.records
        let words = records.filter { guard let a = $0.text("action") else { return false }; return a >= "A" && a <= "B" }.count
        #expect(words > 0)
        #expect(try query("SELECT count(*) FROM flows WHERE action BETWEEN 'A' AND 'B'") == [[String(words)]])
        #expect(try query("SELECT count(*) FROM flows WHERE action >= 'A' AND action <= 'B'") == [[String(words)]])
        // Addresses are varchar: text order, so 10.0.0.100 lies between 10.0.0.1 and 10.0.0.20.
        let addresses = records.filter { guard let a = $0.text("srcaddr") else { return false }; return a >= "10.0.0.1" && a <= "10.0.0.20" }.count
        #expect(addresses > 0)
        #expect(try query("SELECT count(*) FROM flows WHERE srcaddr BETWEEN '10.0.0.1' AND '10.0.0.20'") == [[String(addresses)]])
        let outside = records.filter { guard let a = $0.text("srcaddr") else { return false }; return !(a >= "10.0.0.1" && a <= "10.0.0.20") }.count
        #expect(try query("SELECT count(*) FROM flows WHERE srcaddr NOT BETWEEN '10.0.0.1' AND '10.0.0.20'") == [[String(outside)]])
    }

    /// Trino's substr: 1-based, a negative start counts from the end, a start of 0 or before the
    /// beginning gives '', a negative length gives ''.
    private func trinoSubstr(_ text: String, _ start: Int, _ length: Int? = nil) -> String {
        let characters = Array(text)
        var from = start
        if from < 0 { from = characters.count + from + 1 }
        guard from >= 1, from <= characters.count else { return "" }
        let available = characters.count - from + 1
        let take = min(length ?? available, available)
        guard take > 0 else { return "" }
        return String(characters[(from - 1)..<(from - 1 + take)])
    }

    @Test("substr at its edges gives what Trino gives")
    func substrEdges() throws {
        let rows = try query("SELECT DISTINCT action, log_status, substr(action, 0, 8), substr(action, 3, -1), substr(log_status, -3), substr(action, 2, 3), substr(log_status, 9) FROM flows WHERE action IS NOT NULL AND log_status IS NOT NULL")
        #expect(rows.count >= 2)
        for row in rows {
            let action = row[0]!, status = row[1]!
            #expect(row[2] == trinoSubstr(action, 0, 8))
            #expect(row[3] == trinoSubstr(action, 3, -1))
            #expect(row[4] == trinoSubstr(status, -3))
            #expect(row[5] == trinoSubstr(action, 2, 3))
            #expect(row[6] == trinoSubstr(status, 9))
        }
        #expect(rows.contains { $0[1] == "OK" && $0[4] == "" })
    }

    @Test("to_iso8601 of a date is varchar")
    func isoDate() throws {
        let plan = try QueryEngine(store: fixture.store).plan("SELECT to_iso8601(date) || 'T', length(to_iso8601(date)) FROM flows LIMIT 1")
        #expect(plan.columns.map(\.type) == [.varchar, .integer])
        let days = Set(fixture.records.map(Fixture.day)).sorted()
        #expect(try query("SELECT DISTINCT to_iso8601(date) FROM flows ORDER BY 1") == days.map { [$0] })
        #expect(try query("SELECT count(*) FROM flows WHERE to_iso8601(date) = '\(days[0])'")
                == [[String(fixture.records.filter { Fixture.day($0) == days[0] }.count)]])
    }

    @Test("time functions over aggregates")
    func timeOverAggregates() throws {
        let rows = try query("""
            SELECT date_trunc('week', max(from_unixtime("end"))), date_diff('minute', min(from_unixtime(start)), max(from_unixtime("end"))),
                   date_diff('hour', min(from_unixtime(start)), max(from_unixtime(start))), to_iso8601(min(from_unixtime(start)))
            FROM flows
            """)
        let firstStart = fixture.records.compactMap { $0.int("start") }.min()!, lastStart = fixture.records.compactMap { $0.int("start") }.max()!
        let lastEnd = fixture.records.compactMap { $0.int("end") }.max()!
        // Weeks start on Monday; 1970-01-01 was a Thursday.
        let day = lastEnd / 86_400, monday = day - (day + 3) % 7
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        let iso = DateFormatter()
        iso.timeZone = TimeZone(identifier: "UTC")
        iso.locale = Locale(identifier: "en_US_POSIX")
        iso.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        #expect(rows == [[formatter.string(from: Date(timeIntervalSince1970: TimeInterval(monday * 86_400))),
                          String((lastEnd - firstStart) / 60), String((lastStart - firstStart) / 3600),
                          iso.string(from: Date(timeIntervalSince1970: TimeInterval(firstStart)))]])
    }

    @Test("HAVING without GROUP BY filters the one group; a bare column beside it is refused as Trino refuses it")
    func havingWithoutGroupBy() throws {
        let total = String(fixture.records.count)
        #expect(try query("SELECT count(*) FROM flows HAVING count(*) > 1") == [[total]])
        #expect(try query("SELECT count(*) FROM flows HAVING count(*) > 1000000000") == [])
        #expect(throws: QueryError.self) { try QueryEngine(store: fixture.store).plan("SELECT srcaddr FROM flows HAVING count(*) > 1") }
    }

    @Test("SELECT DISTINCT over aggregates is valid")
    func distinctAggregates() throws {
        let total = String(fixture.records.count)
        #expect(try query("SELECT DISTINCT count(*) FROM flows") == [[total]])
        let perDay = Dictionary(grouping: fixture.records, by: Fixture.day).mapValues(\.count)
        let distinctCounts = Set(perDay.values).sorted().map { [String($0)] as [String?] }
        #expect(try query("SELECT DISTINCT count(*) AS c FROM flows GROUP BY date ORDER BY c") == distinctCounts)
    }
}
