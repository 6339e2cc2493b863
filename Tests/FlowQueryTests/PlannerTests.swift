import FlowModel
import Foundation
import Testing
@testable import FlowQuery
@testable import FlowSamples
@testable import FlowStore

/// A catalog snapshot of `days` consecutive day partitions from 2024-01-01, without a store.
private func snapshot(days: Int) -> StoreSnapshot {
    let first = PartitionDay("2024-01-01")!
    let partitions = (0..<days).map { offset -> PartitionInfo in
        let day = first.adding(days: Int32(offset))
        return PartitionInfo(day: day, rowCount: 100, fileCount: 1,
                             startRange: day.startSeconds...(day.startSeconds + 86_399),
                             endRange: (day.startSeconds + 60)...(day.startSeconds + 86_459),
                             columns: SampleLayout.defaultFields.map(\.columnName))
    }
    return StoreSnapshot(partitions: partitions, fileWatermark: 10, unfinishedFileIDs: [], extraColumns: [])
}

private func keptDays(_ sql: String, days: Int = 365, now: Date = Date(timeIntervalSince1970: 1_706_745_600)) throws -> [String] {
    try QueryPlanner(snapshot: snapshot(days: days), now: now).plan(sql).partitions.filter(\.kept).map(\.partition.day.isoText)
}

@Suite("Partition pruning, asserted on the plan")
struct PruningTests {
    @Test("a one-day question over a year of partitions reads one partition", arguments: [
        "SELECT * FROM flows WHERE date = DATE '2024-03-05'",
        "SELECT * FROM flows WHERE date = DATE('2024-03-05')",
        "SELECT * FROM flows WHERE day = '2024/03/05'",
        "SELECT * FROM flows WHERE date_partition = '2024-03-05' AND action = 'REJECT'",
        "SELECT * FROM flows WHERE '2024-03-05' = date",
        "SELECT count(*) FROM flows WHERE date BETWEEN DATE '2024-03-05' AND DATE '2024-03-05' GROUP BY srcaddr",
    ])
    func oneDay(sql: String) throws {
        #expect(try keptDays(sql) == ["2024-03-05"])
    }

    @Test("ranges on date, day and date_partition")
    func ranges() throws {
        #expect(try keptDays("SELECT * FROM flows WHERE day >= '2024/12/29'") == ["2024-12-29", "2024-12-30"])
        #expect(try keptDays("SELECT * FROM flows WHERE date_partition >= '2024-12-29' AND date_partition < '2024-12-30'") == ["2024-12-29"])
        #expect(try keptDays("SELECT * FROM flows WHERE date < DATE '2024-01-03'") == ["2024-01-01", "2024-01-02"])
        #expect(try keptDays("SELECT * FROM flows WHERE NOT (date > DATE '2024-01-02')") == ["2024-01-01", "2024-01-02"])
    }

    @Test("IN lists of dates and OR of days")
    func lists() throws {
        #expect(try keptDays("SELECT * FROM flows WHERE date IN (DATE '2024-02-01', DATE '2024-01-05')") == ["2024-01-05", "2024-02-01"])
        #expect(try keptDays("SELECT * FROM flows WHERE day = '2024/01/07' OR day = '2024/01/09'") == ["2024-01-07", "2024-01-09"])
        #expect(try keptDays("SELECT * FROM flows WHERE day = '2024/01/07' OR dstport = 443").count == 365)
    }

    @Test("start and end ranges prune with the catalog's time ranges")
    func startEnd() throws {
        let jan3 = PartitionDay("2024-01-03")!.startSeconds
        #expect(try keptDays("SELECT * FROM flows WHERE start >= \(jan3) AND start < \(jan3 + 3600)") == ["2024-01-03"])
        #expect(try keptDays("SELECT * FROM flows WHERE \"end\" < \(jan3)") == ["2024-01-01", "2024-01-02"])
        #expect(try keptDays("SELECT * FROM flows WHERE from_unixtime(start) >= TIMESTAMP '2024-12-30 12:00:00'") == ["2024-12-30"])
    }

    @Test("relative dates fold at plan time")
    func relative() throws {
        // now = 2024-02-01
        #expect(try keptDays("SELECT * FROM flows WHERE date > current_date - interval '3' day AND date <= current_date") == ["2024-01-30", "2024-01-31", "2024-02-01"])
    }

    @Test("conditions on other columns never prune")
    func noPruning() throws {
        #expect(try keptDays("SELECT * FROM flows WHERE dstport = 443", days: 30).count == 30)
        #expect(try keptDays("SELECT * FROM flows WHERE date_trunc('day', from_unixtime(start)) = TIMESTAMP '2024-01-05 00:00:00'", days: 30).count == 30)
    }

    @Test("a skipped partition says why")
    func reasons() throws {
        let plan = try QueryPlanner(snapshot: snapshot(days: 3)).plan("SELECT * FROM flows WHERE date_partition >= '2024/01/03'")
        #expect(plan.partitions[0].reason == "date_partition >= '2024/01/03' cannot hold for 2024-01-01")
        #expect(plan.explanation.contains("Partitions: 1 of 3 read"))
    }
}

@Suite("Bound plans")
struct BoundPlanTests {
    private func plan(_ sql: String) throws -> QueryPlan {
        try QueryPlanner(snapshot: snapshot(days: 2)).plan(sql)
    }

    @Test("literals are bound in the form of what they are compared with")
    func encodedLiterals() throws {
        let p = try plan("SELECT srcaddr FROM flows WHERE action = 'REJECT' AND srcaddr = '10.117.1.22' AND interface_id = 'eni-''x'")
        #expect(p.filter.count == 3)
        guard case .function(.compare(.equal), let address) = p.filter[1].node else { Issue.record("not a comparison"); return }
        #expect(address[0].form == .address)
        #expect(address[1].constant == .address(.v4(175_440_150)))       // 10.117.1.22
        guard case .function(.compare(.equal), let text) = p.filter[2].node else { Issue.record("not a comparison"); return }
        #expect(text[1].constant == .string("eni-'x"))
        // An address literal skips segments by their zone maps.
        #expect(p.zonePredicates.contains { $0.column == "srcaddr" && $0.lower == 175_440_150 && $0.upper == 175_440_150 })
        #expect(p.columns[0].type == .varchar)
    }

    @Test("an average is a sum over a count, merged exactly")
    func averageMerge() throws {
        guard case .aggregate(let aggregate) = try plan("SELECT avg(bytes) FROM flows").shape else { Issue.record("not an aggregate"); return }
        #expect(aggregate.aggregates.map(\.kind) == [.average])
        #expect(aggregate.keys.isEmpty)
    }

    @Test("ORDER BY ... LIMIT keeps the top rows per worker")
    func topN() throws {
        guard case .rows(_, let order, let limit) = try plan("SELECT srcaddr, bytes FROM flows ORDER BY bytes DESC LIMIT 5").shape else {
            Issue.record("not rows"); return
        }
        #expect(limit == 5)
        #expect(order.count == 1 && !order[0].ascending)
        #expect(try plan("SELECT srcaddr, bytes FROM flows ORDER BY bytes DESC LIMIT 5").explanation.contains("top 5 per worker"))
    }

    @Test("plain queries stream and stop at the limit")
    func streaming() throws {
        guard case .rows(_, let order, let limit) = try plan("SELECT * FROM flows LIMIT 100").shape else { Issue.record("not rows"); return }
        #expect(order.isEmpty)
        #expect(limit == 100)
    }

    @Test("only segments of fully stored files are visible")
    func visibility() throws {
        let p = try plan("SELECT count(*) FROM flows")
        #expect(p.fileWatermark == 10)
        #expect(p.unfinishedFileIDs.isEmpty)
    }

    @Test("conditions on numbers, times and addresses become zone-map ranges", arguments: [
        ("dstport = 443", "dstport", Int64?(443), Int64?(443)),
        ("start >= 1704412800 AND start < 1704416400", "start", 1_704_412_800, nil),
        ("from_unixtime(start) < TIMESTAMP '2024-01-05 01:00:00'", "start", nil, 1_704_416_399),
        ("dstport IN (22, 3389, 443)", "dstport", 22, 3389),
        ("contains('10.0.0.0/8', cast(srcaddr AS IPADDRESS))", "srcaddr", 0x0A00_0000, 0x0AFF_FFFF),
    ])
    func zones(condition: String, column: String, lower: Int64?, upper: Int64?) throws {
        let p = try plan("SELECT count(*) FROM flows WHERE \(condition)")
        #expect(p.zonePredicates.contains { $0.column == column && $0.lower == lower && ($0.upper == upper || upper == nil) }, "\(p.zonePredicates)")
    }
}
