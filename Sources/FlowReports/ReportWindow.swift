import FlowModel
import Foundation

/// The time a report covers, and the SQL condition that stands for `{window}`.
///
/// Either the last so many minutes, hours, days or weeks before now (`start >= <unix seconds>`,
/// computed here and written as an integer literal), or a range of UTC days
/// (`date_partition >= 'YYYY/MM/DD' AND date_partition < 'YYYY/MM/DD'`, the end exclusive).
/// Both forms let the planner skip partitions outside the window.
public struct ReportWindow: Sendable, Equatable {
    /// Which records the window keeps.
    public enum Bounds: Sendable, Equatable {
        /// Records whose `start` is at or after `start` (Unix seconds); `span` is how it was asked for (`24h`).
        case since(start: Int64, span: String)
        /// Records in the UTC days from `from` (inclusive) to `to` (exclusive); nil is unbounded.
        case days(from: PartitionDay?, to: PartitionDay?)
    }

    /// Which records the window keeps.
    public let bounds: Bounds

    /// The span used when a report is run without `--since`, `--from` or `--to`.
    public static let defaultSpan = "24h"

    /// A window with these bounds.
    public init(bounds: Bounds) {
        self.bounds = bounds
    }

    /// The last `span` before `now`: `90m`, `24h`, `7d` or `2w`.
    public static func last(_ span: String, now: Date = Date()) throws(ReportError) -> ReportWindow {
        let text = span.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Int64] = ["m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let seconds = units[unit], let count = Int64(text.dropLast()), count > 0,
              count <= 100 * 366 * 86_400 / seconds else {
            throw ReportError(.usage, "--since \(span): not a time span; write a whole number and a unit: 90m, 24h, 7d or 2w")
        }
        let start = Int64(now.timeIntervalSince1970.rounded(.down)) - count * seconds
        return ReportWindow(bounds: .since(start: start, span: "\(count)\(unit)"))
    }

    /// The UTC days from `from` up to, not including, `to` (`YYYY-MM-DD` or `YYYY/MM/DD`); either may be nil.
    public static func days(from: String?, to: String?) throws(ReportError) -> ReportWindow {
        func day(_ text: String?, option: String) throws(ReportError) -> PartitionDay? {
            guard let text else { return nil }
            guard let day = PartitionDay(text.trimmingCharacters(in: .whitespaces)) else {
                throw ReportError(.usage, "\(option) \(text): not a date; write YYYY-MM-DD, like 2024-01-05")
            }
            return day
        }
        let first = try day(from, option: "--from"), end = try day(to, option: "--to")
        guard first != nil || end != nil else {
            throw ReportError(.usage, "a day window needs --from, --to or both")
        }
        if let first, let end, end <= first {
            throw ReportError(.usage, "--to \(end.isoText) must be after --from \(first.isoText) (--to is exclusive: --from 2024-01-02 --to 2024-01-03 is one day)")
        }
        return ReportWindow(bounds: .days(from: first, to: end))
    }

    /// The window the command-line options name: `--since`, or `--from`/`--to`, else the last 24 hours.
    public static func resolve(since: String?, from: String?, to: String?, now: Date = Date()) throws(ReportError) -> ReportWindow {
        if let since {
            guard from == nil && to == nil else {
                throw ReportError(.usage, "give either --since or --from/--to, not both")
            }
            return try last(since, now: now)
        }
        if from != nil || to != nil { return try days(from: from, to: to) }
        return try last(defaultSpan, now: now)
    }

    /// The SQL condition `{window}` stands for, in parentheses.
    public var condition: String {
        switch bounds {
        case .since(let start, _):
            return "(start >= \(start))"
        case .days(let from, let to):
            var terms: [String] = []
            if let from { terms.append("date_partition >= '\(from.slashedText)'") }
            if let to { terms.append("date_partition < '\(to.slashedText)'") }
            return "(" + terms.joined(separator: " AND ") + ")"
        }
    }

    /// The window as a person reads it: `last 24h (since 2024-01-02 10:00 UTC)`,
    /// `2024-01-02 to 2024-01-04 (UTC days; 2024-01-05 not included)`.
    public var summary: String {
        switch bounds {
        case .since(let start, let span):
            return "last \(span) (since \(Self.timeText(start)) UTC)"
        case .days(let from?, let to?):
            let last = to.adding(days: -1)
            if last == from { return "\(from.isoText) (UTC day)" }
            return "\(from.isoText) to \(last.isoText) (UTC days; \(to.isoText) not included)"
        case .days(let from?, nil):
            return "from \(from.isoText) on (UTC days)"
        case .days(nil, let to?):
            return "before \(to.isoText) (UTC days)"
        case .days(nil, nil):
            return "all days"
        }
    }

    /// `2024-01-02 10:00` for a Unix time.
    static func timeText(_ seconds: Int64) -> String {
        let day = PartitionDay(unixSeconds: seconds)
        let ofDay = seconds - day.startSeconds
        let hours = ofDay / 3_600, minutes = ofDay % 3_600 / 60
        return day.isoText + " " + (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
    }
}
