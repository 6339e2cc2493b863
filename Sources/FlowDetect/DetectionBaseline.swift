/// How a detection compares each candidate row with its key's own history in the store.
///
/// The baseline query runs over `{baseline_window}` (the `days` before the window) and returns
/// one row per key and period (hour or day) with the key columns and `value`. Periods missing
/// from its answer count as 0; the periods counted run from the baseline days' start, or from
/// the store's first record when that is later, to the window's start. For each key the mean and standard deviation over all periods
/// give the candidate's z-score, `(x - mean) / max(stddev, 1, mean / 10)` (the floor keeps a
/// key with a flat history from turning a small rise into a huge score), and rows below
/// `min_zscore` are dropped. A key never seen before has mean 0: only the row's own minimum
/// (in its SQL) holds it back, and its `zscore` evidence is null. The evidence also says how
/// many periods the key had values in (`history_periods`) and how many were counted
/// (`baseline_periods`). When the store has no records in the baseline days at all, the
/// detection is skipped with a note rather than calling everything new.
public struct DetectionBaseline: Sendable, Equatable {
    /// The length of a period.
    public enum Period: String, Sendable, CaseIterable {
        /// One hour: the baseline query groups by `floor(start / 3600)`.
        case hour
        /// One UTC day: the baseline query groups by `date`.
        case day

        /// Periods in a day.
        var perDay: Int { self == .hour ? 24 : 1 }
    }

    /// flowq SQL over `{baseline_window}` returning the key columns and `value`, one row per key and period.
    public var sql: String
    /// The columns that name a key in both queries (`srcaddr`).
    public var key: [String]
    /// The candidate query's column compared with the baseline (`bytes`).
    public var compare: String
    /// The period of one baseline row.
    public var period: Period
    /// Days of history: a number or `{parameter}`.
    public var days: String
    /// The smallest z-score kept: a number or `{parameter}`.
    public var minZScore: String

    /// A baseline.
    public init(sql: String, key: [String], compare: String, period: Period, days: String, minZScore: String) {
        self.sql = sql
        self.key = key
        self.compare = compare
        self.period = period
        self.days = days
        self.minZScore = minZScore
    }
}
