import FlowModel
import FlowQuery
import FlowSQLite
import Foundation

/// How a report is written.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// Aligned text tables, one per query, for a terminal.
    case table
    /// CSV: each query's rows with a header, queries apart by a blank line and a `# name` line.
    case csv
    /// One JSON object: title, window, and per query its columns and rows.
    case json
    /// A heading and a GitHub table per query: for a chat message, a ticket or a wiki.
    case markdown
    /// One self-contained HTML page: tables and SVG charts, inline CSS, no scripts, nothing fetched.
    case html

    /// The format a file name's extension suggests (`.html`, `.md`, `.csv`, `.json`, `.txt`), if any.
    public init?(fileExtensionOf path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "html", "htm": self = .html
        case "md", "markdown": self = .markdown
        case "csv": self = .csv
        case "json": self = .json
        case "txt", "text": self = .table
        default: return nil
        }
    }
}

/// Writes a ``ReportResult`` in one of the ``ReportFormat``s.
///
/// Tables, Markdown and HTML right-align numbers and group their thousands (`1,234,567`),
/// except columns that hold identifiers (ports, protocol numbers, Unix times); CSV and JSON
/// keep the values exactly as the query returned them.
public struct ReportRenderer: Sendable {
    /// The format written.
    public let format: ReportFormat

    /// A renderer for `format`.
    public init(format: ReportFormat) {
        self.format = format
    }

    /// The whole report as text.
    public func render(_ result: ReportResult) -> String {
        switch format {
        case .table: return table(result)
        case .csv: return csv(result)
        case .json: return json(result)
        case .markdown: return markdown(result)
        case .html: return html(result)
        }
    }

    // MARK: Text formats

    private func table(_ result: ReportResult) -> String {
        var out = result.title + "\n"
        if !result.summary.isEmpty { out += result.summary + "\n" }
        out += "Window: " + result.window.summary + ReportText.parameterNote(result) + "\n"
        for section in result.sections {
            out += "\n== " + section.title + "\n"
            for note in section.notes { out += note + "\n" }
            if !section.notes.isEmpty { out += "\n" }
            let rows = section.rows.map { row in
                zip(row, section.columns).map { value, column in ReportText.display(value, column: column).map(SQLiteValue.text) ?? .null }
            }
            out += ResultWriter.text(format: .table, columns: section.columns, rows: rows)
        }
        return out
    }

    private func csv(_ result: ReportResult) -> String {
        var out = ""
        for (index, section) in result.sections.enumerated() {
            if index > 0 { out += "\r\n" }
            out += "# " + section.title.replacingOccurrences(of: "\n", with: " ") + "\r\n"
            out += ResultWriter.text(format: .csv, columns: section.columns, rows: section.rows)
        }
        return out
    }

    private func json(_ result: ReportResult) -> String {
        func q(_ s: String) -> String { JSONString.quoted(s) }
        var out = "{\n"
        out += "  \"report\": \(q(result.name)),\n"
        out += "  \"title\": \(q(result.title)),\n"
        out += "  \"description\": \(q(result.summary)),\n"
        out += "  \"window\": {\"description\": \(q(result.window.summary)), \"condition\": \(q(result.window.condition))},\n"
        out += "  \"parameters\": {" + result.parameters.map { "\(q($0.name)): \(q($0.value))" }.joined(separator: ", ") + "},\n"
        out += "  \"generated\": \(q(ReportText.isoTime(result.generated))),\n"
        out += "  \"queries\": ["
        for (index, section) in result.sections.enumerated() {
            out += index == 0 ? "\n" : ",\n"
            out += "    {\n"
            out += "      \"name\": \(q(section.title)),\n"
            out += "      \"chart\": \(q(section.query.chart.rawValue)),\n"
            out += "      \"sql\": \(q(section.query.sql)),\n"
            if !section.notes.isEmpty {
                out += "      \"notes\": [" + section.notes.map(q).joined(separator: ", ") + "],\n"
            }
            out += "      \"columns\": [" + section.columns.map { q($0.name) }.joined(separator: ", ") + "],\n"
            out += "      \"types\": [" + section.columns.map { q($0.type.description) }.joined(separator: ", ") + "],\n"
            out += "      \"rows\": ["
            for (r, row) in section.rows.enumerated() {
                out += (r == 0 ? "\n        [" : ",\n        [")
                out += zip(row, section.columns).map { ReportText.json($0, type: $1.type) }.joined(separator: ", ") + "]"
            }
            out += section.rows.isEmpty ? "]\n" : "\n      ]\n"
            out += "    }"
        }
        out += result.sections.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return out
    }

    private func markdown(_ result: ReportResult) -> String {
        var out = "# " + ReportText.markdownInline(result.title) + "\n\n"
        if !result.summary.isEmpty { out += ReportText.markdownInline(result.summary) + "\n\n" }
        out += "**Window:** " + ReportText.markdownInline(result.window.summary + ReportText.parameterNote(result)) + "\n"
        for section in result.sections {
            out += "\n## " + ReportText.markdownInline(section.title) + "\n\n"
            for note in section.notes { out += "_" + ReportText.markdownInline(note) + "_\n\n" }
            guard !section.rows.isEmpty else {
                out += "_No rows in this window._\n"
                continue
            }
            let right = section.columns.map { $0.type.isNumeric }
            out += "| " + section.columns.map { ReportText.markdownCell($0.name) }.joined(separator: " | ") + " |\n"
            out += "|" + right.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
            for row in section.rows {
                let cells = zip(row, section.columns).map { ReportText.markdownCell(ReportText.display($0, column: $1) ?? "-") }
                out += "| " + cells.joined(separator: " | ") + " |\n"
            }
            out += "\n_\(ReportText.grouped(Int64(section.rows.count))) row\(section.rows.count == 1 ? "" : "s")_\n"
        }
        return out
    }
}

/// Turning result values into the text reports show.
enum ReportText {
    /// Numeric columns printed without thousands separators: they name things, they do not count them.
    static let identifierColumns: Set<String> = ["protocol", "start", "end", "version", "tcp_flags", "traffic_path", "year", "hour", "month", "day"]

    /// True when a numeric column's values get thousands separators.
    static func isMeasure(_ column: ResultColumn) -> Bool {
        guard column.type.isNumeric else { return false }
        let name = column.name.lowercased()
        // Rates (`usd_per_gb`) print exactly: 0.045 must not round to 0.04.
        return !name.hasSuffix("port") && !name.hasSuffix("_id") && !name.hasSuffix("_per_gb") && !identifierColumns.contains(name)
    }

    /// A value as tables, Markdown and HTML show it; nil for NULL.
    static func display(_ value: SQLiteValue, column: ResultColumn) -> String? {
        if isMeasure(column) {
            switch value {
            case .integer(let v) where column.type == .integer: return grouped(v)
            case .integer(let v): return grouped(Double(v))
            case .real(let v): return grouped(v)
            default: break
            }
        }
        return ValueText.plain(value, type: column.type)
    }

    /// `1,234,567`.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// `1,234.57`: two decimals, or shortest text for very large or tiny values.
    static func grouped(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return ValueText.formatDouble(value) }
        if value == value.rounded() { return grouped(Int64(value)) }
        let text = String(format: "%.2f", value)
        guard let dot = text.firstIndex(of: ".") else { return text }
        let whole = Int64(text[..<dot]) ?? 0
        let sign = value < 0 && whole == 0 ? "-" : ""
        return sign + grouped(whole) + String(text[dot...])
    }

    /// A value as a JSON scalar (arrays as arrays, booleans as booleans).
    static func json(_ value: SQLiteValue, type: SQLType) -> String {
        switch (value, type) {
        case (.null, _): return "null"
        case (.integer(let v), .boolean): return v != 0 ? "true" : "false"
        case (.text(let s), .array):
            if let elements = JSONArrayText.parse(s) { return JSONArrayText.write(elements) }
            return JSONString.quoted(s)
        case (.blob, _): return JSONString.quoted(ValueText.plain(value, type: type) ?? "")
        default: return JSONArrayText.element(value)
        }
    }

    /// `; address=10.0.0.1` when the report has parameters.
    static func parameterNote(_ result: ReportResult) -> String {
        result.parameters.isEmpty ? "" : "; " + result.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
    }

    /// `2024-01-02T10:00:00Z`.
    static func isoTime(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let day = PartitionDay(unixSeconds: seconds)
        let s = seconds - day.startSeconds
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day.isoText)T\(two(s / 3600)):\(two(s % 3600 / 60)):\(two(s % 60))Z"
    }

    /// Text safe inside a Markdown table cell: pipes and Markdown markup escaped, one line.
    static func markdownCell(_ text: String) -> String {
        markdownInline(text).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Text shown literally in Markdown: markup characters escaped, line breaks as spaces.
    static func markdownInline(_ text: String) -> String {
        var out = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            switch c {
            case "_":
                // GitHub ignores underscores inside words (interface_id); escape the others.
                let inside = i > 0 && i + 1 < chars.count && chars[i - 1].isLetterOrDigit && chars[i + 1].isLetterOrDigit
                out += inside ? "_" : "\\_"
            case "\\", "*", "`", "[", "]", "#", "~": out += "\\" + String(c)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(c)
            }
        }
        return out
    }
}

extension Character {
    fileprivate var isLetterOrDigit: Bool { isLetter || isNumber }
}
