import FlowModel
import Foundation
@testable import FlowIngest
@testable import FlowQuery
@testable import FlowSamples
@testable import FlowStore

/// One record as the test reads it from the text files, independently of flowq's parser:
/// field name -> text, with `-` as nil.
typealias TextRecord = [String: String?]

/// A generated multi-day corpus, ingested into a store, plus the same records read naively.
struct Fixture: Sendable {
    let store: FlowStore
    let records: [TextRecord]
    let folder: URL

    static let shared: Result<Fixture, any Error> = Result { try Fixture.make() }

    static func get() throws -> Fixture { try shared.get() }

    private static func make() throws -> Fixture {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-query-tests-\(UUID().uuidString)")
        var options = FlowLogGenerator.Options()
        options.records = 12_000
        options.days = 4
        options.layout = .mixed
        options.filesPerDay = 3
        options.compress = false
        options.seed = 2024
        let corpus = try FlowLogGenerator(options: options).write(to: folder.appendingPathComponent("logs"))
        let store = FlowStore(url: folder.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [folder.appendingPathComponent("logs").path])
        precondition(summary.rejected.isEmpty && summary.recordsStored == Int64(corpus.records), "fixture ingest failed")
        var records: [TextRecord] = []
        for path in corpus.files {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var lines = text.split(separator: "\n")
            let header = lines.removeFirst().split(separator: " ").map { $0.replacingOccurrences(of: "-", with: "_") }
            for line in lines {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                var record: TextRecord = [:]
                for (name, value) in zip(header, fields) { record[name] = value == "-" ? nil : String(value) }
                // The key gives the region when the layout has none, as flowq does.
                if record["region"] == nil { record["region"] = "us-east-1" }
                records.append(record)
            }
        }
        return Fixture(store: store, records: records, folder: folder)
    }

    /// Runs `sql` and returns the rows as text (NULL as nil), in order.
    func query(_ sql: String, now: Date = Date()) async throws -> [[String?]] {
        let plan = try QueryEngine(store: store).plan(sql, now: now)
        let rows = try await QueryExecutor(store: store).collect(plan)
        return rows.map { row in zip(row, plan.columns).map { ValueText.plain($0, type: $1.type) } }
    }

    /// The UTC day of a record's start.
    static func day(_ record: TextRecord) -> String {
        PartitionDay(unixSeconds: Int64(record["start"]!! ) ?? 0).isoText
    }
}

extension TextRecord {
    /// The field's text, nil when absent or `-`.
    func text(_ name: String) -> String? { self[name] ?? nil }
    /// The field as an integer.
    func int(_ name: String) -> Int64? { text(name).flatMap { Int64($0) } }
}
