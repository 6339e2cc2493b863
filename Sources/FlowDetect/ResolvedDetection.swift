/// A detection with its placeholders filled in, ready to run.
struct ResolvedDetection: Sendable {
    /// The definition.
    var definition: DetectionDefinition
    /// The candidate query.
    var sql: String
    /// The baseline query, when the detection has a baseline.
    var baselineSQL: String?
    /// Periods of history the baseline covers.
    var baselinePeriods: Int = 0
    /// Days of history.
    var baselineDays: Int = 0
    /// The smallest z-score kept.
    var minZScore: Double = 0
    /// The parameter values used, as shown.
    var parameters: [(name: String, value: String)]
    /// Why the detection does not run (a missing input), if it does not.
    var skipped: String?
}
