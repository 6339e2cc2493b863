import Foundation
import Testing
@testable import FlowIngest
@testable import FlowStore

/// The Parquet fixtures (written by pyarrow, `scripts/make-parquet-fixtures.py`) beside their
/// text oracles (the same records written as a flow-log text file by the same script).
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("FlowParquetTests/Fixtures")

private let oracleNames: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
    return names.filter { $0.hasPrefix("flows-") && $0.hasSuffix(".parquet") }.sorted()
}()

/// Every stored row of `store`, all of `columns`, in stored order.
private func rows(_ store: FlowStore, _ columns: [String]) throws -> [String] {
    var rows: [String] = []
    for partition in try store.openCatalogForReading().partitions() {
        for row in try SegmentDump.rows(store: store, day: partition.day, columns: columns) {
            rows.append(partition.day.isoText + " " + row.joined(separator: " "))
        }
    }
    return rows
}

@Suite("Parquet ingest", .serialized)
struct ParquetIngestTests {
    @Test("a Parquet file stores exactly what its text twin stores", arguments: oracleNames)
    func sameAsText(name: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let parquet = fixtures.appendingPathComponent(name).path
        let text = fixtures.appendingPathComponent(name.replacingOccurrences(of: ".parquet", with: ".expected.log")).path
        let fromParquet = FlowStore(url: folder.url.appendingPathComponent("parquet"))
        let fromText = FlowStore(url: folder.url.appendingPathComponent("text"))
        let parquetSummary = try Ingestor(store: fromParquet).ingest(paths: [parquet])
        let textSummary = try Ingestor(store: fromText).ingest(paths: [text])
        if case .rejected(let reason) = textSummary.files[0].status {
            // A layout flowq cannot place (no time field, no delivery date): the same refusal.
            guard case .rejected(let parquetReason) = parquetSummary.files[0].status else { Issue.record("stored"); return }
            #expect(parquetReason == reason)
            return
        }
        #expect(parquetSummary.storedCount == 1)
        #expect(parquetSummary.recordsStored > 0)
        #expect(parquetSummary.recordsStored == textSummary.recordsStored)
        #expect(parquetSummary.linesSkipped == textSummary.linesSkipped)
        let header = try String(contentsOfFile: text, encoding: .utf8).prefix { $0 != "\n" }
        let columns = header.split(separator: " ").map { $0.replacingOccurrences(of: "-", with: "_") }
        #expect(try rows(fromParquet, columns) == rows(fromText, columns))
        #expect(try fromParquet.openCatalogForReading().layouts() == fromText.openCatalogForReading().layouts())
    }

    @Test("Parquet is recognised by content, whatever the name; an unsupported file is rejected with where and why")
    func byContentAndErrors() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let renamed = folder.path("delivery.bin")
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("flows-snappy-v2-dict.parquet").path, toPath: renamed)
        // In a dated folder, so its layout (no time field) is placed by the delivery date.
        let zstd = folder.path("2024/01/05/reject-zstd.parquet")
        try FileManager.default.createDirectory(atPath: folder.path("2024/01/05"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("reject-zstd.parquet").path, toPath: zstd)
        let truncated = folder.path("truncated.log.parquet")
        let bytes = try Data(contentsOf: fixtures.appendingPathComponent("flows-gzip-v1-plain.parquet"))
        try bytes.prefix(bytes.count - 9).write(to: URL(fileURLWithPath: truncated))
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [renamed, zstd, truncated])
        #expect(summary.storedCount == 1)
        let reasons = summary.files.compactMap { file -> String? in
            if case .rejected(let reason) = file.status { return reason }
            return nil
        }
        #expect(reasons.count == 2)
        #expect(reasons.contains { $0.contains("ZSTD") })
        #expect(reasons.contains { $0.contains("truncated.log.parquet") || $0.contains("PAR1") || $0.contains("footer") })
        #expect(try store.openCatalogForReading().partitions().reduce(0) { $0 + $1.rowCount } == summary.recordsStored)
    }

    @Test("a folder search finds .parquet files")
    func folderSearch() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let day = folder.path("AWSLogs/year=2023/month=11/day=14")
        try FileManager.default.createDirectory(atPath: day, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("flows-snappy-v1-dict.parquet").path, toPath: day + "/a.log.parquet")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [folder.path("AWSLogs")])
        #expect(summary.storedCount == 1)
        #expect(summary.recordsStored == 50)
    }
}
