import FlowInventory
import FlowQuery
import FlowReports
import FlowSQLite
import FlowStore
import Foundation

/// Runs detections over a store and turns their rows into findings.
public struct DetectionRunner: Sendable {
    /// The store the queries read.
    public let store: FlowStore

    /// A runner over `store`.
    public init(store: FlowStore) {
        self.store = store
    }

    /// Fills in and runs each detection over `window`, then drops findings whose source is in
    /// `allowlist` and joins a finding with the next of the same key that starts within an
    /// hour of its end (a scan that spans two buckets is one finding).
    ///
    /// `parameters` holds `name=value` overrides: `name` applies to every detection that
    /// declares it, `id.name` to that detection only; a name no detection declares is an error.
    public func run(_ detections: [DetectionDefinition], window: ReportWindow, parameters: [String: String] = [:],
                    allowlist: AddressList = AddressList(), samples: Int = 0, options: ExecutionOptions = ExecutionOptions(),
                    now: Date = Date()) throws(DetectionError) -> DetectionRun {
        let split = try Self.split(parameters, among: detections)
        let engine = QueryEngine(store: store)
        var latestEnd: Int64?
        if detections.contains(where: \.usesLatestEnd) {
            latestEnd = try self.latestEnd(in: window, engine: engine, options: options, now: now)
        }
        var resolved: [ResolvedDetection] = []
        for detection in detections {
            resolved.append(try detection.resolved(window: window, parameters: split[detection.id] ?? [:], now: now, latestEnd: latestEnd))
        }
        var run = DetectionRun(window: window, generated: now, ran: [], notes: [], findings: [])
        // Plan everything first: a mistake in the last rule is reported before the store is read.
        for detection in resolved where detection.skipped == nil {
            _ = try plan(detection.sql, detection, engine: engine, now: now, keyPath: "sql")
            if let sql = detection.baselineSQL { _ = try plan(sql, detection, engine: engine, now: now, keyPath: "baseline.sql") }
        }
        var found: [Finding] = []
        for detection in resolved {
            if let reason = detection.skipped {
                run.notes.append("\(detection.definition.id): skipped, \(reason)")
                continue
            }
            let candidates = try rows(detection.sql, detection, engine: engine, options: options, now: now, keyPath: "sql")
            var findings = try Self.findings(from: candidates, of: detection.definition)
            if let baseline = detection.definition.baseline, let sql = detection.baselineSQL {
                // With no records at all before the window, every key would look new.
                let condition = DetectionDefinition.baselineCondition(before: window, days: detection.baselineDays) ?? "(1 = 0)"
                let held = try rows("SELECT count(*) AS records, min(start) AS earliest FROM vpc_flow_logs WHERE \(condition)", detection,
                                    engine: engine, options: options, now: now, keyPath: "baseline")
                guard (held.rows.first?.first?.integerValue ?? 0) > 0, let earliest = held.rows.first?[1].integerValue else {
                    run.notes.append("\(detection.definition.id): skipped, the store holds no records in the \(detection.baselineDays) days before the window (its baseline)")
                    continue
                }
                var detection = detection
                detection.baselinePeriods = Self.periods(window: window, days: detection.baselineDays, earliest: earliest, period: baseline.period)
                let history = try rows(sql, detection, engine: engine, options: options, now: now, keyPath: "baseline.sql")
                findings = try Self.compare(findings, candidates: candidates, history: history, baseline: baseline, detection: detection)
            }
            run.ran.append(detection.definition.id)
            found += findings
        }
        let kept = found.filter { finding in !(finding.srcaddr.map(allowlist.contains) ?? false) }
        run.suppressed = found.count - kept.count
        run.findings = Self.merged(kept)
        if samples > 0 {
            for index in run.findings.indices {
                run.findings[index].sampleFlows = try sampleFlows(of: run.findings[index], limit: samples, engine: engine, options: options, now: now)
            }
        }
        if !run.findings.isEmpty {
            do {
                // Without the inventory (or without interface snapshots in it) owners stay nil.
                if let owners = try InventoryStore.open(store, forWriting: false)?.addressOwners(), owners.count > 0 {
                    for index in run.findings.indices {
                        let time = run.findings[index].firstSeen
                        run.findings[index].srcOwner = run.findings[index].srcaddr.flatMap { owners.owner(of: $0, at: time) }
                        run.findings[index].dstOwner = run.findings[index].dstaddr.flatMap { owners.owner(of: $0, at: time) }
                    }
                }
            } catch {
                run.notes.append("addresses' owners not shown: cannot read the store's inventory: \(error.localizedDescription)")
            }
        }
        return run
    }

    /// The overrides for each detection, by id.
    static func split(_ parameters: [String: String], among detections: [DetectionDefinition]) throws(DetectionError) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if let dot = name.lastIndex(of: "."), detections.contains(where: { $0.id == String(name[..<dot]) }) {
                result[String(name[..<dot]), default: [:]][String(name[name.index(after: dot)...])] = value
                continue
            }
            let takers = detections.filter { $0.parameters.contains { $0.name == name } }
            guard !takers.isEmpty else {
                let all = Set(detections.flatMap { $0.parameters.map(\.name) }).sorted()
                throw DetectionError(.usage, "--param \(name): no detection that runs has a parameter '\(name)' (they have: \(all.joined(separator: ", ")); write id.name for one detection)")
            }
            for taker in takers { result[taker.id, default: [:]][name] = value }
        }
        return result
    }

    // MARK: Queries

    /// A query's rows with their column names.
    struct Rows {
        var columns: [String]
        var rows: [[SQLiteValue]]

        func index(_ name: String) -> Int? { columns.firstIndex(of: name) }
    }

    /// `{latest_end}`: the largest `end` of the window's records, so silence is measured up to
    /// the newest data the store holds, not up to now (an ingest running late is not a gap).
    private func latestEnd(in window: ReportWindow, engine: QueryEngine, options: ExecutionOptions, now: Date) throws(DetectionError) -> Int64? {
        let sql = "SELECT max(\"end\") AS latest FROM vpc_flow_logs WHERE \(window.condition)"
        do {
            let plan = try engine.plan(sql, now: now)
            return try QueryExecutor(store: store).collect(plan, options: options).first?.first?.integerValue
        } catch let error as QueryError {
            let kind: DetectionError.Kind = error.kind == .interrupted ? .interrupted : .execution
            throw DetectionError(kind, "cannot find the window's latest record: \(error.errorDescription ?? error.message)", queryError: error, sql: sql)
        } catch {
            // The store itself cannot be read (missing, locked): its own message says so.
            throw DetectionError(.execution, error.localizedDescription)
        }
    }

    /// Up to `limit` flow records behind `finding`: its addresses, port and interface, from
    /// its first to its last second, earliest first.
    func sampleFlows(of finding: Finding, limit: Int, engine: QueryEngine, options: ExecutionOptions, now: Date) throws(DetectionError) -> [String] {
        func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var terms = ["start >= \(finding.firstSeen)", "start <= \(finding.lastSeen)"]
        if let srcaddr = finding.srcaddr { terms.append("srcaddr = \(literal(srcaddr))") }
        if let dstaddr = finding.dstaddr { terms.append("dstaddr = \(literal(dstaddr))") }
        if let dstport = finding.dstport { terms.append("dstport = \(dstport)") }
        if let interface = finding.interfaceID { terms.append("interface_id = \(literal(interface))") }
        let sql = """
            SELECT start, srcaddr, srcport, dstaddr, dstport, protocol_name(protocol) AS protocol, action, bytes, log_status
            FROM vpc_flow_logs WHERE \(terms.joined(separator: " AND ")) ORDER BY start, srcaddr, dstaddr, srcport LIMIT \(limit)
            """
        let rows: [[SQLiteValue]]
        do {
            rows = try QueryExecutor(store: store).collect(try engine.plan(sql, now: now), options: options)
        } catch let error as QueryError {
            throw DetectionError(error.kind == .interrupted ? .interrupted : .execution,
                                 "cannot read sample flows of a \(finding.detection) finding: \(error.errorDescription ?? error.message)", queryError: error, sql: sql)
        } catch {
            throw DetectionError(.execution, "cannot read sample flows of a \(finding.detection) finding: \(error.localizedDescription)")
        }
        return rows.map { row in
            func text(_ index: Int) -> String {
                switch row[index] {
                case .text(let value): return value
                case .integer(let value): return String(value)
                default: return "-"
                }
            }
            let time = row[0].integerValue.map(FindingRenderer.isoTime) ?? "-"
            if text(8) != "OK" { return "\(time) \(text(8))" }
            return "\(time) \(text(1)):\(text(2)) -> \(text(3)):\(text(4)) \(text(5)) \(text(6)) \(text(7)) bytes"
        }
    }

    private func plan(_ sql: String, _ detection: ResolvedDetection, engine: QueryEngine, now: Date, keyPath: String) throws(DetectionError) -> QueryPlan {
        do {
            return try engine.plan(sql, now: now)
        } catch let error as QueryError {
            throw failure(error, detection: detection, sql: sql, keyPath: keyPath)
        } catch {
            throw DetectionError(.execution, "cannot read the store for \(detection.definition.origin): \(error.localizedDescription)")
        }
    }

    private func rows(_ sql: String, _ detection: ResolvedDetection, engine: QueryEngine, options: ExecutionOptions,
                      now: Date, keyPath: String) throws(DetectionError) -> Rows {
        let plan = try plan(sql, detection, engine: engine, now: now, keyPath: keyPath)
        do {
            return Rows(columns: plan.columns.map(\.name), rows: try QueryExecutor(store: store).collect(plan, options: options))
        } catch let error as QueryError {
            throw failure(error, detection: detection, sql: sql, keyPath: keyPath)
        } catch {
            throw DetectionError(.execution, "\(detection.definition.origin): \(keyPath) failed: \(error.localizedDescription)")
        }
    }

    private func failure(_ error: QueryError, detection: ResolvedDetection, sql: String, keyPath: String) -> DetectionError {
        let kind: DetectionError.Kind = error.kind == .interrupted ? .interrupted : error.kind == .execution ? .execution : .invalidQuery
        let what = kind == .invalidQuery ? "cannot run" : "failed"
        return DetectionError(kind, "\(detection.definition.origin): \(keyPath) \(what): \(error.errorDescription ?? error.message)",
                              queryError: error, sql: sql)
    }

    // MARK: Rows to findings

    /// Columns that fill a finding's fields rather than its evidence.
    static let fieldColumns: Set<String> = ["srcaddr", "dstaddr", "dstport", "interface_id", "first_seen", "last_seen", "flows", "count", "bytes"]

    /// One finding per row, by column name.
    static func findings(from result: Rows, of detection: DetectionDefinition) throws(DetectionError) -> [Finding] {
        for required in ["first_seen", "last_seen"] where result.index(required) == nil {
            throw DetectionError(.definition, "\(detection.origin): sql: the query has no column '\(required)' (a finding needs first_seen and last_seen, as min(start) and max(\"end\"); its columns: \(result.columns.joined(separator: ", ")))")
        }
        for name in detection.evidence where result.index(name) == nil {
            throw DetectionError(.definition, "\(detection.origin): evidence: the query has no column '\(name)' (its columns: \(result.columns.joined(separator: ", ")))")
        }
        let evidenceColumns = result.columns.enumerated().filter { _, name in
            detection.evidence.isEmpty ? !fieldColumns.contains(name) : detection.evidence.contains(name)
        }
        func text(_ row: [SQLiteValue], _ name: String) -> String? {
            guard let index = result.index(name) else { return nil }
            switch row[index] {
            case .text(let value): return value
            case .integer(let value): return String(value)
            default: return nil
            }
        }
        func integer(_ row: [SQLiteValue], _ name: String) -> Int64? {
            guard let index = result.index(name) else { return nil }
            return row[index].integerValue ?? row[index].doubleValue.map { Int64($0) }
        }
        return result.rows.map { row in
            Finding(detection: detection.id, title: detection.title, severity: detection.severity, techniques: detection.techniques,
                    srcaddr: text(row, "srcaddr"), dstaddr: text(row, "dstaddr"), dstport: integer(row, "dstport"),
                    interfaceID: text(row, "interface_id"),
                    firstSeen: integer(row, "first_seen") ?? 0, lastSeen: integer(row, "last_seen") ?? 0,
                    count: integer(row, "flows") ?? integer(row, "count") ?? 0, bytes: integer(row, "bytes") ?? 0,
                    evidence: evidenceColumns.map { Finding.Evidence(name: $0.element, value: row[$0.offset]) })
        }
    }

    /// The periods of history the baseline covers: from the start of the baseline days, or
    /// from the period of the store's earliest record in them when that is later (a store
    /// holding two days is not averaged over seven), to the window's start.
    static func periods(window: ReportWindow, days: Int, earliest: Int64, period: DetectionBaseline.Period) -> Int {
        let windowStart: Int64
        switch window.bounds {
        case .since(let start, _): windowStart = start
        case .days(let from?, _): windowStart = from.startSeconds
        case .days(nil, _): return days * period.perDay
        }
        let length: Int64 = period == .hour ? 3_600 : 86_400
        let first = max(windowStart - Int64(days) * 86_400, earliest - ((earliest % length) + length) % length)
        return max(1, Int((windowStart - first + length - 1) / length))
    }

    /// The findings whose compared value stands at least `min_zscore` standard deviations
    /// above their key's history, with `baseline_mean`, `baseline_stddev` and `zscore` added
    /// to their evidence.
    static func compare(_ findings: [Finding], candidates: Rows, history: Rows, baseline: DetectionBaseline,
                        detection: ResolvedDetection) throws(DetectionError) -> [Finding] {
        let origin = detection.definition.origin
        for name in baseline.key + [baseline.compare] where candidates.index(name) == nil {
            throw DetectionError(.definition, "\(origin): baseline: the query (sql) has no column '\(name)' (its columns: \(candidates.columns.joined(separator: ", ")))")
        }
        for name in baseline.key + ["value"] where history.index(name) == nil {
            throw DetectionError(.definition, "\(origin): baseline.sql: the query has no column '\(name)' (it must give the key columns and value; its columns: \(history.columns.joined(separator: ", ")))")
        }
        let candidateKey = baseline.key.compactMap(candidates.index), historyKey = baseline.key.compactMap(history.index)
        let compared = candidates.index(baseline.compare) ?? 0, valueIndex = history.index("value") ?? 0
        var sums: [[SQLiteValue]: (count: Int, sum: Double, squares: Double)] = [:]
        for row in history.rows {
            let value = row[valueIndex].doubleValue ?? 0
            let key = historyKey.map { row[$0] }
            let old = sums[key] ?? (0, 0, 0)
            sums[key] = (old.count + 1, old.sum + value, old.squares + value * value)
        }
        let periods = Double(max(detection.baselinePeriods, 1))
        // (A key's rows beyond `periods` can only come from a query grouped more finely than
        // its period; they then count as periods of their own.)
        var kept: [Finding] = []
        for (finding, row) in zip(findings, candidates.rows) {
            let value = row[compared].doubleValue ?? 0
            let stats = sums[candidateKey.map { row[$0] }] ?? (0, 0, 0)
            let count = max(periods, Double(stats.count))
            // Missing periods are zeros: they add nothing to the sums but count in the mean.
            let mean = stats.sum / count
            let variance = max(0, stats.squares / count - mean * mean)
            let deviation = variance.squareRoot()
            let zscore = (value - mean) / max(deviation, 1, mean / 10)
            guard zscore >= detection.minZScore else { continue }
            var finding = finding
            // A key with no history has no meaningful score (it would be the value itself).
            finding.evidence += [
                Finding.Evidence(name: "baseline_mean", value: .real((mean * 10).rounded() / 10)),
                Finding.Evidence(name: "baseline_stddev", value: .real((deviation * 10).rounded() / 10)),
                Finding.Evidence(name: "zscore", value: stats.count == 0 ? .null : .real((zscore * 10).rounded() / 10)),
                Finding.Evidence(name: "history_periods", value: .integer(Int64(stats.count))),
                Finding.Evidence(name: "baseline_periods", value: .integer(Int64(count))),
            ]
            kept.append(finding)
        }
        return kept
    }

    /// Findings of the same key joined when one starts within an hour of the other's end;
    /// then sorted most severe first, then by first seen, detection and addresses.
    static func merged(_ findings: [Finding]) -> [Finding] {
        let ordered = findings.sorted { ($0.firstSeen, $0.lastSeen) < ($1.firstSeen, $1.lastSeen) }
        var open: [Finding.Key: Int] = [:]
        var result: [Finding] = []
        for finding in ordered {
            if let index = open[finding.key], finding.firstSeen <= result[index].lastSeen + 3_600 {
                result[index].merge(finding)
                continue
            }
            open[finding.key] = result.count
            result.append(finding)
        }
        return result.sorted { a, b in
            if a.severity != b.severity { return a.severity > b.severity }
            if a.firstSeen != b.firstSeen { return a.firstSeen < b.firstSeen }
            if a.detection != b.detection { return a.detection < b.detection }
            return (a.srcaddr ?? "", a.dstaddr ?? "", a.dstport ?? -1, a.interfaceID ?? "") < (b.srcaddr ?? "", b.dstaddr ?? "", b.dstport ?? -1, b.interfaceID ?? "")
        }
    }
}
