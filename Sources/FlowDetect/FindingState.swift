import FlowSQLite
import FlowStore
import Foundation

/// The findings already reported, kept in `<store>/detections.db` for `flowq detect --state`.
///
/// A finding is reported when its key (detection, addresses, port, interface) was never
/// reported, or when it was seen again after its last report (a scan that goes on: its
/// `last_seen` moved past the stored one); otherwise it is suppressed. Reported findings are
/// written back in one transaction, so two runs at once cannot both report the same finding.
public final class FindingState {
    /// The state file's path.
    public let path: String
    private let database: Database

    /// The state file's name inside the store folder.
    public static let fileName = "detections.db"

    /// Opens (creating when missing) the state file of `store`.
    public init(store: FlowStore) throws(DetectionError) {
        path = store.url.appendingPathComponent(Self.fileName).path
        do {
            database = try Database(path: path)
            try database.execute("""
                CREATE TABLE IF NOT EXISTS reported_findings (
                    detection TEXT NOT NULL, srcaddr TEXT NOT NULL, dstaddr TEXT NOT NULL,
                    dstport INTEGER NOT NULL, interface_id TEXT NOT NULL,
                    first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
                    reported_at INTEGER NOT NULL, reports INTEGER NOT NULL,
                    PRIMARY KEY (detection, srcaddr, dstaddr, dstport, interface_id)
                ) WITHOUT ROWID
                """)
        } catch {
            throw DetectionError(.execution, "cannot open the detection state \(path): \(error.localizedDescription)")
        }
    }

    /// The findings to report now (each marked new or continued), recording them as reported at `now`.
    public func reconcile(_ findings: [Finding], now: Date = Date()) throws(DetectionError) -> [Finding] {
        do {
            return try database.transaction { () throws -> [Finding] in
                var report: [Finding] = []
                for var finding in findings {
                    let key = finding.key
                    let keyValues: [SQLiteValue] = [.text(key.detection), .text(key.srcaddr), .text(key.dstaddr), .integer(key.dstport), .text(key.interfaceID)]
                    let stored = try database.rows("""
                        SELECT first_seen, last_seen FROM reported_findings
                        WHERE detection = ? AND srcaddr = ? AND dstaddr = ? AND dstport = ? AND interface_id = ?
                        """, keyValues)
                    if let row = stored.first {
                        guard finding.lastSeen > (row[1].integerValue ?? .max) else { continue }
                        finding.status = .continued
                        try database.run("""
                            UPDATE reported_findings SET last_seen = ?, reported_at = ?, reports = reports + 1, first_seen = min(first_seen, ?)
                            WHERE detection = ? AND srcaddr = ? AND dstaddr = ? AND dstport = ? AND interface_id = ?
                            """, [.integer(finding.lastSeen), .integer(Int64(now.timeIntervalSince1970)), .integer(finding.firstSeen)] + keyValues)
                    } else {
                        finding.status = .new
                        try database.run("""
                            INSERT INTO reported_findings (detection, srcaddr, dstaddr, dstport, interface_id, first_seen, last_seen, reported_at, reports)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                            """, keyValues + [.integer(finding.firstSeen), .integer(finding.lastSeen), .integer(Int64(now.timeIntervalSince1970))])
                    }
                    report.append(finding)
                }
                return report
            }
        } catch {
            throw DetectionError(.execution, "cannot update the detection state \(path): \(error.localizedDescription)")
        }
    }
}

@available(*, unavailable)
extension FindingState: Sendable {}
