import Foundation
import Testing
@testable import FlowReports

/// Report files built to exhaust the YAML parser are refused before it runs (issue 11).
@Suite("Report files past the limits")
struct ReportFileLimitTests {
    @Test("nesting thousands deep is refused with the line, in every YAML form", arguments: [
        String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
        String(repeating: "{a: ", count: 5000) + "1" + String(repeating: "}", count: 5000),
        (0..<1000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1",
        String(repeating: "- ", count: 5000) + "x",
    ])
    func deepNesting(text: String) {
        do {
            _ = try ReportFile.parse("title: t\nqueries:\n" + text, source: "deep.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("nested more than \(ReportFile.maximumDepth) levels deep"), "\(error.message.prefix(200))")
            #expect(error.kind == .definition)
        }
    }

    @Test("an alias bomb is refused")
    func aliases() {
        var text = "title: t\na: &a [x, x]\n"
        for index in 0..<100 { text += "b\(index): &b\(index) [*a, *a, *a]\n" }
        #expect(throws: ReportError.self) { _ = try ReportFile.parse(text, source: "bomb.yaml") }
    }

    @Test("an ordinary report with SQL apostrophes and braces is not mistaken for deep nesting")
    func ordinary() throws {
        let text = """
            title: Nightly
            queries:
              - name: Rejected
                sql: >
                  SELECT srcaddr, count(*) AS flows FROM flows -- don't count accepted
                  WHERE action = 'REJECT' AND {window}
                  GROUP BY srcaddr ORDER BY flows DESC LIMIT 20
                chart: bar
            """
        let report = try ReportFile.parse(text, source: "ok.yaml")
        #expect(report.queries.count == 1)
    }
}
