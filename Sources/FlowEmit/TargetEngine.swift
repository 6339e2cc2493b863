
/// An engine flowq's queries can be written for, when the logs outgrow one machine.
public enum TargetEngine: String, Sendable, CaseIterable {
    /// Amazon Athena (Trino SQL), over the table `flowq ddl --engine athena` creates.
    case athena
    /// Apache Spark SQL 3.5/4.x, over the table `flowq ddl --engine spark` creates.
    case spark

    /// An identifier quoted for this engine.
    func quoted(_ name: String) -> String {
        switch self {
        case .athena: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        case .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        }
    }

    /// A string literal for this engine (Spark SQL reads backslash escapes inside strings).
    func literal(_ text: String) -> String {
        switch self {
        case .athena: return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .spark: return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
    }

    /// The name people know it by, for messages.
    var displayName: String { self == .athena ? "Athena/Trino" : "Spark SQL" }
}
