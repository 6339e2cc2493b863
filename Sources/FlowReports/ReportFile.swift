import FlowQuery
import Foundation
import Yams

/// Reads a custom report from a YAML file.
///
/// ```yaml
/// title: Nightly security summary
/// description: What was rejected and who knocked on admin ports
/// parameters: { address: 10.0.0.10 }
/// queries:
///   - name: Rejected by source
///     sql: SELECT srcaddr, count(*) AS flows FROM flows WHERE action = 'REJECT' AND {window} GROUP BY srcaddr ORDER BY flows DESC LIMIT 20
///     chart: bar          # bar | line | none
/// output: { format: html }
/// ```
///
/// Every mistake is reported with the file, the line and the key path (`queries[1].sql`,
/// counted from 0) and what is wrong there.
public enum ReportFile {
    /// Refuses, before parsing, YAML nested or aliased beyond what a report needs: flow
    /// brackets, block indentation, and `- ` markers stacked on one line all count as depth.
    static func checkShape(_ text: String, source: String) throws(ReportError) {
        guard text.utf8.count <= maximumSize else {
            throw ReportError(.definition, "\(source): the file is \(text.utf8.count.formatted()) bytes; a report file may be at most \(maximumSize.formatted())")
        }
        var flowDepth = 0, aliases = 0, line = 1
        var quote: UInt8? = nil
        var atLineStart = true, indentation = 0, markers = 0
        var previous: UInt8 = 0x0A
        var comment = false
        func tooDeep() -> ReportError {
            ReportError(.definition, "\(source):\(line): nested more than \(maximumDepth) levels deep; a report file needs only a few")
        }
        for byte in text.utf8 {
            defer { previous = byte }
            if byte == 0x0A {
                line += 1
                atLineStart = true
                indentation = 0
                markers = 0
                comment = false
                // Quotes end at the line: an apostrophe in a block scalar (SQL) must not switch
                // the check off for the rest of the file.
                quote = nil
                continue
            }
            if comment { continue }
            if let open = quote {
                if byte == open && previous != 0x5C { quote = nil }
                continue
            }
            if atLineStart {
                if byte == 0x20 {
                    indentation += 1
                    if indentation / 2 + markers > maximumDepth { throw tooDeep() }
                    continue
                }
                if byte == 0x2D || byte == 0x3F { // "- " or "? " marks a nested entry
                    markers += 1
                    if indentation / 2 + markers > maximumDepth { throw tooDeep() }
                    continue
                }
                atLineStart = false
            }
            switch byte {
            case 0x23 where previous == 0x20 || previous == 0x0A || previous == 0x09: comment = true
            case 0x27, 0x22: quote = byte
            case 0x5B, 0x7B:
                flowDepth += 1
                if flowDepth > maximumDepth { throw tooDeep() }
            case 0x5D, 0x7D: flowDepth = max(0, flowDepth - 1)
            case 0x2A where previous == 0x20 || previous == 0x5B || previous == 0x2C || previous == 0x3A:
                aliases += 1
                if aliases > maximumAliases {
                    throw ReportError(.definition, "\(source):\(line): more than \(maximumAliases) aliases (*name); a report file needs few, if any")
                }
            default: break
            }
        }
    }

    /// Keys allowed at the top of a report file.
    static let topKeys = ["name", "title", "description", "parameters", "queries", "output"]
    /// Keys allowed in each entry of `queries`.
    static let queryKeys = ["name", "sql", "chart", "label", "value", "description"]
    /// Keys allowed in a parameter written as a mapping.
    static let parameterKeys = ["default", "description"]

    /// Reads and checks the report file at `path`.
    public static func load(path: String) throws(ReportError) -> ReportDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: (path as NSString).expandingTildeInPath, encoding: .utf8)
        } catch {
            throw ReportError(.usage, "cannot read the report file \(path): \(error.localizedDescription)")
        }
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(text, source: path, defaultName: base)
    }

    /// The deepest nesting a report file may have (a report needs about 4 levels). The YAML
    /// parser builds its tree recursively: without a limit a hostile file exhausts the stack.
    static let maximumDepth = 64
    /// The most aliases (`*name`) a report file may use: each one copies a subtree.
    static let maximumAliases = 64
    /// The largest report file read.
    static let maximumSize = 1 << 20

    /// Reads a report from YAML `text`; `source` names it in errors.
    public static func parse(_ text: String, source: String, defaultName: String = "custom") throws(ReportError) -> ReportDefinition {
        let root = try compose(text, source: source, needs: "a report needs at least title and queries")
        let reader = NodeReader(source: source)
        let top = try reader.mapping(root, at: "(top level)", allowed: topKeys)

        guard let titleNode = top["title"] else { throw reader.fail("title", root, "missing; give the report a title") }
        let title = try reader.string(titleNode, at: "title")
        let summary = try top["description"].map { node throws(ReportError) in try reader.string(node, at: "description", allowEmpty: true) } ?? ""
        var name = defaultName
        if let node = top["name"] {
            name = try reader.string(node, at: "name")
            guard name.allSatisfy({ ReportValue.allowed.contains($0) }) else {
                throw reader.fail("name", node, "'\(name)' may hold only letters, digits and . _ : / -")
            }
        }

        var parameters: [ReportParameter] = []
        if let node = top["parameters"] {
            for (key, value) in try reader.mapping(node, at: "parameters", allowed: nil).pairs {
                let path = "parameters.\(key)"
                guard ReportTemplate.placeholders(in: "{\(key)}") == [key], key != "window" else {
                    throw reader.fail(path, value, "'\(key)' cannot be a parameter name; use letters, digits and _ (and not 'window')")
                }
                var parameter = ReportParameter(name: key)
                if value.mapping != nil {
                    let fields = try reader.mapping(value, at: path, allowed: parameterKeys)
                    parameter.defaultValue = try fields["default"].flatMap { node throws(ReportError) in try reader.optionalScalar(node, at: path + ".default") }
                    parameter.summary = try fields["description"].map { node throws(ReportError) in try reader.string(node, at: path + ".description", allowEmpty: true) } ?? ""
                } else {
                    parameter.defaultValue = try reader.optionalScalar(value, at: path)
                }
                if let text = parameter.defaultValue {
                    _ = try ReportValue(name: key, text: text, origin: "\(reader.place(value)): \(path)", kind: .definition)
                }
                parameters.append(parameter)
            }
        }

        guard let queriesNode = top["queries"] else {
            throw reader.fail("queries", root, "missing; list one or more queries, each with name and sql")
        }
        guard case .sequence(let sequence) = queriesNode, !sequence.isEmpty else {
            throw reader.fail("queries", queriesNode, "must be a list of queries (lines starting with '- '), each with name and sql")
        }
        var queries: [ReportQuery] = []
        for (index, node) in sequence.enumerated() {
            let path = "queries[\(index)]"
            let fields = try reader.mapping(node, at: path, allowed: queryKeys)
            guard let nameNode = fields["name"] else { throw reader.fail(path + ".name", node, "missing; every query needs a name (its heading)") }
            guard let sqlNode = fields["sql"] else { throw reader.fail(path + ".sql", node, "missing; every query needs the SQL it runs") }
            var query = ReportQuery(name: try reader.string(nameNode, at: path + ".name"),
                                    sql: try reader.string(sqlNode, at: path + ".sql"), keyPath: path)
            if let chartNode = fields["chart"] {
                let word = try reader.string(chartNode, at: path + ".chart")
                guard let chart = ReportChart(rawValue: word.lowercased()) else {
                    throw reader.fail(path + ".chart", chartNode, "'\(word)' is not a chart; use bar, line or none")
                }
                query.chart = chart
            }
            if let node = fields["label"] { query.labelColumns = try reader.strings(node, at: path + ".label") }
            if let node = fields["value"] { query.valueColumns = try reader.strings(node, at: path + ".value") }
            queries.append(query)
        }

        var format: ReportFormat?
        if let node = top["output"] {
            let fields = try reader.mapping(node, at: "output", allowed: ["format"])
            if let formatNode = fields["format"] {
                let word = try reader.string(formatNode, at: "output.format")
                guard let chosen = ReportFormat(rawValue: word.lowercased()) else {
                    throw reader.fail("output.format", formatNode, "'\(word)' is not a format; use \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                format = chosen
            }
        }
        return ReportDefinition(name: name, title: title, summary: summary, parameters: parameters, queries: queries,
                                preferredFormat: format, origin: source)
    }

    /// The YAML tree of `text`, its shape checked first; `needs` says what an empty file lacks.
    /// Detection files are read through this too.
    package static func compose(_ text: String, source: String, needs: String) throws(ReportError) -> Node {
        try checkShape(text, source: source)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, source: source)
        } catch {
            throw ReportError(.definition, "\(source): not valid YAML: \(error.localizedDescription)")
        }
        guard let root else {
            throw ReportError(.definition, "\(source): the file is empty; \(needs)")
        }
        return root
    }

    private static func syntaxError(_ error: YamlError, source: String) -> ReportError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return ReportError(.definition, "\(source):\(mark.line):\(mark.column): not valid YAML: \(problem)\(during)")
        default:
            return ReportError(.definition, "\(source): not valid YAML: \(error)")
        }
    }
}
