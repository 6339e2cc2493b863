import FlowModel
import Foundation
import Testing

/// The queries AWS documents for VPC flow logs in Athena, verbatim (table name aside), and the
/// same queries with dates moved into the generated corpus, each answer checked independently.
@Suite("The documented queries")
struct DocumentedQueryTests {
    let fixture: Fixture
    init() throws { fixture = try Fixture.get() }

    static let verbatim = [
        "SELECT * FROM vpc_flow_logs WHERE (action = 'REJECT' AND dstport = 443) AND date_partition >= '2024-01-01';",
        "SELECT * FROM vpc_flow_logs WHERE date = DATE('2020-05-04') LIMIT 100;",
        "SELECT day_of_week(date) AS day, date, interface_id, srcaddr, action, protocol FROM vpc_flow_logs WHERE action = 'REJECT' AND protocol = 6 LIMIT 100;",
        "SELECT SUM(packets) AS packetcount, dstaddr FROM vpc_flow_logs WHERE dstport = 443 AND date > current_date - interval '7' day GROUP BY dstaddr ORDER BY packetcount DESC LIMIT 10;",
        "SELECT * FROM vpc_flow_logs WHERE day >= '2021/02/01' AND day < '2021/02/28' ORDER BY day ASC LIMIT 100;",
        "SELECT interface_id, srcaddr, action, protocol, to_iso8601(from_unixtime(start)) AS start_time, to_iso8601(from_unixtime(\"end\")) AS end_time FROM vpc_flow_logs WHERE DAY >= '2021/04/01' AND DAY < '2021/04/30';",
        "SELECT * FROM vpc_flow_logs WHERE srcaddr = '10.117.1.22' AND day >= '2021/02/01' AND day < '2021/02/28';",
        "SELECT * FROM vpc_flow_logs WHERE split_part(srcaddr,'.', 1)='10' AND split_part(srcaddr,'.', 2) ='117';",
        "SELECT * FROM vpc_flow_logs WHERE log_status = 'OK' AND contains('172.16.0.0/12', cast(srcaddr as IPADDRESS)) AND contains('172.16.0.0/12', cast(dstaddr as IPADDRESS)) AND date_partition >= '2020/07/01' AND date_partition <= '2020/07/31';",
        "SELECT srcaddr, min(start) AS first_seen, max(\"end\") AS last_seen, array_agg(DISTINCT(dstaddr)), array_agg(DISTINCT(instance_id)), array_agg(DISTINCT(dstport)) FROM vpc_flow_logs WHERE dstport < 32768 AND date_partition >= '2020/07/01' GROUP BY srcaddr ORDER BY first_seen ASC;",
    ]

    @Test("every documented query runs unchanged", arguments: verbatim)
    func runs(sql: String) async throws {
        _ = try await fixture.query(sql)
    }

    @Test("rejected 443 after a date: every matching record, and only those")
    func rejected443() async throws {
        let rows = try await fixture.query(Self.verbatim[0].replacingOccurrences(of: "SELECT *", with: "SELECT start, srcaddr"))
        let expected = fixture.records.filter { $0.text("action") == "REJECT" && $0.int("dstport") == 443 && Fixture.day($0) >= "2024-01-01" }
        #expect(rows.count == expected.count)
        #expect(Set(rows.map { "\($0[0]!) \($0[1]!)" }) == Set(expected.map { "\($0.text("start")!) \($0.text("srcaddr")!)" }))
    }

    @Test("one day by DATE(), limited")
    func oneDay() async throws {
        let rows = try await fixture.query("SELECT date, start FROM vpc_flow_logs WHERE date = DATE('2024-01-02') LIMIT 100")
        #expect(rows.count == 100)
        #expect(rows.allSatisfy { $0[0] == "2024-01-02" && Fixture.day(["start": $0[1]]) == "2024-01-02" })
        #expect(try await fixture.query(Self.verbatim[1]).isEmpty)
    }

    @Test("day_of_week of the partition date, on rejected TCP")
    func dayOfWeek() async throws {
        let rows = try await fixture.query(Self.verbatim[2])
        #expect(rows.count == 100)
        let weekday = ["2023-12-31": "7", "2024-01-01": "1", "2024-01-02": "2", "2024-01-03": "3", "2024-01-04": "4"]
        for row in rows {
            #expect(row[0] == weekday[row[1]!])
            #expect(row[4] == "REJECT" && row[5] == "6")
        }
    }

    @Test("packets per destination over the last 7 days, top 10")
    func lastSevenDays() async throws {
        let now = Date(timeIntervalSince1970: 1_704_326_400) // 2024-01-04: the window is 2023-12-29 < date
        let rows = try await fixture.query(Self.verbatim[3], now: now)
        var sums: [String: Int64] = [:]
        for r in fixture.records where r.int("dstport") == 443 && Fixture.day(r) > "2023-12-28" {
            sums[r.text("dstaddr")!, default: 0] += r.int("packets") ?? 0
        }
        let top = sums.sorted { $0.value > $1.value }.prefix(10)
        #expect(rows.map { $0[0] } == top.map { String($0.value) })
        // Ties in the sum may order destinations either way; the set of top sums is exact.
        #expect(rows.count == 10)
    }

    @Test("a day range, ordered by day")
    func dayRange() async throws {
        let rows = try await fixture.query("SELECT day, start FROM vpc_flow_logs WHERE day >= '2024/01/02' AND day < '2024/01/04' ORDER BY day ASC LIMIT 100")
        #expect(rows.count == 100)
        #expect(rows.allSatisfy { $0[0] == "2024/01/02" })
    }

    @Test("ISO 8601 times")
    func iso8601() async throws {
        let rows = try await fixture.query("SELECT start, to_iso8601(from_unixtime(start)) AS start_time, to_iso8601(from_unixtime(\"end\")) AS end_time FROM vpc_flow_logs WHERE DAY >= '2024/01/01' AND DAY < '2024/01/02' LIMIT 3")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for row in rows {
            let date = try #require(formatter.date(from: row[1]!))
            #expect(Int64(date.timeIntervalSince1970) == Int64(row[0]!))
            #expect(row[1]!.hasSuffix(".000Z"))
        }
    }

    @Test("one source address in a day range")
    func oneSource() async throws {
        let rows = try await fixture.query("SELECT count(*) FROM vpc_flow_logs WHERE srcaddr = '10.117.1.35' AND day >= '2024/01/02' AND day < '2024/01/04'")
        let expected = fixture.records.filter { $0.text("srcaddr") == "10.117.1.35" && Fixture.day($0) >= "2024-01-02" && Fixture.day($0) < "2024-01-04" }.count
        #expect(expected > 0)
        #expect(rows == [[String(expected)]])
    }

    @Test("split_part on addresses")
    func splitPart() async throws {
        let rows = try await fixture.query(Self.verbatim[7].replacingOccurrences(of: "SELECT *", with: "SELECT count(*)"))
        let expected = fixture.records.filter { $0.text("srcaddr")?.hasPrefix("10.117.") == true }.count
        #expect(rows == [[String(expected)]])
    }

    @Test("both ends inside 172.16.0.0/12, in a date range")
    func privateBothEnds() async throws {
        let sql = Self.verbatim[8].replacingOccurrences(of: "SELECT *", with: "SELECT count(*)")
            .replacingOccurrences(of: "2020/07/01", with: "2024/01/01").replacingOccurrences(of: "2020/07/31", with: "2024/01/31")
        let rows = try await fixture.query(sql)
        func inside(_ text: String?) -> Bool {
            guard case .v4(let a)? = text.flatMap(IPAddress.init) else { return false }
            return a >> 20 == (172 << 4 | 1)
        }
        let expected = fixture.records.filter {
            $0.text("log_status") == "OK" && inside($0.text("srcaddr")) && inside($0.text("dstaddr")) && Fixture.day($0) >= "2024-01-01"
        }.count
        #expect(expected > 0)
        #expect(rows == [[String(expected)]])
    }

    @Test("first and last seen with distinct destinations, instances and ports per source")
    func firstLastSeen() async throws {
        let rows = try await fixture.query(Self.verbatim[9].replacingOccurrences(of: "2020/07/01", with: "2024/01/02"))
        let matching = fixture.records.filter { ($0.int("dstport") ?? Int64.max) < 32768 && Fixture.day($0) >= "2024-01-02" }
        let groups = Dictionary(grouping: matching, by: { $0.text("srcaddr")! })
        func list(_ values: [String]) -> String { "[" + values.joined(separator: ", ") + "]" }
        func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }
        let expected: [[String?]] = groups.map { source, records -> [String?] in
            let instances = Set(records.map { $0.text("instance_id") })
            let instanceList = (instances.contains(nil) ? ["NULL"] : []) + instances.compactMap { $0 }.sorted(by: byteOrder)
            return [source, String(records.map { $0.int("start")! }.min()!), String(records.map { $0.int("end")! }.max()!),
                    list(Set(records.map { $0.text("dstaddr")! }).sorted(by: byteOrder)),
                    list(instanceList),
                    list(Set(records.map { $0.int("dstport")! }).sorted().map(String.init))]
        }
        #expect(rows.count == expected.count)
        #expect(Set(rows.map { $0.map { $0 ?? "NULL" } }) == Set(expected.map { $0.map { $0 ?? "NULL" } }))
        let firstSeen = rows.map { Int64($0[1]!)! }
        #expect(firstSeen == firstSeen.sorted())
    }
}
