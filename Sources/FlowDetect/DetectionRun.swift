import FlowReports
import Foundation

/// What a run of detections found, and what it could not run.
public struct DetectionRun: Sendable {
    /// The time covered.
    public var window: ReportWindow
    /// When it ran.
    public var generated: Date
    /// The detections that ran, by id.
    public var ran: [String]
    /// Detections that did not run, and why (`known-bad: needs --param blocklist=...`).
    public var notes: [String]
    /// The findings, most severe first, then by first seen.
    public var findings: [Finding]
    /// Findings found but not reported: already reported (with `--state`) or allowlisted.
    public var suppressed: Int = 0

    /// A run's result.
    public init(window: ReportWindow, generated: Date, ran: [String], notes: [String], findings: [Finding]) {
        self.window = window
        self.generated = generated
        self.ran = ran
        self.notes = notes
        self.findings = findings
    }
}
