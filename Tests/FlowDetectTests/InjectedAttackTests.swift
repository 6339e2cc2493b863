import FlowDetect
import FlowIngest
import FlowModel
import FlowReports
import FlowSamples
import FlowStore
import Foundation
import Testing

/// The sample corpus with injected attacks: every attack found by its detection with the
/// right source, destination and times; the clean corpus yields nothing of high severity.
@Suite("Injected attacks in the sample corpus")
struct InjectedAttackTests {
    struct Corpus: Sendable {
        let clean: FlowStore
        let attacked: FlowStore
        let attacks: [InjectedAttack]
    }

    static let options: FlowLogGenerator.Options = {
        var options = FlowLogGenerator.Options()
        options.records = 60_000
        options.days = 3
        options.filesPerDay = 4
        options.compress = false
        options.seed = 7
        return options
    }()

    static let shared: Result<Corpus, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-attacks-\(UUID().uuidString)")
        let cleanLogs = folder.appendingPathComponent("clean"), attackedLogs = folder.appendingPathComponent("attacked")
        _ = try FlowLogGenerator(options: options).write(to: cleanLogs)
        _ = try FlowLogGenerator(options: options).write(to: attackedLogs)
        let written = try SampleAttacks.write(to: attackedLogs, options: options)
        let clean = FlowStore(url: folder.appendingPathComponent("clean-store"))
        let attacked = FlowStore(url: folder.appendingPathComponent("attacked-store"))
        _ = try Ingestor(store: clean).ingest(paths: [cleanLogs.path])
        let summary = try Ingestor(store: attacked).ingest(paths: [attackedLogs.path])
        guard summary.rejected.isEmpty, summary.recordsStored == Int64(options.records + written.records) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "ingest stored \(summary.recordsStored) records"])
        }
        return Corpus(clean: clean, attacked: attacked, attacks: written.attacks)
    }

    let corpus: Corpus
    init() throws { corpus = try Self.shared.get() }

    /// The corpus's last day, when the attacks happen.
    static let lastDay = ReportWindow(bounds: .days(from: PartitionDay("2024-01-03"), to: PartitionDay("2024-01-04")))

    func findings(in store: FlowStore, window: ReportWindow = lastDay) throws -> [Finding] {
        try DetectionRunner(store: store).run(BuiltInDetections.all, window: window).findings
    }

    @Test("the ground truth: four attacks on the last day, from the generator's own interfaces")
    func groundTruth() {
        #expect(corpus.attacks.map(\.kind) == [.portScan, .networkSweep, .exfiltration, .captureGap])
        #expect(corpus.attacks.allSatisfy { PartitionDay(unixSeconds: $0.start).isoText == "2024-01-03" })
    }

    @Test("every injected attack is found with its source, destination, port and times")
    func recall() throws {
        let found = try findings(in: corpus.attacked)
        for attack in corpus.attacks {
            let match = found.first { finding in
                finding.detection == attack.kind.rawValue && finding.srcaddr == attack.srcaddr
                    && (attack.kind == .networkSweep || finding.dstaddr == attack.dstaddr)
                    && (attack.kind != .networkSweep || finding.dstport == Int64(attack.dstport ?? -1))
                    && (attack.kind != .captureGap || finding.interfaceID == attack.interfaceID)
                    // The clean corpus has SKIPDATA records of its own, on the same interface too.
                    && finding.lastSeen >= attack.start && finding.firstSeen <= attack.end
            }
            let finding = try #require(match, "\(attack.kind.rawValue) not found")
            #expect(finding.firstSeen == attack.start, "\(attack.kind.rawValue)")
            #expect(finding.lastSeen == attack.end, "\(attack.kind.rawValue)")
            #expect(finding.count == Int64(attack.records), "\(attack.kind.rawValue)")
            if attack.kind != .captureGap { #expect(finding.bytes == Int64(attack.bytes), "\(attack.kind.rawValue)") }
        }
        #expect(found.first { $0.detection == "port-scan" }?.evidence("ports") == .integer(250))
        #expect(found.first { $0.detection == "network-sweep" }?.evidence("destinations") == .integer(60))
    }

    @Test("no high-severity finding but the injected attacks; none on the clean corpus")
    func falsePositives() throws {
        let attackedHigh = try findings(in: corpus.attacked).filter { $0.severity >= .high }
        #expect(attackedHigh.map(\.detection).sorted() == ["exfiltration", "network-sweep", "port-scan"])
        for day in ["2024-01-01", "2024-01-02", "2024-01-03"] {
            let window = ReportWindow(bounds: .days(from: PartitionDay(day), to: PartitionDay(day)?.adding(days: 1)))
            let high = try findings(in: corpus.clean, window: window).filter { $0.severity >= .high }
            #expect(high.isEmpty, "\(day): \(high.map(DetectionTests.summary))")
        }
    }

    @Test("the attack files leave the generator's files unchanged")
    func additive() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-additive-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = Self.options
        options.records = 3_000
        let plain = try FlowLogGenerator(options: options).write(to: folder.appendingPathComponent("a"))
        let again = try FlowLogGenerator(options: options).write(to: folder.appendingPathComponent("b"))
        let written = try SampleAttacks.write(to: folder.appendingPathComponent("b"), options: options)
        for (one, two) in zip(plain.files, again.files) {
            #expect(FileManager.default.contentsEqual(atPath: one, andPath: two))
        }
        #expect(written.files.allSatisfy { $0.contains("_attack-") })
    }
}
