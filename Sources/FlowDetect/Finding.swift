import FlowSQLite

/// One thing a detection found: who, to whom, when, how much, and the numbers that crossed
/// its threshold.
public struct Finding: Sendable, Equatable {
    /// Whether a finding is reported for the first time or again, when state is kept.
    public enum Status: String, Sendable {
        /// Not reported before (always, without `--state`).
        case new
        /// Reported before, and seen again after its last report (a scan that goes on).
        case continued
    }

    /// The detection's id (`port-scan`).
    public var detection: String
    /// The detection's title.
    public var title: String
    /// How urgent it is.
    public var severity: DetectionSeverity
    /// MITRE ATT&CK technique ids.
    public var techniques: [String]
    /// The source address, if the finding has one.
    public var srcaddr: String?
    /// The destination address, if the finding has one.
    public var dstaddr: String?
    /// The destination port, if the finding has one.
    public var dstport: Int64?
    /// The network interface the records were logged on, if one.
    public var interfaceID: String?
    /// Who owned the source address at `firstSeen` (`instance i-...`), when the store's
    /// inventory knows.
    public var srcOwner: String?
    /// Who owned the destination address at `firstSeen`, when the store's inventory knows.
    public var dstOwner: String?
    /// The first record's `start` (Unix seconds).
    public var firstSeen: Int64
    /// The last record's `end` (Unix seconds).
    public var lastSeen: Int64
    /// Flow records behind the finding.
    public var count: Int64
    /// Bytes behind the finding.
    public var bytes: Int64
    /// The numbers that crossed the threshold, in the query's column order.
    public var evidence: [Evidence]
    /// A few of the flow records behind the finding, as lines
    /// (`2024-01-03T03:10:01Z 203.0.113.66:40001 -> 10.117.1.35:1 tcp REJECT 44 bytes`);
    /// empty unless asked for.
    public var sampleFlows: [String] = []
    /// New or continued.
    public var status: Status = .new

    /// One named number (or text) of a finding's evidence.
    public struct Evidence: Sendable, Equatable {
        /// The column's name (`ports`, `zscore`).
        public var name: String
        /// Its value.
        public var value: SQLiteValue

        /// An evidence item.
        public init(name: String, value: SQLiteValue) {
            self.name = name
            self.value = value
        }
    }

    /// A finding.
    public init(detection: String, title: String, severity: DetectionSeverity, techniques: [String] = [],
                srcaddr: String? = nil, dstaddr: String? = nil, dstport: Int64? = nil, interfaceID: String? = nil,
                firstSeen: Int64, lastSeen: Int64, count: Int64 = 0, bytes: Int64 = 0, evidence: [Evidence] = []) {
        self.detection = detection
        self.title = title
        self.severity = severity
        self.techniques = techniques
        self.srcaddr = srcaddr
        self.dstaddr = dstaddr
        self.dstport = dstport
        self.interfaceID = interfaceID
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.bytes = bytes
        self.evidence = evidence
    }

    /// What makes two findings the same one across windows and runs: the detection and the
    /// addresses, port and interface (never the times).
    public var key: Key {
        Key(detection: detection, srcaddr: srcaddr ?? "", dstaddr: dstaddr ?? "", dstport: dstport ?? -1, interfaceID: interfaceID ?? "")
    }

    /// A finding's identity; empty text and -1 stand for NULL.
    public struct Key: Sendable, Hashable {
        /// The detection's id.
        public var detection: String
        /// The source address, or empty.
        public var srcaddr: String
        /// The destination address, or empty.
        public var dstaddr: String
        /// The destination port, or -1.
        public var dstport: Int64
        /// The interface, or empty.
        public var interfaceID: String
    }

    /// The value of evidence item `name`, if the finding has it.
    public func evidence(_ name: String) -> SQLiteValue? {
        evidence.first { $0.name == name }?.value
    }

    /// `other` folded into this finding: times widened, counts and bytes added, the evidence
    /// of the stronger (more flows) kept, and `windows` counting the windows merged.
    mutating func merge(_ other: Finding) {
        let windows = (evidence("windows")?.integerValue ?? 1) + (other.evidence("windows")?.integerValue ?? 1)
        if other.count > count { evidence = other.evidence }
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
        count += other.count
        bytes += other.bytes
        evidence.removeAll { $0.name == "windows" }
        evidence.append(Evidence(name: "windows", value: .integer(windows)))
    }
}
