import FlowModel
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
    // `ingest-` fixtures hold values a text line cannot (the Parquet reader's own oracle skips them).
    return names.filter { ($0.hasPrefix("flows-") || $0.hasPrefix("ingest-")) && $0.hasSuffix(".parquet") }.sorted()
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

    @Test("a bad value skips its row with the column, the line (row + 1) and the reason; NULLs and milliseconds as in text")
    func badValues() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = fixtures.appendingPathComponent("ingest-bad-values.parquet").path
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        var options = IngestOptions()
        options.lineErrorsReported = 20
        let summary = try Ingestor(store: store, options: options).ingest(paths: [path])
        #expect(summary.storedCount == 1)
        #expect(summary.recordsStored == 6)
        #expect(summary.linesSkipped == 8)
        let errors = summary.files[0].lineErrors
        #expect(errors.contains("\(path):3: interface_id has a blank at character 6, which no text field can hold"))
        #expect(errors.contains("\(path):4: interface_id has control or non-ASCII byte 0xc3 at character 5"))
        #expect(errors.contains("\(path):5: dstport is '70000', expected an integer in 0...65535"))
        #expect(errors.contains("\(path):6: start is '-5', expected Unix seconds"))
        #expect(errors.contains("\(path):7: start is '-': the record cannot be placed in a day partition"))
        #expect(errors.contains("\(path):8: srcaddr is '999.1.1.1', expected an IPv4 or IPv6 address"))
        #expect(errors.contains("\(path):9: action is 'MAYBE', expected ACCEPT or REJECT"))
        #expect(errors.contains("\(path):13: account_id has a blank at character 3, which no text field can hold"))
        // The empty string and "-" are NULL; a start in milliseconds is stored in seconds.
        let rows = try SegmentDump.rows(store: store, day: PartitionDay("2024-01-01")!, columns: ["interface_id", "start"])
        #expect(rows.filter { $0[0] == "NULL" }.count == 2)
        #expect(rows.contains { $0[1] == "1704067200" })
    }

    @Test("a Parquet file's content is its bytes: a copy under another name is recognised, its text twin is another file")
    func contentKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let original = fixtures.appendingPathComponent("flows-gzip-v2-dict.parquet").path
        let copy = folder.path("copy.bin")
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let first = try Ingestor(store: store).ingest(paths: [original])
        #expect(first.storedCount == 1)
        let again = try Ingestor(store: store).ingest(paths: [copy])
        #expect(again.storedCount == 0)
        #expect(again.recordsStored == 0)
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
