import FlowDetect
import FlowModel
import FlowReports
import Foundation
import Testing

/// The formats, built from findings made by hand: fields, nulls, escaping, times.
@Suite("Finding renderer")
struct FindingRendererTests {
    static let finding: Finding = {
        var finding = Finding(detection: "port-scan", title: "Port \"scan\"", severity: .high, techniques: ["T1046"],
                              srcaddr: "198.51.100.9", dstaddr: nil, dstport: 22, interfaceID: "eni-0a",
                              firstSeen: 1_709_424_000, lastSeen: 1_709_424_245, count: 25, bytes: 1_500,
                              evidence: [Finding.Evidence(name: "ports", value: .integer(25)), Finding.Evidence(name: "zscore", value: .real(4.5)),
                                         Finding.Evidence(name: "note", value: .text("a|b"))])
        finding.status = .continued
        return finding
    }()

    static let run = DetectionRun(window: ReportWindow(bounds: .days(from: PartitionDay("2024-03-03"), to: PartitionDay("2024-03-04"))),
                                  generated: Date(timeIntervalSince1970: 1_709_500_000), ran: ["port-scan"],
                                  notes: ["known-bad: skipped"], findings: [finding])

    @Test("ISO 8601 UTC times")
    func times() {
        #expect(FindingRenderer.isoTime(1_709_424_245) == "2024-03-03T00:04:05Z")
        #expect(FindingRenderer.isoTime(0) == "1970-01-01T00:00:00Z")
    }

    @Test("ndjson: every field in order, null for what is missing, text escaped")
    func ndjson() {
        let text = FindingRenderer(format: .ndjson).render(Self.run)
        #expect(text == #"{"detection":"port-scan","title":"Port \"scan\"","severity":"high","techniques":["T1046"],"srcaddr":"198.51.100.9","dstaddr":null,"dstport":22,"first_seen":"2024-03-03T00:00:00Z","last_seen":"2024-03-03T00:04:05Z","count":25,"bytes":1500,"interface_id":"eni-0a","src_owner":null,"dst_owner":null,"evidence":{"ports":25,"zscore":4.5,"note":"a|b"},"status":"continued"}"# + "\n")
        var empty = Self.run
        empty.findings = []
        #expect(FindingRenderer(format: .ndjson).render(empty).isEmpty)
    }

    @Test("json: the run around the findings")
    func json() throws {
        let text = FindingRenderer(format: .json).render(Self.run)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["window"] as? String == "2024-03-03 (UTC day)")
        #expect(document["notes"] as? [String] == ["known-bad: skipped"])
        #expect((document["findings"] as? [[String: Any]])?.first?["dstport"] as? Int == 22)
    }

    @Test("table and markdown: a continued finding is marked; a pipe in Markdown is escaped")
    func text() {
        let table = FindingRenderer(format: .table).render(Self.run)
        #expect(table.contains("1 finding from 1 detection: port-scan\nNote: known-bad: skipped\n"))
        #expect(table.contains("high (cont.)  port-scan  198.51.100.9  -        22"))
        let markdown = FindingRenderer(format: .markdown).render(Self.run)
        #expect(markdown.contains("| high (cont.) | port-scan | 198.51.100.9 | - | 22 | 2024-03-03T00:00:00Z | 2024-03-03T00:04:05Z | 25 | 1,500 | eni-0a | ports=25 zscore=4.5 note=a\\|b |"))
        let html = FindingRenderer(format: .html).render(Self.run)
        #expect(html.contains("<td>Port") == false)
        #expect(html.contains("<tr class=\"high\"><td>high (cont.)</td>"))
    }

    @Test("the format an output file's extension asks for", arguments: [
        ("f.ndjson", FindingFormat.ndjson), ("f.jsonl", .ndjson), ("f.json", .json), ("f.md", .markdown), ("f.HTML", .html), ("f.txt", .table),
    ])
    func fileExtension(path: String, format: FindingFormat) {
        #expect(FindingFormat(fileExtensionOf: path) == format)
        #expect(FindingFormat(fileExtensionOf: "findings.csv") == nil)
    }
}
