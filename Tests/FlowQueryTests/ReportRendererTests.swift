import Foundation
import Testing
@testable import FlowQuery
@testable import FlowReports

/// The output formats, over a hand-made result with hostile text in it.
@Suite("Report rendering")
struct ReportRendererTests {
    static let hostile = "<script>alert('x')</script> & \"co\" | pipe"

    /// A result with a bar section, a line section and an empty one.
    static func result() throws -> ReportResult {
        let bars = ReportSection(
            query: ReportQuery(name: "Top <talkers>", sql: "SELECT srcaddr, dstport, bytes FROM flows WHERE x < 1", chart: .bar),
            columns: [ResultColumn(name: "srcaddr", type: .varchar), ResultColumn(name: "dstport", type: .integer),
                      ResultColumn(name: "bytes", type: .integer), ResultColumn(name: "avg", type: .double)],
            rows: [
                [.text("10.0.0.1"), .integer(27017), .integer(1_234_567), .real(1234.5)],
                [.text(hostile), .integer(22), .integer(999), .real(0.25)],
                [.null, .null, .null, .null],
            ])
        let line = ReportSection(
            query: ReportQuery(name: "Per hour", sql: "SELECT 1", chart: .line),
            columns: [ResultColumn(name: "hour", type: .timestamp), ResultColumn(name: "bytes", type: .integer), ResultColumn(name: "flows", type: .integer)],
            rows: [
                [.text("2024-01-02 00:00:00.000"), .integer(100), .integer(3)],
                [.text("2024-01-02 01:00:00.000"), .integer(2500), .integer(4)],
                [.text("2024-01-02 03:00:00.000"), .integer(1200), .integer(1)],
            ])
        let empty = ReportSection(query: ReportQuery(name: "Nothing", sql: "SELECT 1", chart: .bar),
                                  columns: [ResultColumn(name: "a", type: .varchar)], rows: [])
        return ReportResult(name: "test", title: "Title " + hostile, summary: "Summary " + hostile,
                            window: try ReportWindow.days(from: "2024-01-02", to: "2024-01-03"),
                            parameters: [("address", "10.0.0.1")], generated: Date(timeIntervalSince1970: 1_704_164_400),
                            sections: [bars, line, empty])
    }

    func render(_ format: ReportFormat) throws -> String {
        ReportRenderer(format: format).render(try Self.result())
    }

    @Test("HTML is one self-contained page with SVG charts and escaped text")
    func html() throws {
        let page = try render(.html)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.hasSuffix("</html>\n"))
        #expect(page.contains("<style>"))
        #expect(page.components(separatedBy: "<svg").count - 1 == 2, "a bar chart and a line chart; none for the empty section")
        #expect(page.contains("<rect x=\"270\""), "bars")
        #expect(page.contains("<polyline"), "a line")
        // Nothing to fetch and nothing to run.
        for forbidden in ["<script", "http://", "https://", "<link", "<img", "@import", "url(", "src="] {
            #expect(!page.lowercased().contains(forbidden), "\(forbidden)")
        }
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"))
        #expect(page.contains("<title>Title &lt;script&gt;"))
        #expect(page.contains("<h2>Top &lt;talkers&gt;</h2>"))
        #expect(page.contains("x &lt; 1"), "the SQL is escaped too")
        // Numbers right-aligned with separators; ports without.
        #expect(page.contains("<td class=\"num\">1,234,567</td>"))
        #expect(page.contains("<td class=\"num\">27017</td>"))
        #expect(page.contains("<td class=\"num\">1,234.50</td>"))
        #expect(page.contains("<th class=\"num\">bytes</th>"))
        #expect(page.contains("<td class=\"num null\">-</td>"))
        #expect(page.contains("No rows in this window."))
        #expect(page.contains("2024-01-02 (UTC day)"))
    }

    @Test("bar charts: one bar per row up to the cap, labels from the first text column, lengths from the first count (not a port)")
    func bars() throws {
        let result = try Self.result()
        let svg = try #require(SVGChart.svg(for: result.sections[0]))
        #expect(svg.components(separatedBy: "class=\"bar\"").count - 1 == 3)
        #expect(svg.contains(">10.0.0.1</text>"))
        #expect(svg.contains("width=\"380\""), "the largest value fills the bar area")
        #expect(svg.contains(">1,234,567</text>"))
        #expect(svg.contains(">bytes</text>"), "the value column is named")
        var many = result.sections[0]
        many.rows = (0..<45).map { [.text("h\($0)"), .integer(1), .integer(Int64(100 - $0)), .real(0)] }
        let capped = try #require(SVGChart.svg(for: many))
        #expect(capped.components(separatedBy: "class=\"bar\"").count - 1 == SVGChart.maxBars)
        #expect(capped.contains("first 30 of 45 rows"))
        var labelled = result.sections[0]
        labelled.query.labelColumns = ["srcaddr", "dstport"]
        labelled.query.valueColumns = ["avg"]
        let custom = try #require(SVGChart.svg(for: labelled))
        #expect(custom.contains(">10.0.0.1 → 27017</text>"))
        #expect(custom.contains(">1,234.50</text>"))
    }

    @Test("line charts: one line per numeric column along the time axis")
    func lines() throws {
        let svg = try #require(SVGChart.svg(for: try Self.result().sections[1]))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains(">2024-01-02 00:00:00.000</text>"))
        #expect(svg.contains(">2024-01-02 03:00:00.000</text>"))
        // x is time, not row number: 01:00 sits a third of the way from 00:00 to 03:00.
        #expect(svg.contains("points=\"80,") && svg.contains(" 300,"), "\(svg)")
        #expect(SVGChart.niceCeiling(2500) == 5000)
        #expect(SVGChart.compact(1_500_000) == "1.5M")
    }

    @Test("Markdown: a heading per query and GitHub tables with right-aligned, grouped numbers")
    func markdown() throws {
        let text = try render(.markdown)
        #expect(text.hasPrefix("# Title &lt;script&gt;"))
        #expect(text.contains("## Top &lt;talkers&gt;\n\n| srcaddr | dstport | bytes | avg |\n| --- | ---: | ---: | ---: |\n| 10.0.0.1 | 27017 | 1,234,567 | 1,234.50 |\n"))
        #expect(text.contains("\\| pipe"), "pipes inside cells are escaped")
        #expect(text.contains("| - | - | - | - |"))
        #expect(text.contains("_3 rows_"))
        #expect(text.contains("## Nothing\n\n_No rows in this window._"))
        #expect(text.contains("**Window:** 2024-01-02 (UTC day); address=10.0.0.1"))
    }

    @Test("table: ResultWriter tables with grouped numbers under a heading per query")
    func table() throws {
        let text = try render(.table)
        #expect(text.contains("== Top <talkers>\nsrcaddr"))
        #expect(text.contains("1,234,567"))
        #expect(text.contains("(3 rows)"))
        #expect(text.contains("Window: 2024-01-02 (UTC day); address=10.0.0.1"))
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("10.0.0.1") })
        #expect(line.hasSuffix("27017  1,234,567  1,234.50"), "\(line)")
    }

    @Test("CSV keeps exact values, one block per query")
    func csv() throws {
        let text = try render(.csv)
        #expect(text.hasPrefix("# Top <talkers>\r\nsrcaddr,dstport,bytes,avg\r\n10.0.0.1,27017,1234567,1234.5\r\n"))
        #expect(text.contains("\r\n\r\n# Per hour\r\nhour,bytes,flows\r\n2024-01-02 00:00:00.000,100,3\r\n"))
        #expect(text.contains("\"<script>alert('x')</script> & \"\"co\"\" | pipe\""))
    }

    @Test("JSON is one object: title, window, and per query its columns and rows")
    func json() throws {
        let text = try render(.json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["title"] as? String == "Title " + Self.hostile)
        #expect((object["window"] as? [String: Any])?["condition"] as? String == "(date_partition >= '2024/01/02' AND date_partition < '2024/01/03')")
        #expect(object["parameters"] as? [String: String] == ["address": "10.0.0.1"])
        #expect(object["generated"] as? String == "2024-01-02T03:00:00Z")
        let queries = try #require(object["queries"] as? [[String: Any]])
        #expect(queries.count == 3)
        #expect(queries[0]["columns"] as? [String] == ["srcaddr", "dstport", "bytes", "avg"])
        let rows = try #require(queries[0]["rows"] as? [[Any]])
        #expect(rows[0][2] as? Int == 1_234_567)
        #expect(rows[0][3] as? Double == 1234.5)
        #expect(rows[2][0] is NSNull)
        #expect((queries[2]["rows"] as? [Any])?.isEmpty == true)
    }

    @Test("number text", arguments: [(Int64(0), "0"), (999, "999"), (1000, "1,000"), (-1_234_567, "-1,234,567"), (Int64.max, "9,223,372,036,854,775,807")])
    func grouping(value: Int64, text: String) {
        #expect(ReportText.grouped(value) == text)
    }

    @Test("format from a file name")
    func formatFromExtension() {
        #expect(ReportFormat(fileExtensionOf: "a/report.HTML") == .html)
        #expect(ReportFormat(fileExtensionOf: "r.md") == .markdown)
        #expect(ReportFormat(fileExtensionOf: "r.txt") == .table)
        #expect(ReportFormat(fileExtensionOf: "report") == nil)
    }
}
