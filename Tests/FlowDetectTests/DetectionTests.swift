import FlowDetect
import FlowModel
import FlowReports
import FlowStore
import Foundation
import Testing

/// Every built-in detection over hand-written flows with known answers: each attack found
/// with its numbers, each near miss (one below a threshold, accepted traffic, a steady heavy
/// sender) left alone.
@Suite("Detections over hand-written flows")
struct DetectionTests {
    /// Three days of flows; the attacks are on the third, the days before are history.
    struct Scenario: Sendable {
        let store: FlowStore
        let folder: URL
        var blocklist: String { folder.appendingPathComponent("blocklist.txt").path }
    }

    static let shared: Result<Scenario, any Error> = Result {
        var flows = FlowFiles()
        let t = FlowFiles.day3 + 10 * 3_600
        // port-scan: 25 ports, rejected SYNs; near misses: 19 ports, and 25 accepted ports.
        for i in 0..<25 { flows.add("198.51.100.9", "10.0.0.5", port: 1_000 + i, at: t + Int64(i) * 10, action: "REJECT", interface: "eni-scan") }
        for i in 0..<19 { flows.add("198.51.100.10", "10.0.0.5", port: 2_000 + i, at: t + Int64(i) * 10, action: "REJECT", interface: "eni-scan") }
        for i in 0..<25 { flows.add("10.0.0.6", "10.0.0.7", port: 3_000 + i, at: t + Int64(i) * 10) }
        // network-sweep: 30 addresses on 22, rejected; near misses: 24 addresses, and browsing 40 sites on 443.
        for i in 0..<30 { flows.add("10.0.0.9", "10.0.5.\(1 + i)", port: 22, at: t + 3_600 + Int64(i) * 5, action: "REJECT") }
        for i in 0..<24 { flows.add("10.0.0.10", "10.0.6.\(1 + i)", port: 22, at: t + 3_600 + Int64(i) * 5, action: "REJECT") }
        for i in 0..<40 { flows.add("10.0.0.11", "93.184.\(i).34", port: 443, at: t + 3_600 + Int64(i) * 5, bytes: 5_000) }
        // admin-port-exposure: SSH accepted from the internet; near misses: from inside, and rejected.
        flows.add("203.0.113.5", "10.0.0.20", port: 22, at: t + 100, bytes: 4_000)
        flows.add("203.0.113.5", "10.0.0.20", port: 22, at: t + 200, bytes: 6_000)
        flows.add("10.0.0.3", "10.0.0.20", port: 3389, at: t + 100)
        flows.add("203.0.113.6", "10.0.0.21", port: 5432, at: t + 100, action: "REJECT")
        // unusual-protocol: GRE accepted; near miss: GRE rejected.
        flows.add("10.0.0.50", "10.1.0.50", port: 0, at: t + 500, proto: 47, bytes: 9_000)
        flows.add("10.0.0.51", "10.1.0.51", port: 0, at: t + 500, proto: 47, action: "REJECT")
        // capture-gap: three lost capture windows of one interface.
        for i in 0..<3 { flows.skip("eni-gap", at: t + 7_200 + Int64(i) * 300) }
        // known-bad: a flow to an address in the blocklist's 192.0.2.0/24.
        flows.add("10.0.0.60", "192.0.2.50", port: 443, at: t + 900, bytes: 12_345)
        // exfiltration: 10 MB an hour to the internet for two days, then 2 GB in an hour;
        // near miss: a steady 1.5 GB every hour of all three days.
        for hour in 0..<72 {
            let start = FlowFiles.day1 + Int64(hour) * 3_600 + 60
            flows.add("10.0.0.30", "93.184.216.34", port: 443, at: start, packets: 7_000, bytes: 10_000_000, interface: "eni-30")
            flows.add("10.0.0.31", "93.184.216.35", port: 443, at: start, packets: 1_000_000, bytes: 1_500_000_000, interface: "eni-31")
        }
        let leak = FlowFiles.day3 + 12 * 3_600
        flows.add("10.0.0.30", "198.51.100.200", port: 443, at: leak + 600, packets: 700_000, bytes: 1_000_000_000, duration: 600, interface: "eni-30")
        flows.add("10.0.0.30", "198.51.100.200", port: 443, at: leak + 1_200, packets: 700_000, bytes: 1_000_000_000, duration: 600, interface: "eni-30")
        // reject-burst: 3 rejected flows an hour for two days, then 150 in one hour (one port per address: no scan, no sweep).
        for hour in 0..<48 {
            for i in 0..<3 { flows.add("10.0.0.40", "203.0.113.\(200 + i)", port: 8_443, at: FlowFiles.day1 + Int64(hour) * 3_600 + Int64(i) * 60, action: "REJECT") }
        }
        for i in 0..<150 { flows.add("10.0.0.40", "203.0.113.\(1 + i)", port: 8_000 + i, at: FlowFiles.day3 + 15 * 3_600 + Int64(i) * 20, action: "REJECT") }

        let (store, folder) = try flows.store()
        try "# test blocklist\n192.0.2.0/24\n203.0.113.250  # a single address\n".write(to: folder.appendingPathComponent("blocklist.txt"), atomically: true, encoding: .utf8)
        return Scenario(store: store, folder: folder)
    }

    let scenario: Scenario
    init() throws { scenario = try Self.shared.get() }

    /// 2024-03-03, the third day.
    static let window = ReportWindow(bounds: .days(from: PartitionDay("2024-03-03"), to: PartitionDay("2024-03-04")))

    func run(_ parameters: [String: String] = [:], only: [String]? = nil, allowlist: AddressList = AddressList()) throws -> DetectionRun {
        var parameters = parameters
        if parameters["blocklist"] == nil, only == nil || only?.contains("known-bad") == true { parameters["blocklist"] = scenario.blocklist }
        let detections = BuiltInDetections.all.filter { only?.contains($0.id) ?? true }
        return try DetectionRunner(store: scenario.store).run(detections, window: Self.window, parameters: parameters, allowlist: allowlist)
    }

    /// A finding as (detection, srcaddr, dstaddr, dstport or interface).
    static func summary(_ finding: Finding) -> String {
        "\(finding.detection) \(finding.srcaddr ?? "-") \(finding.dstaddr ?? "-") \(finding.dstport.map(String.init) ?? finding.interfaceID ?? "-")"
    }

    @Test("every planted attack is found, and nothing else")
    func exactFindings() throws {
        let result = try run()
        #expect(result.notes.isEmpty, "\(result.notes)")
        #expect(Set(result.findings.map(Self.summary)) == [
            "port-scan 198.51.100.9 10.0.0.5 eni-scan",
            "network-sweep 10.0.0.9 - 22",
            "admin-port-exposure 203.0.113.5 10.0.0.20 22",
            "unusual-protocol 10.0.0.50 10.1.0.50 eni-0a",
            "capture-gap - - eni-gap",
            "known-bad 10.0.0.60 192.0.2.50 eni-0a",
            "exfiltration 10.0.0.30 - eni-30",
            "reject-burst 10.0.0.40 - eni-0a",
            "new-destination 10.0.0.30 198.51.100.200 -",
            "delivery-stopped - - eni-0a",
        ])
        #expect(result.findings.count == 10)
        // Most severe first.
        #expect(result.findings.map(\.severity) == result.findings.map(\.severity).sorted(by: >))
    }

    @Test("port-scan: times, counts and the evidence that crossed the threshold")
    func portScan() throws {
        let finding = try #require(try run(only: ["port-scan"]).findings.first)
        let t = FlowFiles.day3 + 10 * 3_600
        #expect(finding.firstSeen == t)
        #expect(finding.lastSeen == t + 240 + 5)
        #expect(finding.count == 25)
        #expect(finding.bytes == 25 * 60)
        #expect(finding.severity == .high)
        #expect(finding.techniques == ["T1046"])
        #expect(finding.evidence("ports") == .integer(25))
        #expect(finding.evidence("failed") == .integer(25))
        #expect(finding.evidence("lowest_port") == .integer(1_000))
    }

    @Test("sample flows: the earliest records of the finding, as lines")
    func sampleFlows() throws {
        let scan = try #require(BuiltInDetections.named("port-scan")), captureGap = try #require(BuiltInDetections.named("capture-gap"))
        let finding = try #require(try DetectionRunner(store: scenario.store).run([scan], window: Self.window, samples: 2).findings.first)
        #expect(finding.sampleFlows == [
            "2024-03-03T10:00:00Z 198.51.100.9:40000 -> 10.0.0.5:1000 tcp REJECT 60 bytes",
            "2024-03-03T10:00:10Z 198.51.100.9:40000 -> 10.0.0.5:1001 tcp REJECT 60 bytes",
        ])
        let gap = try #require(try DetectionRunner(store: scenario.store).run([captureGap], window: Self.window, samples: 1).findings.first)
        #expect(gap.sampleFlows == ["2024-03-03T12:00:00Z SKIPDATA"])
    }

    @Test("thresholds: a global override, and one scoped to a detection")
    func parameters() throws {
        #expect(try run(["min_ports": "26"], only: ["port-scan"]).findings.isEmpty)
        let lowered = try run(["port-scan.min_ports": "19"], only: ["port-scan", "network-sweep"])
        #expect(Set(lowered.findings.map(Self.summary)) == [
            "port-scan 198.51.100.9 10.0.0.5 eni-scan", "port-scan 198.51.100.10 10.0.0.5 eni-scan", "network-sweep 10.0.0.9 - 22",
        ])
        let sweeps = try run(["min_destinations": "24"], only: ["network-sweep"])
        #expect(Set(sweeps.findings.map(Self.summary)) == ["network-sweep 10.0.0.9 - 22", "network-sweep 10.0.0.10 - 22"])
        #expect(throws: DetectionError.self) { try run(["min_ports": "many"], only: ["port-scan"]) }
        #expect(throws: DetectionError.self) { try run(["no_such": "1"], only: ["port-scan"]) }
    }

    @Test("exfiltration: the burst against the source's own history; a steady heavy sender is not flagged")
    func exfiltration() throws {
        let result = try run(only: ["exfiltration"])
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)
        #expect(finding.srcaddr == "10.0.0.30")
        // Two destinations in that hour (the usual one too): no single dstaddr.
        #expect(finding.dstaddr == nil)
        #expect(finding.firstSeen == FlowFiles.day3 + 12 * 3_600 + 60)
        #expect(finding.lastSeen == FlowFiles.day3 + 12 * 3_600 + 1_800)
        #expect(finding.bytes == 2_010_000_000)
        #expect(finding.evidence("destinations") == .integer(2))
        // History: 10 MB in each of the 48 hours before the window.
        #expect(finding.evidence("baseline_mean") == .real(10_000_000))
        #expect((finding.evidence("zscore")?.doubleValue ?? 0) > 100)
        // The store holds two days before the window: 48 hours counted, not 7 days' 168.
        #expect(finding.evidence("baseline_periods") == .integer(48))
        #expect(finding.evidence("history_periods") == .integer(48))
    }

    @Test("new-destination: 2 GB to an address never seen; 36 GB a day to a usual one is not flagged")
    func newDestination() throws {
        let result = try run(only: ["new-destination"])
        let finding = try #require(result.findings.first)
        #expect(result.findings.count == 1)
        #expect(finding.dstaddr == "198.51.100.200")
        #expect(finding.bytes == 2_000_000_000)
        #expect(finding.evidence("baseline_mean") == .real(0))
        #expect(finding.evidence("zscore") == .null)
        #expect(finding.evidence("history_periods") == .integer(0))
        #expect(finding.evidence("sources") == .integer(1))
    }

    @Test("reject-burst: 150 rejected flows in an hour against 3 an hour before")
    func rejectBurst() throws {
        let finding = try #require(try run(only: ["reject-burst"]).findings.first)
        #expect(finding.srcaddr == "10.0.0.40")
        #expect(finding.count == 150)
        #expect(finding.evidence("baseline_mean") == .real(3))
        #expect(finding.evidence("destinations") == .integer(150))
    }

    @Test("baselines are skipped with a note when the store holds no history")
    func noHistory() throws {
        let window = ReportWindow(bounds: .days(from: PartitionDay("2024-03-01"), to: PartitionDay("2024-03-02")))
        let result = try DetectionRunner(store: scenario.store).run(BuiltInDetections.all.filter { $0.baseline != nil }, window: window)
        #expect(result.findings.isEmpty)
        #expect(result.notes.count == 3)
        #expect(result.notes.allSatisfy { $0.contains("no records in the 7 days before the window") })
    }

    @Test("known-bad runs only with a blocklist, and says so")
    func knownBad() throws {
        let result = try DetectionRunner(store: scenario.store).run([try #require(BuiltInDetections.named("known-bad"))], window: Self.window)
        #expect(result.findings.isEmpty)
        #expect(result.notes == ["known-bad: skipped, needs --param blocklist=... (a file of addresses and CIDR blocks one a line)"])
        let found = try run(only: ["known-bad"]).findings
        #expect(found.map(Self.summary) == ["known-bad 10.0.0.60 192.0.2.50 eni-0a"])
        #expect(found.first?.evidence("accepted") == .integer(1))
        #expect(found.first?.bytes == 12_345)
    }

    @Test("admin-port-exposure: one finding per exposed address and port, with its sources")
    func adminPorts() throws {
        let finding = try #require(try run(only: ["admin-port-exposure"]).findings.first)
        #expect(finding.count == 2)
        #expect(finding.bytes == 10_000)
        #expect(finding.evidence("sources") == .integer(1))
        #expect(finding.interfaceID == "eni-0a")
    }

    @Test("capture-gap: the interface and the span of its lost windows")
    func captureGap() throws {
        let finding = try #require(try run(only: ["capture-gap"]).findings.first)
        let t = FlowFiles.day3 + 12 * 3_600
        #expect(finding.interfaceID == "eni-gap")
        #expect(finding.firstSeen == t)
        #expect(finding.lastSeen == t + 600 + 299)
        #expect(finding.evidence("skipdata_records") == .integer(3))
    }

    @Test("delivery-stopped: an interface busy every hour for two days, silent after 15:50 on the third")
    func deliveryStopped() throws {
        let finding = try #require(try run(only: ["delivery-stopped"]).findings.first)
        #expect(finding.interfaceID == "eni-0a")
        // The last record: the reject burst's 150th flow, 15:49:40 to 15:49:45.
        #expect(finding.lastSeen == FlowFiles.day3 + 15 * 3_600 + 149 * 20 + 5)
        #expect(finding.firstSeen == FlowFiles.day1)
        // Silent from 15:49:45 to the window's newest record, eni-30's and eni-31's at 23:01:05.
        let silent = try #require(finding.evidence("silent_minutes")?.doubleValue)
        #expect(silent >= 431 && silent < 432)
        #expect(finding.evidence("active_hours") == .integer(51))
        #expect(try run(["min_silence_minutes": "432"], only: ["delivery-stopped"]).findings.isEmpty)
    }

    @Test("an allowlisted source is dropped and counted as suppressed")
    func allowlist() throws {
        let allow = try AddressList(text: "198.51.100.0/24\n", source: "allow.txt")
        let result = try run(only: ["port-scan"], allowlist: allow)
        #expect(result.findings.isEmpty)
        #expect(result.suppressed == 1)
    }
}
