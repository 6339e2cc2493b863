import FlowReports

/// A detection: a flowq query over `vpc_flow_logs` that returns candidate rows, the typed
/// thresholds it uses, and what each row becomes as a ``Finding``.
///
/// Built-in detections and users' rule files are the same thing: ``BuiltInDetections`` holds
/// YAML text that ``DetectionFile`` reads exactly as it reads a file from `--rules DIR`.
///
/// A row becomes a finding by its column names: `srcaddr`, `dstaddr`, `dstport`,
/// `interface_id`, `first_seen` and `last_seen` (Unix seconds), `flows` (or `count`) and
/// `bytes` fill those fields; every other column goes into the finding's evidence (or only
/// those named by ``evidence``).
public struct DetectionDefinition: Sendable, Equatable {
    /// The name it is run by (`port-scan`, or a rule file's name without extension).
    public var id: String
    /// A finding's title.
    public var title: String
    /// What it detects and how, in a sentence or three.
    public var summary: String
    /// How urgent its findings are.
    public var severity: DetectionSeverity
    /// MITRE ATT&CK technique ids (`T1046`).
    public var techniques: [String]
    /// The thresholds and inputs the query uses.
    public var parameters: [DetectionParameter]
    /// flowq SQL with `{window}`, `{baseline_window}`, `{window_start}`, `{window_end}` and
    /// `{parameter}` placeholders.
    public var sql: String
    /// A comparison of each row against the same key's own history; nil for none.
    public var baseline: DetectionBaseline?
    /// The columns kept as evidence; empty keeps every column that is not a finding field.
    public var evidence: [String]
    /// Where it was defined, for error messages (`built-in detection 'port-scan'`, a path).
    public var origin: String

    /// A detection.
    public init(id: String, title: String, summary: String = "", severity: DetectionSeverity, techniques: [String] = [],
                parameters: [DetectionParameter] = [], sql: String, baseline: DetectionBaseline? = nil,
                evidence: [String] = [], origin: String? = nil) {
        self.id = id
        self.title = title
        self.summary = summary
        self.severity = severity
        self.techniques = techniques
        self.parameters = parameters
        self.sql = sql
        self.baseline = baseline
        self.evidence = evidence
        self.origin = origin ?? "built-in detection '\(id)'"
    }
}
