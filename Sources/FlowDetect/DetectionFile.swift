import FlowReports
import Foundation
import Yams

/// Reads a detection from a YAML rule file; the built-in detections are read the same way.
///
/// ```yaml
/// id: ssh-brute-force                 # optional: the file's name without extension
/// title: SSH brute force
/// description: Many rejected SSH connections from one source in 10 minutes
/// severity: high                      # info | low | medium | high | critical
/// techniques: [T1110]
/// parameters:
///   min_attempts: { type: integer, default: 50, description: rejected flows in one bucket }
/// sql: |
///   SELECT srcaddr, dstaddr, 22 AS dstport, min(start) AS first_seen, max("end") AS last_seen,
///          count(*) AS flows, sum(bytes) AS bytes
///   FROM flows WHERE {window} AND dstport = 22 AND action = 'REJECT'
///   GROUP BY srcaddr, dstaddr, floor(start / 600) HAVING count(*) >= {min_attempts}
/// evidence: [flows]                   # optional: columns kept as evidence
/// ```
///
/// Every mistake is reported with the file, the line and the key path, as report files are.
public enum DetectionFile {
    /// Keys allowed at the top of a rule file.
    static let topKeys = ["id", "title", "description", "severity", "techniques", "parameters", "sql", "baseline", "evidence"]
    /// Keys allowed in a parameter.
    static let parameterKeys = ["type", "default", "description"]
    /// Keys allowed under `baseline`.
    static let baselineKeys = ["sql", "key", "compare", "period", "days", "min_zscore"]

    /// Reads and checks the rule file at `path`.
    public static func load(path: String) throws(DetectionError) -> DetectionDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: (path as NSString).expandingTildeInPath, encoding: .utf8)
        } catch {
            throw DetectionError(.usage, "cannot read the rule file \(path): \(error.localizedDescription)")
        }
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(text, source: path, defaultID: base)
    }

    /// Every `.yaml` and `.yml` file in `folder`, in name order.
    public static func loadFolder(_ folder: String) throws(DetectionError) -> [DetectionDefinition] {
        let expanded = (folder as NSString).expandingTildeInPath
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: expanded)
        } catch {
            throw DetectionError(.usage, "cannot read the rules folder \(folder): \(error.localizedDescription)")
        }
        var rules: [DetectionDefinition] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            rules.append(try load(path: (expanded as NSString).appendingPathComponent(name)))
        }
        return rules
    }

    /// Reads a detection from YAML `text`; `source` names it in errors.
    public static func parse(_ text: String, source: String, defaultID: String = "custom", origin: String? = nil) throws(DetectionError) -> DetectionDefinition {
        do {
            return try parseReporting(text, source: source, defaultID: defaultID, origin: origin)
        } catch {
            throw DetectionError(error)
        }
    }

    private static func parseReporting(_ text: String, source: String, defaultID: String, origin: String?) throws(ReportError) -> DetectionDefinition {
        let root = try ReportFile.compose(text, source: source, needs: "a detection needs at least title, severity and sql")
        let reader = NodeReader(source: source)
        let top = try reader.mapping(root, at: "(top level)", allowed: topKeys)

        var id = defaultID
        if let node = top["id"] {
            id = try reader.string(node, at: "id")
        }
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw reader.fail("id", top["id"] ?? root, "'\(id)' may hold only letters, digits, - and _")
        }
        guard let titleNode = top["title"] else { throw reader.fail("title", root, "missing; give the detection a title") }
        let title = try reader.string(titleNode, at: "title")
        let summary = try top["description"].map { node throws(ReportError) in try reader.string(node, at: "description", allowEmpty: true) } ?? ""
        guard let severityNode = top["severity"] else {
            throw reader.fail("severity", root, "missing; one of \(DetectionSeverity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let severityText = try reader.string(severityNode, at: "severity")
        guard let severity = DetectionSeverity(rawValue: severityText.lowercased()) else {
            throw reader.fail("severity", severityNode, "'\(severityText)' is not a severity; use \(DetectionSeverity.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let techniques = try top["techniques"].map { node throws(ReportError) in try reader.strings(node, at: "techniques") } ?? []
        for technique in techniques where !Self.isTechnique(technique) {
            throw reader.fail("techniques", top["techniques"], "'\(technique)' is not a MITRE ATT&CK technique id (T1046, T1048.003)")
        }

        var parameters: [DetectionParameter] = []
        if let node = top["parameters"] {
            for (name, value) in try reader.mapping(node, at: "parameters", allowed: nil).pairs {
                let path = "parameters.\(name)"
                guard ReportTemplate.placeholders(in: "{\(name)}") == [name], !["window", "baseline_window"].contains(name) else {
                    throw reader.fail(path, value, "'\(name)' cannot be a parameter name; use letters, digits and _ (and not window or baseline_window)")
                }
                var parameter: DetectionParameter
                if value.mapping != nil {
                    let fields = try reader.mapping(value, at: path, allowed: parameterKeys)
                    guard let typeNode = fields["type"] else {
                        throw reader.fail(path + ".type", value, "missing; one of \(DetectionParameter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    let typeText = try reader.string(typeNode, at: path + ".type")
                    guard let kind = DetectionParameter.Kind(rawValue: typeText.lowercased()) else {
                        throw reader.fail(path + ".type", typeNode, "'\(typeText)' is not a type; use \(DetectionParameter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    parameter = DetectionParameter(name: name, kind: kind)
                    parameter.defaultValue = try fields["default"].flatMap { node throws(ReportError) in try reader.optionalScalar(node, at: path + ".default") }
                    parameter.summary = try fields["description"].map { node throws(ReportError) in try reader.string(node, at: path + ".description", allowEmpty: true) } ?? ""
                } else {
                    let text = try reader.optionalScalar(value, at: path)
                    let kind: DetectionParameter.Kind = text.flatMap { Int64($0) } != nil ? .integer : text.flatMap { Double($0) } != nil ? .number : .word
                    parameter = DetectionParameter(name: name, kind: kind, defaultValue: text)
                }
                // A default is checked now, except a file's: it is read when the detection runs.
                if let text = parameter.defaultValue, parameter.kind != .addresses {
                    do {
                        _ = try parameter.value(text, origin: "\(reader.place(value)): \(path).default", kind: .definition)
                    } catch {
                        throw ReportError(.definition, error.message)
                    }
                }
                parameters.append(parameter)
            }
        }

        guard let sqlNode = top["sql"] else { throw reader.fail("sql", root, "missing; a detection needs the query that finds candidate rows") }
        let sql = try reader.string(sqlNode, at: "sql")

        var baseline: DetectionBaseline?
        if let node = top["baseline"] {
            let fields = try reader.mapping(node, at: "baseline", allowed: baselineKeys)
            func required(_ key: String, _ hint: String) throws(ReportError) -> Node {
                guard let value = fields[key] else { throw reader.fail("baseline.\(key)", node, "missing; \(hint)") }
                return value
            }
            let baselineSQL = try reader.string(try required("sql", "the query over {baseline_window} giving key columns and value per period"), at: "baseline.sql")
            let key = try reader.strings(try required("key", "the columns naming a key in both queries, like [srcaddr]"), at: "baseline.key")
            let compare = try reader.string(try required("compare", "the candidate column compared, like bytes"), at: "baseline.compare")
            let periodNode = try required("period", "hour or day")
            let periodText = try reader.string(periodNode, at: "baseline.period")
            guard let period = DetectionBaseline.Period(rawValue: periodText.lowercased()) else {
                throw reader.fail("baseline.period", periodNode, "'\(periodText)' is not a period; use hour or day")
            }
            let days = try reader.string(try required("days", "days of history, a number or a parameter's name"), at: "baseline.days")
            let minZScore = try reader.string(try required("min_zscore", "the smallest z-score kept, a number or a parameter's name"), at: "baseline.min_zscore")
            baseline = DetectionBaseline(sql: baselineSQL, key: key, compare: compare, period: period, days: days, minZScore: minZScore)
        }
        let evidence = try top["evidence"].map { node throws(ReportError) in try reader.strings(node, at: "evidence") } ?? []
        return DetectionDefinition(id: id, title: title, summary: summary, severity: severity, techniques: techniques,
                                   parameters: parameters, sql: sql, baseline: baseline, evidence: evidence, origin: origin ?? source)
    }

    /// `T1046` or `T1048.003`.
    static func isTechnique(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let base = parts.first, base.count == 5, base.first == "T", base.dropFirst().allSatisfy(\.isNumber), parts.count <= 2 else { return false }
        return parts.count == 1 || (parts[1].count == 3 && parts[1].allSatisfy(\.isNumber))
    }
}
