/// How urgent a finding is, from `info` (worth knowing) to `critical` (act now).
///
/// Ordered, so `--min-severity` style filters and sorting compare them directly.
public enum DetectionSeverity: String, Sendable, CaseIterable, Comparable {
    /// Worth knowing; no action expected.
    case info
    /// Probably benign; look when convenient.
    case low
    /// A posture problem or a likely-benign anomaly; look today.
    case medium
    /// Probably an attack or a leak in progress; look now.
    case high
    /// Certainly hostile; act now.
    case critical

    /// Position in the order above.
    var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    /// Less urgent first: `info < low < medium < high < critical`.
    public static func < (lhs: DetectionSeverity, rhs: DetectionSeverity) -> Bool { lhs.rank < rhs.rank }
}
