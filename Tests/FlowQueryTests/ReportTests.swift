import Foundation
import Testing
@testable import FlowQuery
@testable import FlowReports

/// Every built-in report run over the generated 4-day corpus, each number checked against the
/// same number computed here from the text files (without flowq's parser, store or planner).
@Suite("Built-in reports equal independent computations")
struct ReportTests {
    let fixture: Fixture
    /// 2024-01-02 and 2024-01-03: the window leaves days out on both sides.
    let window: ReportWindow
    let inWindow: [TextRecord]

    init() throws {
        fixture = try Fixture.get()
        window = try ReportWindow.days(from: "2024-01-02", to: "2024-01-04")
        inWindow = fixture.records.filter { Fixture.day($0) >= "2024-01-02" && Fixture.day($0) < "2024-01-04" }
    }

    // MARK: Helpers

    typealias G = (key: [String?], records: [TextRecord])

    func run(_ name: String, window: ReportWindow? = nil, parameters: [String: String] = [:]) async throws -> ReportResult {
        let report = try #require(BuiltInReports.named(name))
        return try await ReportRunner(store: fixture.store).run(report, window: window ?? self.window, parameters: parameters)
    }

    /// A section's rows as text, NULL as nil, exactly as the query returned them.
    func rows(_ result: ReportResult, _ index: Int) -> [[String?]] {
        let section = result.sections[index]
        return section.rows.map { row in zip(row, section.columns).map { ValueText.plain($0, type: $1.type) } }
    }

    /// Records grouped by a key, in no particular order.
    func grouped(_ records: [TextRecord], by key: (TextRecord) -> [String?]) -> [(key: [String?], records: [TextRecord])] {
        var order: [[String?]] = []
        var groups: [[String?]: [TextRecord]] = [:]
        for record in records {
            let k = key(record)
            if groups[k] == nil { order.append(k) }
            groups[k, default: []].append(record)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    func sum(_ records: [TextRecord], _ field: String) -> Int64? {
        let values = records.compactMap { $0.int(field) }
        return values.isEmpty ? nil : values.reduce(0, +)
    }

    func text(_ value: Int64?) -> String? { value.map(String.init) }

    func count(_ records: [TextRecord], _ field: String, _ value: String) -> String? {
        String(records.filter { $0.text(field) == value }.count)
    }

    func distinct(_ records: [TextRecord], _ field: String) -> String? {
        String(Set(records.compactMap { $0.text(field) }).count)
    }

    /// Ascending text order as SQLite compares text (bytes), NULL last.
    static func textBefore(_ a: String?, _ b: String?) -> Bool? {
        switch (a, b) {
        case (nil, nil): return nil
        case (nil, _): return false
        case (_, nil): return true
        case let (a?, b?): return a == b ? nil : Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
        }
    }

    /// Descending number order, NULL last.
    static func largerFirst(_ a: Int64?, _ b: Int64?) -> Bool? {
        switch (a, b) {
        case (nil, nil): return nil
        case (nil, _): return false
        case (_, nil): return true
        case let (a?, b?): return a == b ? nil : a > b
        }
    }

    /// Ascending number order, NULL last.
    static func smallerFirst(_ a: Int64?, _ b: Int64?) -> Bool? {
        switch (a, b) {
        case (nil, nil): return nil
        case (nil, _): return false
        case (_, nil): return true
        case let (a?, b?): return a == b ? nil : a < b
        }
    }

    /// Sorts by the first comparison that decides.
    func sorted<T>(_ items: [T], _ keys: [(T, T) -> Bool?]) -> [T] {
        items.sorted { a, b in
            for key in keys { if let decided = key(a, b) { return decided } }
            return false
        }
    }

    func hourText(_ start: Int64) -> String {
        let hour = start / 3600 * 3600
        return ReportWindow.timeText(hour) + ":00.000"
    }

    func expectRows(_ actual: [[String?]], _ expected: [[String?]], _ what: Comment, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(!expected.isEmpty, "\(what): the fixture has no such rows", sourceLocation: sourceLocation)
        #expect(actual.count == expected.count, "\(what): \(actual.count) rows, expected \(expected.count)", sourceLocation: sourceLocation)
        for (index, (row, want)) in zip(actual, expected).enumerated() where row != want {
            Issue.record("\(what): row \(index): \(row) != \(want)", sourceLocation: sourceLocation)
            return
        }
    }

    /// The per-hour series of bytes, packets and flows over `records`.
    func perHour(_ records: [TextRecord], flowsFirst: Bool = false) -> [[String?]] {
        let hours = grouped(records) { [hourText($0.int("start") ?? 0)] }.sorted { $0.key[0]! < $1.key[0]! }
        return hours.map { group in
            let measures = [text(sum(group.records, "bytes")), text(sum(group.records, "packets")), String(group.records.count)]
            return [group.key[0]] + (flowsFirst ? [measures[2], measures[0], measures[1]] : measures)
        }
    }

    // MARK: The reports

    @Test("every built-in query report plans and runs, and each ends with a per-hour line chart")
    func everyReportRuns() async throws {
        let address = try #require(inWindow.compactMap { $0.text("srcaddr") }.first)
        // The computed reports need an inventory, which this store has not: InventoryReportTests runs them.
        for report in BuiltInReports.all where report.computation == nil {
            let parameters = report.parameters.isEmpty ? [:] : ["address": address]
            let result = try await ReportRunner(store: fixture.store).run(report, window: window, parameters: parameters)
            #expect(result.sections.count == report.queries.count)
            let last = try #require(result.sections.last)
            #expect(last.query.chart == .line, "\(report.name)")
            #expect(last.columns.first?.name == "hour", "\(report.name)")
            #expect(!last.rows.isEmpty, "\(report.name) has no traffic per hour")
        }
        #expect(Set(BuiltInReports.all.map(\.name)).count == BuiltInReports.all.count)
    }

    @Test("top-talkers: top 50 pairs by bytes and by packets, and bytes per hour")
    func topTalkers() async throws {
        let result = try await run("top-talkers")
        let pairs = grouped(inWindow.filter { $0.text("srcaddr") != nil }) { [$0.text("srcaddr"), $0.text("dstaddr")] }
        let byBytes = sorted(pairs, [
            { (a: G, b: G) in Self.largerFirst(sum(a.records, "bytes"), sum(b.records, "bytes")) },
            { Self.textBefore($0.key[0], $1.key[0]) }, { Self.textBefore($0.key[1], $1.key[1]) },
        ])
        expectRows(rows(result, 0), byBytes.prefix(50).map { (p: G) -> [String?] in
            [p.key[0], p.key[1], text(sum(p.records, "bytes")), text(sum(p.records, "packets")), String(p.records.count)]
        }, "pairs by bytes")
        let byPackets = sorted(pairs, [
            { (a: G, b: G) in Self.largerFirst(sum(a.records, "packets"), sum(b.records, "packets")) },
            { Self.textBefore($0.key[0], $1.key[0]) }, { Self.textBefore($0.key[1], $1.key[1]) },
        ])
        expectRows(rows(result, 1), byPackets.prefix(50).map { (p: G) -> [String?] in
            [p.key[0], p.key[1], text(sum(p.records, "packets")), text(sum(p.records, "bytes")), String(p.records.count)]
        }, "pairs by packets")
        expectRows(rows(result, 2), perHour(inWindow), "traffic per hour")
        // The window keeps its two days and nothing else.
        let flows = result.sections[2].rows.compactMap { $0[3].integerValue }.reduce(0, +)
        #expect(flows == Int64(inWindow.count))
    }

    @Test("top-interfaces: interfaces and subnets by bytes, NULL subnet for layouts without it")
    func topInterfaces() async throws {
        let result = try await run("top-interfaces")
        let interfaces = sorted(grouped(inWindow.filter { $0.text("interface_id") != nil }) { [$0.text("interface_id")] }, [
            { (a: G, b: G) in Self.largerFirst(sum(a.records, "bytes"), sum(b.records, "bytes")) },
            { Self.textBefore($0.key[0], $1.key[0]) },
        ])
        expectRows(rows(result, 0), interfaces.prefix(50).map { (g: G) -> [String?] in
            [g.key[0], text(sum(g.records, "bytes")), text(sum(g.records, "packets")), String(g.records.count)]
        }, "interfaces")
        let subnets = sorted(grouped(inWindow) { [$0.text("subnet_id")] }, [
            { (a: G, b: G) in Self.largerFirst(sum(a.records, "bytes"), sum(b.records, "bytes")) },
            { Self.textBefore($0.key[0], $1.key[0]) },
        ])
        let expected: [[String?]] = subnets.prefix(50).map { (g: G) -> [String?] in
            [g.key[0], text(sum(g.records, "bytes")), text(sum(g.records, "packets")), String(g.records.count)]
        }
        expectRows(rows(result, 1), expected, "subnets")
        // The mixed corpus has default-layout files, whose records have no subnet.
        #expect(rows(result, 1).contains { $0[0] == nil })
        expectRows(rows(result, 2), perHour(inWindow), "traffic per hour")
    }

    @Test("accepted-tcp: destinations and ports of accepted TCP")
    func acceptedTCP() async throws {
        let result = try await run("accepted-tcp")
        let accepted = inWindow.filter { $0.int("protocol") == 6 && $0.text("action") == "ACCEPT" }
        let destinations = sorted(grouped(accepted) { [$0.text("dstaddr")] }, [
            { (a: G, b: G) in Self.largerFirst(sum(a.records, "bytes"), sum(b.records, "bytes")) },
            { Self.textBefore($0.key[0], $1.key[0]) },
        ])
        expectRows(rows(result, 0), destinations.prefix(50).map { (g: G) -> [String?] in
            [g.key[0], text(sum(g.records, "bytes")), text(sum(g.records, "packets")), String(g.records.count)]
        }, "destinations")
        let ports = sorted(grouped(accepted) { [$0.text("dstport")] }, [
            { (a: G, b: G) in Self.largerFirst(Int64(a.records.count), Int64(b.records.count)) },
            { Self.smallerFirst(Int64($0.key[0] ?? ""), Int64($1.key[0] ?? "")) },
        ])
        expectRows(rows(result, 1), ports.prefix(50).map { (g: G) -> [String?] in
            [g.key[0], String(g.records.count), text(sum(g.records, "bytes")), distinct(g.records, "dstaddr")]
        }, "ports")
        expectRows(rows(result, 2), perHour(accepted), "accepted TCP per hour")
    }

    @Test("rejected: sources by rejected flows, with distinct ports; rejected-tcp: by source and port")
    func rejected() async throws {
        let result = try await run("rejected")
        let rejected = inWindow.filter { $0.text("action") == "REJECT" }
        let sources = sorted(grouped(rejected) { [$0.text("srcaddr")] }, [
            { (a: G, b: G) in Self.largerFirst(Int64(a.records.count), Int64(b.records.count)) },
            { Self.textBefore($0.key[0], $1.key[0]) },
        ])
        expectRows(rows(result, 0), sources.prefix(50).map { (g: G) -> [String?] in
            [g.key[0], String(g.records.count), text(sum(g.records, "packets")), text(sum(g.records, "bytes")),
             distinct(g.records, "dstport")]
        }, "rejected sources")
        expectRows(rows(result, 1), perHour(rejected, flowsFirst: true), "rejected per hour")

        let tcp = try await run("rejected-tcp")
        let rejectedTCP = rejected.filter { $0.int("protocol") == 6 }
        let pairs = sorted(grouped(rejectedTCP) { [$0.text("srcaddr"), $0.text("dstport")] }, [
            { (a: G, b: G) in Self.largerFirst(Int64(a.records.count), Int64(b.records.count)) },
            { Self.textBefore($0.key[0], $1.key[0]) },
            { Self.smallerFirst(Int64($0.key[1] ?? ""), Int64($1.key[1] ?? "")) },
        ])
        expectRows(rows(tcp, 0), pairs.prefix(50).map { (g: G) -> [String?] in
            [g.key[0], g.key[1], String(g.records.count), text(sum(g.records, "packets")), text(sum(g.records, "bytes"))]
        }, "rejected TCP by source and port")
        expectRows(rows(tcp, 1), perHour(rejectedTCP, flowsFirst: true), "rejected TCP per hour")
    }

    @Test("admin-ports: traffic per admin port, and each port's top 20 sources")
    func adminPorts() async throws {
        let result = try await run("admin-ports")
        let ports = Dictionary(uniqueKeysWithValues: BuiltInReports.adminPorts.map { (Int64($0.port), $0.service) })
        let admin = inWindow.filter { $0.int("dstport").map { ports[$0] != nil } ?? false }
        let perPort = sorted(grouped(admin) { [$0.text("dstport")] }, [
            { (a: G, b: G) in Self.largerFirst(Int64(a.records.count), Int64(b.records.count)) },
            { Self.smallerFirst(Int64($0.key[0] ?? ""), Int64($1.key[0] ?? "")) },
        ])
        expectRows(rows(result, 0), perPort.map { (g: G) -> [String?] in
            [g.key[0], ports[Int64(g.key[0] ?? "") ?? 0], String(g.records.count),
             distinct(g.records, "srcaddr"),
             count(g.records, "action", "ACCEPT"),
             count(g.records, "action", "REJECT"), text(sum(g.records, "bytes"))]
        }, "admin ports")
        #expect(result.sections.count == BuiltInReports.adminPorts.count + 2)
        for (offset, entry) in BuiltInReports.adminPorts.enumerated() {
            let section = result.sections[offset + 1]
            #expect(section.title == "Top 20 sources to port \(entry.port) (\(entry.service))")
            let sources = sorted(grouped(admin.filter { $0.int("dstport") == Int64(entry.port) }) { [$0.text("srcaddr")] }, [
                { (a: G, b: G) in Self.largerFirst(Int64(a.records.count), Int64(b.records.count)) },
                { Self.textBefore($0.key[0], $1.key[0]) },
            ])
            let expected: [[String?]] = sources.prefix(20).map { (g: G) -> [String?] in
                [g.key[0], String(g.records.count), count(g.records, "action", "ACCEPT"),
                 count(g.records, "action", "REJECT"), text(sum(g.records, "bytes"))]
            }
            if expected.isEmpty { #expect(section.rows.isEmpty) } else { expectRows(rows(result, offset + 1), expected, "port \(entry.port)") }
        }
        expectRows(rows(result, result.sections.count - 1), perHour(admin, flowsFirst: true), "admin ports per hour")
    }

    @Test("ip-families: IPv4 and IPv6 bytes in all and per hour")
    func ipFamilies() async throws {
        let result = try await run("ip-families")
        let addressed = inWindow.filter { $0.text("srcaddr") != nil }
        func isV6(_ r: TextRecord) -> Bool { r.text("srcaddr")?.contains(":") == true }
        let families = grouped(addressed) { [isV6($0) ? "IPv6" : "IPv4"] }.sorted { $0.key[0]! < $1.key[0]! }
        expectRows(rows(result, 0), families.map { (g: G) -> [String?] in
            [g.key[0], text(sum(g.records, "bytes")), text(sum(g.records, "packets")), String(g.records.count)]
        }, "families")
        #expect(families.count == 2, "the fixture has IPv6 rows")
        let hours = grouped(addressed) { [hourText($0.int("start") ?? 0)] }.sorted { $0.key[0]! < $1.key[0]! }
        expectRows(rows(result, 1), hours.map { (g: G) -> [String?] in
            [g.key[0], String(g.records.filter { !isV6($0) }.compactMap { $0.int("bytes") }.reduce(0, +)),
             String(g.records.filter(isV6).compactMap { $0.int("bytes") }.reduce(0, +))]
        }, "families per hour")
    }

    @Test("pairs: bytes per source/destination pair, largest first")
    func pairs() async throws {
        let result = try await run("pairs")
        let pairs = sorted(grouped(inWindow.filter { $0.text("srcaddr") != nil }) { [$0.text("srcaddr"), $0.text("dstaddr")] }, [
            { (a: G, b: G) in Self.largerFirst(sum(a.records, "bytes"), sum(b.records, "bytes")) },
            { Self.textBefore($0.key[0], $1.key[0]) }, { Self.textBefore($0.key[1], $1.key[1]) },
        ])
        expectRows(rows(result, 0), pairs.prefix(1000).map { (p: G) -> [String?] in
            [p.key[0], p.key[1], text(sum(p.records, "bytes")), text(sum(p.records, "packets")), String(p.records.count)]
        }, "pairs")
    }

    @Test("from-source and to-destination: one address's peers, ports and hours", arguments: [("from-source", "srcaddr", "dstaddr"), ("to-destination", "dstaddr", "srcaddr")])
    func oneAddress(report: String, field: String, peer: String) async throws {
        // The busiest address in the window, so every section has rows.
        let counts = Dictionary(grouping: inWindow.compactMap { $0.text(field) }, by: { $0 }).mapValues(\.count)
        let address = try #require(counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key)
        let result = try await run(report, parameters: ["address": address])
        #expect(result.parameters.map(\.value) == [address])
        #expect(result.sections[0].title.hasSuffix(address))
        let mine = inWindow.filter { $0.text(field) == address }
        let peers = sorted(grouped(mine) { [$0.text(peer)] }, [
            { (a: G, b: G) in Self.largerFirst(sum(a.records, "bytes"), sum(b.records, "bytes")) },
            { Self.textBefore($0.key[0], $1.key[0]) },
        ])
        expectRows(rows(result, 0), peers.prefix(100).map { (g: G) -> [String?] in
            [g.key[0], text(sum(g.records, "bytes")), text(sum(g.records, "packets")), String(g.records.count),
             count(g.records, "action", "ACCEPT"), count(g.records, "action", "REJECT")]
        }, "\(report) peers")
        let names: [Int64: String] = [1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6"]
        func protocolName(_ r: TextRecord) -> String? { r.int("protocol").map { names[$0] ?? String($0) } }
        let ports = sorted(grouped(mine) { [$0.text("dstport"), protocolName($0)] }, [
            { (a: G, b: G) in Self.largerFirst(Int64(a.records.count), Int64(b.records.count)) },
            { Self.smallerFirst(Int64($0.key[0] ?? ""), Int64($1.key[0] ?? "")) },
            { Self.textBefore($0.key[1], $1.key[1]) },
        ])
        expectRows(rows(result, 1), ports.prefix(100).map { (g: G) -> [String?] in
            [g.key[0], g.key[1], String(g.records.count), text(sum(g.records, "bytes")), count(g.records, "action", "REJECT")]
        }, "\(report) ports")
        expectRows(rows(result, 2), perHour(mine), "\(report) per hour")
    }

    @Test("log-status: records per status, NODATA and SKIPDATA per hour")
    func logStatus() async throws {
        let result = try await run("log-status")
        let statuses = sorted(grouped(inWindow) { [$0.text("log_status")] }, [
            { (a: G, b: G) in Self.largerFirst(Int64(a.records.count), Int64(b.records.count)) },
            { Self.textBefore($0.key[0], $1.key[0]) },
        ])
        expectRows(rows(result, 0), statuses.map { (g: G) -> [String?] in
            [g.key[0], String(g.records.count), distinct(g.records, "interface_id")]
        }, "statuses")
        let missing = inWindow.filter { ["NODATA", "SKIPDATA"].contains($0.text("log_status")) }
        let hours = grouped(missing) { [hourText($0.int("start") ?? 0)] }.sorted { $0.key[0]! < $1.key[0]! }
        expectRows(rows(result, 1), hours.map { (g: G) -> [String?] in
            [g.key[0], count(g.records, "log_status", "NODATA"),
             count(g.records, "log_status", "SKIPDATA"),
             distinct(g.records, "interface_id")]
        }, "NODATA/SKIPDATA per hour")
        expectRows(rows(result, 2), perHour(inWindow), "traffic per hour")
    }
}
