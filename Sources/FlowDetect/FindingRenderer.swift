import FlowModel
import FlowSQLite
import Foundation

/// Writes a run's findings as a table, JSON, NDJSON, Markdown or HTML.
///
/// Times are ISO 8601 UTC (`2024-01-03T14:00:00Z`); a missing address or port is `null` in
/// JSON and `-` elsewhere. Every finding carries the same fields in every format.
public struct FindingRenderer: Sendable {
    /// The format written.
    public var format: FindingFormat

    /// A renderer for `format`.
    public init(format: FindingFormat) {
        self.format = format
    }

    /// The text of `run`.
    public func render(_ run: DetectionRun) -> String {
        switch format {
        case .table: return table(run)
        case .json: return json(run)
        case .ndjson: return run.findings.map { object($0) + "\n" }.joined()
        case .markdown: return markdown(run)
        case .html: return html(run)
        }
    }

    /// `2024-01-03T14:00:00Z`.
    public static func isoTime(_ seconds: Int64) -> String {
        let day = PartitionDay(unixSeconds: seconds)
        let ofDay = seconds - day.startSeconds
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day.isoText)T\(two(ofDay / 3_600)):\(two(ofDay % 3_600 / 60)):\(two(ofDay % 60))Z"
    }

    // MARK: JSON

    /// One finding as a JSON object, fields in a fixed order.
    func object(_ finding: Finding) -> String {
        func text(_ value: String?) -> String { value.map(JSONString.quoted) ?? "null" }
        var fields: [(String, String)] = [
            ("detection", text(finding.detection)), ("title", text(finding.title)), ("severity", text(finding.severity.rawValue)),
            ("techniques", "[" + finding.techniques.map(JSONString.quoted).joined(separator: ",") + "]"),
            ("srcaddr", text(finding.srcaddr)), ("dstaddr", text(finding.dstaddr)),
            ("dstport", finding.dstport.map(String.init) ?? "null"),
            ("first_seen", text(Self.isoTime(finding.firstSeen))), ("last_seen", text(Self.isoTime(finding.lastSeen))),
            ("count", String(finding.count)), ("bytes", String(finding.bytes)),
            ("interface_id", text(finding.interfaceID)),
            ("src_owner", text(finding.srcOwner)), ("dst_owner", text(finding.dstOwner)),
        ]
        var evidence = finding.evidence.map { JSONString.quoted($0.name) + ":" + Self.jsonValue($0.value) }
        if !finding.sampleFlows.isEmpty {
            evidence.append("\"sample_flows\":[" + finding.sampleFlows.map(JSONString.quoted).joined(separator: ",") + "]")
        }
        fields.append(("evidence", "{" + evidence.joined(separator: ",") + "}"))
        fields.append(("status", text(finding.status.rawValue)))
        return "{" + fields.map { JSONString.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    static func jsonValue(_ value: SQLiteValue) -> String {
        switch value {
        case .null, .blob: return "null"
        case .integer(let number): return String(number)
        case .real(let number): return number.isFinite ? Self.number(number) : "null"
        case .text(let text): return JSONString.quoted(text)
        }
    }

    /// A double without a trailing `.0` when it is whole.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private func json(_ run: DetectionRun) -> String {
        var out = "{\n"
        out += "  \"window\": \(JSONString.quoted(run.window.summary)),\n"
        out += "  \"generated\": \(JSONString.quoted(Self.isoTime(Int64(run.generated.timeIntervalSince1970)))),\n"
        out += "  \"detections\": [" + run.ran.map(JSONString.quoted).joined(separator: ", ") + "],\n"
        out += "  \"notes\": [" + run.notes.map(JSONString.quoted).joined(separator: ", ") + "],\n"
        out += "  \"suppressed\": \(run.suppressed),\n"
        out += "  \"findings\": ["
        out += run.findings.isEmpty ? "]\n" : "\n" + run.findings.map { "    " + object($0) }.joined(separator: ",\n") + "\n  ]\n"
        return out + "}\n"
    }

    // MARK: Text

    static let columns = ["severity", "detection", "srcaddr", "dstaddr", "dstport", "first_seen", "last_seen", "count", "bytes", "interface_id", "evidence"]
    /// The columns when the inventory named an owner: two more before the evidence.
    static let columnsWithOwners = Array(columns.dropLast()) + ["src_owner", "dst_owner", "evidence"]

    /// The columns for `run`: the owners' only when some finding has one.
    static func columns(for run: DetectionRun) -> [String] {
        run.findings.contains { $0.srcOwner != nil || $0.dstOwner != nil } ? columnsWithOwners : columns
    }

    /// Each finding's cells, in ``columns`` (or ``columnsWithOwners``) order.
    static func cells(_ finding: Finding, owners: Bool) -> [String] {
        var cells = cells(finding)
        if owners { cells.insert(contentsOf: [finding.srcOwner ?? "-", finding.dstOwner ?? "-"], at: cells.count - 1) }
        return cells
    }

    /// Each finding's cells, in ``columns`` order.
    static func cells(_ finding: Finding) -> [String] {
        [
            finding.severity.rawValue + (finding.status == .continued ? " (cont.)" : ""), finding.detection,
            finding.srcaddr ?? "-", finding.dstaddr ?? "-", finding.dstport.map(String.init) ?? "-",
            isoTime(finding.firstSeen), isoTime(finding.lastSeen),
            finding.count.formatted(), finding.bytes.formatted(), finding.interfaceID ?? "-",
            finding.evidence.map { "\($0.name)=\(evidenceText($0.value))" }.joined(separator: " "),
        ]
    }

    static func evidenceText(_ value: SQLiteValue) -> String {
        switch value {
        case .null, .blob: return "-"
        case .integer(let number): return String(number)
        case .real(let number): return number.isFinite ? Self.number(number) : "-"
        case .text(let text): return DisplayText.escaped(text)
        }
    }

    private func heading(_ run: DetectionRun) -> [String] {
        var lines = ["Detections: \(run.window.summary)"]
        let count = run.findings.count
        var summary = "\(count) finding" + (count == 1 ? "" : "s")
        if run.suppressed > 0 { summary += " (\(run.suppressed) already reported or allowlisted, not shown)" }
        lines.append(summary + " from \(run.ran.count) detection" + (run.ran.count == 1 ? "" : "s") + ": " + run.ran.joined(separator: ", "))
        lines += run.notes.map { "Note: " + $0 }
        return lines
    }

    private func table(_ run: DetectionRun) -> String {
        var out = heading(run).joined(separator: "\n") + "\n"
        guard !run.findings.isEmpty else { return out }
        let columns = Self.columns(for: run), owners = columns.count > Self.columns.count
        let rows = [columns] + run.findings.map { Self.cells($0, owners: owners) }
        let widths = columns.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        out += "\n"
        for row in rows {
            let padded = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            out += padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return out + samples(run, prefix: "")
    }

    /// The sample flows under a table: each finding's, numbered as its row.
    private func samples(_ run: DetectionRun, prefix: String) -> String {
        var out = ""
        for (index, finding) in run.findings.enumerated() where !finding.sampleFlows.isEmpty {
            out += "\(prefix)\(index + 1). \(finding.detection) \(finding.srcaddr ?? finding.interfaceID ?? "-"):\n"
            out += finding.sampleFlows.map { "\(prefix)     \($0)\n" }.joined()
        }
        return out.isEmpty ? "" : "\nSample flows:\n" + out
    }

    private func markdown(_ run: DetectionRun) -> String {
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var out = "# Detections\n\n" + heading(run).map { $0 + "\n" }.joined(separator: "\n")
        guard !run.findings.isEmpty else { return out }
        let columns = Self.columns(for: run), owners = columns.count > Self.columns.count
        out += "\n| " + columns.joined(separator: " | ") + " |\n"
        out += "|" + columns.map { _ in " --- |" }.joined() + "\n"
        for finding in run.findings {
            out += "| " + Self.cells(finding, owners: owners).map(escape).joined(separator: " | ") + " |\n"
        }
        return out + samples(run, prefix: "")
    }

    private func html(_ run: DetectionRun) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>flowq detections</title>
            <style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:14px}
            .critical,.high{background:#fdd}.medium{background:#ffd}</style></head><body>
            <h1>Detections</h1>

            """
        out += heading(run).map { "<p>\(escape($0))</p>\n" }.joined()
        if !run.findings.isEmpty {
            let columns = Self.columns(for: run), owners = columns.count > Self.columns.count
            out += "<table><tr>" + columns.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
            for finding in run.findings {
                out += "<tr class=\"\(finding.severity.rawValue)\">" + Self.cells(finding, owners: owners).map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
            }
            out += "</table>\n"
        }
        return out + "</body></html>\n"
    }
}
