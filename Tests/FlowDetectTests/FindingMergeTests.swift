@testable import FlowDetect
import FlowModel
import FlowReports
import Testing

/// Findings of one key in buckets that follow each other are one finding; the baseline's
/// periods start at the store's first record when that is later than the baseline days.
@Suite("Merging findings and counting baseline periods")
struct FindingMergeTests {
    func scan(_ first: Int64, _ last: Int64, count: Int64, dst: String = "10.0.0.5") -> Finding {
        Finding(detection: "port-scan", title: "Port scan", severity: .high, srcaddr: "198.51.100.9", dstaddr: dst,
                firstSeen: first, lastSeen: last, count: count, bytes: count * 60,
                evidence: [Finding.Evidence(name: "ports", value: .integer(count))])
    }

    @Test("two buckets within the hour join; one after a longer pause, or another key, stays apart")
    func merge() {
        let merged = DetectionRunner.merged([
            scan(1_000, 1_500, count: 30), scan(1_600, 2_000, count: 40),        // joined
            scan(2_000 + 3_601, 6_000, count: 25),                               // over an hour later
            scan(1_000, 1_200, count: 22, dst: "10.0.0.6"),                     // another destination
        ])
        #expect(merged.count == 3)
        let first = merged[0]
        #expect(first.firstSeen == 1_000 && first.lastSeen == 2_000)
        #expect(first.count == 70)
        #expect(first.bytes == 70 * 60)
        // The stronger bucket's evidence, and how many buckets were joined.
        #expect(first.evidence("ports") == .integer(40))
        #expect(first.evidence("windows") == .integer(2))
        #expect(merged.map(\.firstSeen) == [1_000, 1_000, 5_601])
    }

    @Test("baseline periods: the days before the window, or since the store's first record")
    func periods() {
        let window = ReportWindow(bounds: .days(from: PartitionDay("2024-03-03"), to: PartitionDay("2024-03-04")))
        let start = PartitionDay("2024-03-03")?.startSeconds ?? 0
        #expect(DetectionRunner.periods(window: window, days: 7, earliest: 0, period: .hour) == 168)
        #expect(DetectionRunner.periods(window: window, days: 7, earliest: start - 2 * 86_400 + 59, period: .hour) == 48)
        #expect(DetectionRunner.periods(window: window, days: 7, earliest: start - 2 * 86_400 + 59, period: .day) == 2)
        #expect(DetectionRunner.periods(window: window, days: 7, earliest: start - 1, period: .hour) == 1)
        let since = ReportWindow(bounds: .since(start: start + 1_800, span: "2h"))
        #expect(DetectionRunner.periods(window: since, days: 1, earliest: 0, period: .hour) == 24)
    }
}
