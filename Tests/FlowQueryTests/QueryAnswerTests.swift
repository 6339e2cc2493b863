import FlowModel
import Foundation
import Testing

/// Answers over a generated 4-day corpus, each checked against the same number computed here
/// from the text files, without flowq's parser, store or planner.
@Suite("Answers equal independent computations")
struct QueryAnswerTests {
    let fixture: Fixture
    init() throws { fixture = try Fixture.get() }

    @Test("the seed question: rejected 443 flows after a date")
    func seedQuestion() async throws {
        let rows = try await fixture.query("SELECT srcaddr, dstaddr, start FROM vpc_flow_logs WHERE (action = 'REJECT' AND dstport = 443) AND date_partition >= '2024-01-02' ORDER BY start, srcaddr, dstaddr")
        let expected = fixture.records.filter {
            $0.text("action") == "REJECT" && $0.int("dstport") == 443 && Fixture.day($0) >= "2024-01-02"
        }.map { [$0.text("srcaddr"), $0.text("dstaddr"), $0.text("start")] }
            .sorted { ($0[2]!, $0[0]!, $0[1]!) < ($1[2]!, $1[0]!, $1[1]!) }
        #expect(!expected.isEmpty)
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) where row != want {
            Issue.record("first difference: \(row) != \(want)")
            break
        }
    }

    @Test("count, sum, min, max and an exact avg across all days")
    func globalAggregates() async throws {
        let rows = try await fixture.query("SELECT count(*), count(srcaddr), sum(bytes), min(start), max(\"end\"), avg(packets) FROM flows")
        let records = fixture.records
        let packets = records.compactMap { $0.int("packets") }
        let expected: [String?] = [
            String(records.count), String(records.filter { $0.text("srcaddr") != nil }.count),
            String(records.compactMap { $0.int("bytes") }.reduce(0, +)),
            String(records.compactMap { $0.int("start") }.min()!), String(records.compactMap { $0.int("end") }.max()!),
            String(Double(packets.reduce(0, +)) / Double(packets.count)),
        ]
        #expect(rows == [expected])
    }

    @Test("per-day averages are each day's own, not a mean of means")
    func perDayAverage() async throws {
        let rows = try await fixture.query("SELECT date, avg(bytes) AS a, count(*) AS n FROM flows GROUP BY date ORDER BY date")
        let byDay = Dictionary(grouping: fixture.records, by: Fixture.day)
        let expected: [[String?]] = byDay.keys.sorted().map { day in
            let bytes = byDay[day]!.compactMap { $0.int("bytes") }
            return [day, String(Double(bytes.reduce(0, +)) / Double(bytes.count)), String(byDay[day]!.count)]
        }
        #expect(rows == expected)
    }

    @Test("count(DISTINCT) over many partitions counts each value once")
    func distinctCount() async throws {
        let rows = try await fixture.query("SELECT count(DISTINCT srcaddr), count(DISTINCT dstport), approx_distinct(interface_id) FROM flows")
        let expected: [String?] = [
            String(Set(fixture.records.compactMap { $0.text("srcaddr") }).count),
            String(Set(fixture.records.compactMap { $0.int("dstport") }).count),
            String(Set(fixture.records.compactMap { $0.text("interface_id") }).count),
        ]
        #expect(rows == [expected])
    }

    @Test("top-N with ties broken by a second key, across partitions")
    func topN() async throws {
        let rows = try await fixture.query("SELECT srcaddr, count(*) AS c, sum(bytes) AS b FROM vpc_flow_logs WHERE action = 'REJECT' GROUP BY srcaddr ORDER BY c DESC, srcaddr ASC LIMIT 10")
        let groups = Dictionary(grouping: fixture.records.filter { $0.text("action") == "REJECT" }, by: { $0.text("srcaddr")! })
        struct Group { var source: String; var count: Int; var bytes: Int64 }
        var all: [Group] = []
        for (key, value) in groups {
            all.append(Group(source: key, count: value.count, bytes: value.compactMap { $0.int("bytes") }.reduce(0, +)))
        }
        all.sort { a, b in a.count != b.count ? a.count > b.count : Array(a.source.utf8).lexicographicallyPrecedes(Array(b.source.utf8)) }
        let expected: [[String?]] = all.prefix(10).map { [$0.source, String($0.count), String($0.bytes)] }
        #expect(rows == Array(expected))
    }

    @Test("HAVING filters merged groups, not per-partition groups")
    func having() async throws {
        let rows = try await fixture.query("SELECT dstport, count(*) FROM flows WHERE dstport IS NOT NULL GROUP BY dstport HAVING count(*) > 300 ORDER BY 1")
        let groups = Dictionary(grouping: fixture.records.compactMap { $0.int("dstport") }, by: { $0 })
        let expected = groups.filter { $0.value.count > 300 }.keys.sorted().map { [String($0), String(groups[$0]!.count)] as [String?] }
        #expect(!expected.isEmpty)
        #expect(rows == expected)
    }

    @Test("array_agg(DISTINCT) unions the partitions' values")
    func arrayAgg() async throws {
        let rows = try await fixture.query("SELECT srcaddr, array_agg(DISTINCT(dstport)) FROM flows WHERE srcaddr = '10.0.0.10' GROUP BY srcaddr")
        let ports = Set(fixture.records.filter { $0.text("srcaddr") == "10.0.0.10" }.compactMap { $0.int("dstport") }).sorted()
        #expect(!ports.isEmpty)
        #expect(rows == [["10.0.0.10", "[" + ports.map(String.init).joined(separator: ", ") + "]"]])
    }

    @Test("CIDR containment is numeric, for IPv4 and IPv6, and NULL never matches")
    func cidr() async throws {
        let v4 = try await fixture.query("SELECT count(*) FROM flows WHERE contains('172.16.0.0/12', cast(srcaddr AS IPADDRESS))")
        let expected4 = fixture.records.filter { record in
            guard case .v4(let a)? = record.text("srcaddr").flatMap(IPAddress.init) else { return false }
            return a >> 20 == (172 << 4 | 1)
        }.count
        #expect(v4 == [[String(expected4)]])
        let v6 = try await fixture.query("SELECT count(*) FROM flows WHERE contains('2001:db8::/32', cast(srcaddr AS IPADDRESS))")
        let expected6 = fixture.records.filter { $0.text("srcaddr")?.hasPrefix("2001:db8:") == true }.count
        #expect(expected6 > 0)
        #expect(v6 == [[String(expected6)]])
    }

    @Test("SKIPDATA per hour with date_trunc")
    func skipdataPerHour() async throws {
        let rows = try await fixture.query("SELECT date_trunc('hour', from_unixtime(start)) AS h, count(*) FROM flows WHERE log_status = 'SKIPDATA' GROUP BY 1 ORDER BY 1")
        let hours = Dictionary(grouping: fixture.records.filter { $0.text("log_status") == "SKIPDATA" }, by: { $0.int("start")! / 3600 * 3600 })
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        let expected = hours.keys.sorted().map { [formatter.string(from: Date(timeIntervalSince1970: TimeInterval($0))), String(hours[$0]!.count)] as [String?] }
        #expect(!expected.isEmpty)
        #expect(rows == expected)
    }

    @Test("LIKE is case-sensitive and works on decoded addresses")
    func like() async throws {
        let rows = try await fixture.query("SELECT count(*) FROM flows WHERE srcaddr LIKE '10.%' AND action = 'REJECT'")
        let expected = fixture.records.filter { $0.text("srcaddr")?.hasPrefix("10.") == true && $0.text("action") == "REJECT" }.count
        #expect(rows == [[String(expected)]])
        #expect(try await fixture.query("SELECT count(*) FROM flows WHERE action LIKE 'reject'") == [["0"]])
    }

    @Test("fields missing from a partition's layout read as NULL")
    func missingFields() async throws {
        let rows = try await fixture.query("SELECT count(*), count(vpc_id), count(DISTINCT flow_direction) FROM flows")
        let expected: [String?] = [String(fixture.records.count), String(fixture.records.filter { $0.text("vpc_id") != nil }.count),
                                   String(Set(fixture.records.compactMap { $0.text("flow_direction") }).count)]
        #expect(rows == [expected])
    }

    @Test("an empty answer from an aggregate is one row of zero and NULLs")
    func emptyAggregate() async throws {
        #expect(try await fixture.query("SELECT count(*), sum(bytes), avg(bytes) FROM flows WHERE date = DATE '1999-01-01'") == [["0", nil, nil]])
        #expect(try await fixture.query("SELECT srcaddr, count(*) FROM flows WHERE dstport = 1 AND dstport = 2 GROUP BY srcaddr") == [])
    }

    @Test("partitions that match nothing leave exact answers (avg, distinct count, top-N)")
    func emptyPartitions() async throws {
        // Matches rows of one day only, through functions the planner cannot prune with:
        // every other partition runs and returns empty partials.
        let filter = "hour(from_unixtime(start)) = 0 AND day_of_week(date) = 1"
        let rows = try await fixture.query("SELECT count(*), avg(bytes), count(DISTINCT srcaddr), max(srcport) FROM flows WHERE \(filter)")
        let matching = fixture.records.filter { Fixture.day($0) == "2024-01-01" && ($0.int("start")! % 86_400) < 3600 }
        let bytes = matching.compactMap { $0.int("bytes") }
        #expect(!bytes.isEmpty)
        #expect(rows == [[String(matching.count), String(Double(bytes.reduce(0, +)) / Double(bytes.count)),
                          String(Set(matching.compactMap { $0.text("srcaddr") }).count), matching.compactMap { $0.int("srcport") }.max().map(String.init)]])
    }

    @Test("protocol, TCP flag and traffic-path names")
    func enrichment() async throws {
        let rows = try await fixture.query("SELECT protocol_name(6), protocol_name(17), protocol_name(58), protocol_name(250), tcp_flag_names(18), tcp_flag_names(0), tcp_flag_names(NULL), traffic_path_name(2) FROM flows LIMIT 1")
        #expect(rows == [["tcp", "udp", "icmpv6", "250", "SYN,ACK", "", nil, "internet gateway or gateway VPC endpoint"]])
        let byName = try await fixture.query("SELECT protocol_name(protocol) AS p, count(*) FROM flows WHERE protocol IS NOT NULL GROUP BY 1 ORDER BY 1")
        let counts = Dictionary(grouping: fixture.records.compactMap { $0.int("protocol") }, by: { $0 })
        let names: [Int64: String] = [1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"]
        let expected = counts.map { [names[$0.key] ?? String($0.key), String($0.value.count)] as [String?] }.sorted { $0[0]! < $1[0]! }
        #expect(byName == expected)
    }

    @Test("text stored as dictionary ids compares like text: =, <>, IN, NOT IN, values never seen")
    func dictionaryColumns() async throws {
        let some = try #require(fixture.records.compactMap { $0.text("interface_id") }.first)
        let withInterface = fixture.records.filter { $0.text("interface_id") != nil }
        #expect(try await fixture.query("SELECT count(*) FROM flows WHERE interface_id = '\(some)'") == [[String(withInterface.filter { $0.text("interface_id") == some }.count)]])
        #expect(try await fixture.query("SELECT count(*) FROM flows WHERE interface_id <> 'eni-never-seen'") == [[String(withInterface.count)]])
        #expect(try await fixture.query("SELECT count(*) FROM flows WHERE interface_id NOT IN ('eni-never-seen', '\(some)')") == [[String(withInterface.filter { $0.text("interface_id") != some }.count)]])
        #expect(try await fixture.query("SELECT count(*) FROM flows WHERE interface_id IN ('eni-never-seen')") == [["0"]])
        let perInterface = try await fixture.query("SELECT interface_id, count(*) FROM flows GROUP BY interface_id ORDER BY 2 DESC, 1 LIMIT 1")
        let counts = Dictionary(grouping: withInterface, by: { $0.text("interface_id")! }).mapValues(\.count)
        let top = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!
        #expect(perInterface == [[top.key, String(top.value)]])
    }

    @Test("DISTINCT rows")
    func distinctRows() async throws {
        let rows = try await fixture.query("SELECT DISTINCT action, log_status FROM flows ORDER BY 1 NULLS FIRST, 2")
        let pairs = Set(fixture.records.map { "\($0.text("action") ?? "")|\($0.text("log_status") ?? "")" })
        #expect(rows.count == pairs.count)
        #expect(rows.first?[0] == nil)
    }

    @Test("day_of_week is ISO (1 = Monday) and date literals work in both spellings")
    func dates() async throws {
        let rows = try await fixture.query("SELECT day_of_week(date) AS d, date, count(*) FROM flows WHERE day >= '2024/01/01' AND day < '2024-01-03' GROUP BY 1, 2 ORDER BY 2")
        let counts = Dictionary(grouping: fixture.records.map(Fixture.day).filter { $0 >= "2024-01-01" && $0 < "2024-01-03" }, by: { $0 })
        // 2024-01-01 was a Monday.
        #expect(rows == [["1", "2024-01-01", String(counts["2024-01-01"]!.count)], ["2", "2024-01-02", String(counts["2024-01-02"]!.count)]])
    }
}
