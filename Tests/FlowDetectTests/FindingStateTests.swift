import FlowDetect
import FlowStore
import Foundation
import Testing

/// `--state`: a finding is reported once, again only when it continues past its last report.
@Suite("Finding state")
struct FindingStateTests {
    func finding(_ src: String, first: Int64, last: Int64) -> Finding {
        Finding(detection: "port-scan", title: "Port scan", severity: .high, srcaddr: src, dstaddr: "10.0.0.5",
                firstSeen: first, lastSeen: last, count: 25, bytes: 1_500)
    }

    @Test("new, then suppressed, then continued; another key is new")
    func reconcile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = FlowStore(url: folder)
        let first = try FindingState(store: store).reconcile([finding("198.51.100.9", first: 100, last: 200)])
        #expect(first.map(\.status) == [.new])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("detections.db").path))
        // The same finding again (a run over an overlapping window): nothing to report.
        #expect(try FindingState(store: store).reconcile([finding("198.51.100.9", first: 100, last: 200)]).isEmpty)
        // It went on: reported again, as continued; a new source is new.
        let later = try FindingState(store: store).reconcile([finding("198.51.100.9", first: 100, last: 900), finding("198.51.100.10", first: 500, last: 600)])
        #expect(later.map(\.status) == [.continued, .new])
        #expect(try FindingState(store: store).reconcile([finding("198.51.100.9", first: 800, last: 900)]).isEmpty)
    }
}
