import FlowModel
import Foundation
import FlowReports

extension DetectionDefinition {
    /// The queries with `{window}`, `{baseline_window}` and every parameter filled in.
    ///
    /// `given` holds this detection's values from the command line; they override the
    /// defaults. Numbers are written bare, words and addresses as quoted literals, address
    /// lists as conditions; nothing unchecked reaches a query.
    func resolved(window: ReportWindow, parameters given: [String: String], now: Date, latestEnd: Int64? = nil) throws(DetectionError) -> ResolvedDetection {
        for name in given.keys.sorted() where !parameters.contains(where: { $0.name == name }) {
            let known = parameters.isEmpty ? "it takes no parameters" : "its parameters: \(parameters.map(\.name).joined(separator: ", "))"
            throw DetectionError(.usage, "--param \(name): \(origin) has no parameter '\(name)' (\(known))")
        }
        var values: [String: DetectionValue] = [:]
        var shown: [(name: String, value: String)] = []
        var missing: [String] = []
        for parameter in parameters {
            if let text = given[parameter.name] {
                values[parameter.name] = try parameter.value(text, origin: "--param \(parameter.name)", kind: .usage)
            } else if let text = parameter.defaultValue {
                values[parameter.name] = try parameter.value(text, origin: "\(origin): parameters.\(parameter.name).default", kind: .definition)
            } else {
                missing.append(parameter.name)
                continue
            }
            shown.append((parameter.name, values[parameter.name]?.text ?? ""))
        }
        if let first = missing.first {
            return ResolvedDetection(definition: self, sql: "", parameters: shown,
                                     skipped: "needs --param \(first)=... (\(parameters.first { $0.name == first }?.summary ?? "no default"))")
        }

        var resolved = ResolvedDetection(definition: self, sql: "", parameters: shown)
        var baselineCondition: String?
        if let baseline {
            let days = try number(baseline.days, values: values, at: "baseline.days")
            guard days >= 1, days <= 366, days == days.rounded() else {
                throw DetectionError(.usage, "\(origin): baseline.days must be a whole number of days from 1 to 366, not \(days)")
            }
            resolved.baselineDays = Int(days)
            resolved.baselinePeriods = Int(days) * baseline.period.perDay
            resolved.minZScore = try number(baseline.minZScore, values: values, at: "baseline.min_zscore")
            baselineCondition = Self.baselineCondition(before: window, days: Int(days))
            if baselineCondition == nil {
                resolved.skipped = "its baseline needs a window with a start (--since, or --from)"
                return resolved
            }
        }
        var bounds = Self.bounds(of: window, now: now)
        bounds.latest = latestEnd ?? bounds.start
        resolved.sql = try fill(sql, at: "sql", window: window, bounds: bounds, baseline: baselineCondition, values: values)
        if let baseline {
            resolved.baselineSQL = try fill(baseline.sql, at: "baseline.sql", window: window, bounds: bounds, baseline: baselineCondition, values: values)
        }
        return resolved
    }

    /// `{name}` placeholders filled; address lists first, as `{name:column}`.
    private func fill(_ text: String, at keyPath: String, window: ReportWindow, bounds: (start: Int64, end: Int64, latest: Int64), baseline: String?,
                      values: [String: DetectionValue]) throws(DetectionError) -> String {
        var text = text
        for parameter in parameters where parameter.kind == .addresses {
            let opening = "{\(parameter.name):"
            while let start = text.range(of: opening) {
                guard let close = text[start.upperBound...].firstIndex(of: "}") else { break }
                let column = String(text[start.upperBound..<close])
                guard let first = column.first, first.isLetter || first == "_",
                      column.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                    throw DetectionError(.definition, "\(origin): \(keyPath): {\(parameter.name):\(column)} must name a column, like {\(parameter.name):srcaddr}")
                }
                text.replaceSubrange(start.lowerBound...close, with: values[parameter.name]?.list?.condition(column: column) ?? "(1 = 0)")
            }
        }
        let known = Set(["window", "baseline_window", "window_start", "window_end", "latest_end"]).union(parameters.map(\.name))
        let origin = self.origin
        do {
            return try ReportTemplate.fill(text, at: "\(origin): \(keyPath)", sql: true, known: known) { name throws(ReportError) in
                if name == "window" { return window.condition }
                if name == "window_start" { return String(bounds.start) }
                if name == "window_end" { return String(bounds.end) }
                if name == "latest_end" { return String(bounds.latest) }
                if name == "baseline_window", let baseline { return baseline }
                if let value = values[name], value.list == nil { return value.literal }
                let hint = name == "baseline_window" ? "only a detection with a baseline has {baseline_window}"
                    : parameters.contains(where: { $0.name == name }) ? "an address list is used as {\(name):column}"
                    : "declare it under parameters"
                throw ReportError(.definition, "\(origin): \(keyPath): {\(name)} is not a placeholder of this detection (\(hint))")
            }
        } catch {
            throw DetectionError(error)
        }
    }

    /// A number written in the definition, or a numeric parameter's name (bare or as `{name}`).
    private func number(_ text: String, values: [String: DetectionValue], at keyPath: String) throws(DetectionError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let braced = trimmed.hasPrefix("{") && trimmed.hasSuffix("}")
        if braced || parameters.contains(where: { $0.name == trimmed }) {
            let name = braced ? String(trimmed.dropFirst().dropLast()) : trimmed
            guard let number = values[name]?.number else {
                throw DetectionError(.definition, "\(origin): \(keyPath): {\(name)} is not a numeric parameter of this detection")
            }
            return number
        }
        guard let number = Double(trimmed), number.isFinite else {
            throw DetectionError(.definition, "\(origin): \(keyPath): '\(text)' is not a number or {parameter}")
        }
        return number
    }

    /// `{window_start}` and `{window_end}` in Unix seconds: the window's first second (0 when
    /// it has no start) and the second it ends before (its `--to` day, or now when that is
    /// earlier or there is none).
    static func bounds(of window: ReportWindow, now: Date) -> (start: Int64, end: Int64, latest: Int64) {
        let current = Int64(now.timeIntervalSince1970.rounded(.down))
        switch window.bounds {
        case .since(let start, _): return (start, current, start)
        case .days(let from, let to): return (from?.startSeconds ?? 0, min(to?.startSeconds ?? current, current), from?.startSeconds ?? 0)
        }
    }

    /// True when the queries use `{latest_end}`, which costs a query of its own.
    var usesLatestEnd: Bool {
        ReportTemplate.placeholders(in: sql).contains("latest_end") || baseline.map { ReportTemplate.placeholders(in: $0.sql).contains("latest_end") } == true
    }

    /// The `days` before the window's start: a `start` range for `--since`, a day range for
    /// `--from`; nil when the window has no start.
    static func baselineCondition(before window: ReportWindow, days: Int) -> String? {
        switch window.bounds {
        case .since(let start, _):
            return "(start >= \(start - Int64(days) * 86_400) AND start < \(start))"
        case .days(let from?, _):
            return "(date_partition >= '\(from.adding(days: Int32(-days)).slashedText)' AND date_partition < '\(from.slashedText)')"
        case .days(nil, _):
            return nil
        }
    }
}
