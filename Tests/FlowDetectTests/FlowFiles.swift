import FlowIngest
import FlowStore
import Foundation

/// Hand-written flow records, written as one plain log file (v2 fields plus tcp-flags) and
/// ingested into a fresh store.
struct FlowFiles {
    static let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status tcp-flags"
    private(set) var lines: [String] = []

    /// 2024-03-01 00:00 UTC.
    static let day1: Int64 = 1_709_251_200
    /// 2024-03-03 00:00 UTC: the day the tests' windows cover.
    static let day3: Int64 = day1 + 2 * 86_400

    /// Adds one flow record.
    mutating func add(_ src: String, _ dst: String, port: Int, at start: Int64, proto: Int = 6, packets: Int = 1, bytes: Int64 = 60,
                      duration: Int64 = 5, action: String = "ACCEPT", flags: Int? = nil, interface: String = "eni-0a", srcport: Int = 40_000) {
        let flagText = flags.map(String.init) ?? (proto == 6 ? (action == "REJECT" ? "2" : "27") : "-")
        lines.append("2 123456789012 \(interface) \(src) \(dst) \(srcport) \(port) \(proto) \(packets) \(bytes) \(start) \(start + duration) \(action) OK \(flagText)")
    }

    /// Adds a SKIPDATA record of `interface`.
    mutating func skip(_ interface: String, at start: Int64) {
        lines.append("2 123456789012 \(interface) - - - - - - - \(start) \(start + 299) - SKIPDATA -")
    }

    /// Writes the records under a new temporary folder and ingests them.
    func store() throws -> (store: FlowStore, folder: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-detect-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("logs/flows.log").path
        try ([Self.header] + lines).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        let store = FlowStore(url: folder.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [path])
        guard summary.rejected.isEmpty, summary.recordsStored == Int64(lines.count) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "ingest stored \(summary.recordsStored) of \(lines.count) records"])
        }
        return (store, folder)
    }
}
