import Foundation

extension ReportRenderer {
    /// One self-contained HTML page: inline CSS, inline SVG charts, no scripts, nothing fetched.
    ///
    /// Every text from the store, the report file or the command line is escaped.
    func html(_ result: ReportResult) -> String {
        let e = SVGChart.html
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="flowq report">
            <title>\(e(result.title))</title>
            <style>
            \(Self.css)
            </style>
            </head>
            <body>
            <header>
            <h1>\(e(result.title))</h1>

            """
        if !result.summary.isEmpty { out += "<p class=\"summary\">\(e(result.summary))</p>\n" }
        out += "<dl class=\"meta\">"
        out += "<dt>Window</dt><dd>\(e(result.window.summary))</dd>"
        for parameter in result.parameters {
            out += "<dt>\(e(parameter.name))</dt><dd>\(e(parameter.value))</dd>"
        }
        out += "<dt>Generated</dt><dd>\(e(ReportText.isoTime(result.generated).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")))</dd>"
        out += "<dt>Report</dt><dd>\(e(result.name))</dd></dl>\n"
        if result.sections.count > 2 {
            out += "<nav><ol>\n"
            for (index, section) in result.sections.enumerated() {
                out += "<li><a href=\"#q\(index + 1)\">\(e(section.title))</a></li>\n"
            }
            out += "</ol></nav>\n"
        }
        out += "</header>\n<main>\n"
        for (index, section) in result.sections.enumerated() {
            out += "<section id=\"q\(index + 1)\">\n<h2>\(e(section.title))</h2>\n"
            for note in section.notes { out += "<p class=\"note\">\(e(note))</p>\n" }
            if let chart = SVGChart.svg(for: section) {
                out += "<figure>\n\(chart)\n</figure>\n"
            }
            out += htmlTable(section)
            out += "<details><summary>SQL</summary><pre>\(e(section.query.sql))</pre></details>\n</section>\n"
        }
        out += "</main>\n<footer>Made by flowq report. Times are UTC.</footer>\n</body>\n</html>\n"
        return out
    }

    private func htmlTable(_ section: ReportSection) -> String {
        let e = SVGChart.html
        guard !section.rows.isEmpty else { return "<p class=\"empty\">No rows in this window.</p>\n" }
        let numeric = section.columns.map { $0.type.isNumeric }
        var out = "<div class=\"scroll\"><table>\n<thead><tr>"
        for (column, right) in zip(section.columns, numeric) {
            out += right ? "<th class=\"num\">\(e(column.name))</th>" : "<th>\(e(column.name))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in section.rows {
            out += "<tr>"
            for (index, value) in row.enumerated() where index < section.columns.count {
                let text = ReportText.display(value, column: section.columns[index])
                let classes = [numeric[index] ? "num" : nil, text == nil ? "null" : nil].compactMap { $0 }
                out += classes.isEmpty ? "<td>" : "<td class=\"\(classes.joined(separator: " "))\">"
                out += e(text ?? "-") + "</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>\n"
        out += "<p class=\"count\">\(ReportText.grouped(Int64(section.rows.count))) row\(section.rows.count == 1 ? "" : "s")</p>\n"
        return out
    }

    /// The page's style sheet: system fonts, tabular numbers, readable on screen and on paper.
    static let css = """
        :root { color-scheme: light; }
        body { font: 14px/1.45 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
               color: #1f2937; background: #fff; margin: 0 auto; max-width: 1040px; padding: 24px; }
        h1 { font-size: 24px; margin: 0 0 4px; }
        h2 { font-size: 18px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid #e5e7eb; }
        .summary { margin: 0 0 12px; color: #374151; }
        p.note { margin: 0 0 8px; color: #4b5563; font-size: 13px; }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 12px; color: #4b5563; }
        dl.meta dt { font-weight: 600; }
        dl.meta dd { margin: 0; }
        nav ol { margin: 8px 0; padding-left: 20px; columns: 2; }
        figure { margin: 8px 0 12px; overflow-x: auto; }
        svg.chart { max-width: 100%; height: auto; font-size: 12px; }
        svg .label { fill: #374151; }
        svg .value { fill: #111827; font-variant-numeric: tabular-nums; }
        svg .axis { fill: #6b7280; font-size: 11px; }
        svg .bar { fill: #3b82f6; }
        svg .grid { stroke: #e5e7eb; stroke-width: 1; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { padding: 3px 10px; border-bottom: 1px solid #e5e7eb; text-align: left; white-space: nowrap; }
        th { background: #f3f4f6; font-weight: 600; }
        tbody tr:nth-child(even) { background: #f9fafb; }
        .num { text-align: right; }
        td.null { color: #9ca3af; }
        .count, .empty { color: #6b7280; margin: 4px 0; }
        details { margin: 6px 0; color: #4b5563; }
        pre { white-space: pre-wrap; background: #f3f4f6; padding: 8px; border-radius: 4px; }
        footer { margin-top: 32px; color: #9ca3af; font-size: 12px; }
        @media print { nav, details { display: none; } h2 { break-before: auto; } section { break-inside: avoid; } }
        """
}
