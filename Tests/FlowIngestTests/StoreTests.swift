import FlowModel
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowStore

/// Rows of every partition, as (day, text of selected columns), read straight from the segments.
private func storedRows(_ store: FlowStore, _ columns: String = "srcport, dstport, bytes") throws -> [String] {
    var rows: [String] = []
    let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    for partition in try store.openCatalogForReading().partitions() {
        for row in try SegmentDump.rows(store: store, day: partition.day, columns: names) {
            rows.append(partition.day.isoText + " " + row.joined(separator: " "))
        }
    }
    return rows
}

private func line(_ srcport: Int, start: Int64 = 1_704_412_800, bytes: Int = 100) -> String {
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 \(srcport) 443 6 1 \(bytes) \(start) \(start + 60) ACCEPT OK"
}

@Suite("The partitioned store", .serialized)
struct StoreTests {
    @Test("records go to the UTC day of their start, whatever folder the file is in")
    func partitionLayout() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // 2024-01-04 23:59:30 and 2024-01-05 00:00:00, in a file delivered on the 5th.
        let path = try folder.writeGzip("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05/a.log.gz",
                                        members: [defaultHeader + "\n" + line(1, start: 1_704_412_770) + "\n" + line(2) + "\n"])
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [path])
        #expect(summary.recordsStored == 2)
        #expect(try storedRows(store) == ["2024-01-04 1 443 100", "2024-01-05 2 443 100"])
        let partitions = try store.openCatalogForReading().partitions()
        #expect(partitions.map(\.day.isoText) == ["2024-01-04", "2024-01-05"])
        #expect(partitions[0].startRange == 1_704_412_770...1_704_412_770)
        #expect(FileManager.default.fileExists(atPath: store.partitionPath(for: partitions[1].day)))
        // Each day holds one segment of the file's records, with zone maps for its columns.
        let reader = try PartitionReader(path: store.partitionPath(for: partitions[1].day))
        let segments = try reader.segments(watermark: .max, unfinished: [])
        #expect(segments.map(\.rows) == [1])
        let start = try #require(reader.columns["start"]?.id)
        #expect(segments[0].zones[start]?.minimum == 1_704_412_800)
    }

    @Test("records of two days alternating line by line land in their days, in file order, with exact statistics")
    func alternatingDays() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // 20,000 lines (several batches) alternating between 2024-01-04 and 2024-01-05: the two
        // days belong to different writer lanes.
        var text = defaultHeader + "\n"
        for i in 0..<20_000 { text += line(i % 60_000, start: i % 2 == 0 ? 1_704_412_770 - Int64(i) : 1_704_412_800 + Int64(i), bytes: i) + "\n" }
        let path = try folder.writeGzip("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05/a.log.gz", members: [text])
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(recordsPerCommit: 3_000)).ingest(paths: [path])
        #expect(summary.recordsStored == 20_000)
        #expect(summary.files.first?.days.map(\.isoText) == ["2024-01-04", "2024-01-05"])
        let rows = try storedRows(store, "bytes")
        #expect(rows == (0..<20_000).filter { $0 % 2 == 0 }.map { "2024-01-04 \($0)" } + (0..<20_000).filter { $0 % 2 == 1 }.map { "2024-01-05 \($0)" })
        let partitions = try store.openCatalogForReading().partitions()
        #expect(partitions.map(\.rowCount) == [10_000, 10_000])
        let firstDay: ClosedRange<Int64> = (1_704_412_770 - 19_998)...1_704_412_770
        let secondDay: ClosedRange<Int64> = (1_704_412_800 + 1)...(1_704_412_800 + 19_999)
        #expect(partitions.first?.startRange == firstDay)
        #expect(partitions.last?.startRange == secondDay)
    }

    @Test("files are dealt to the readers by the day their path names, alternate days apart")
    func spreadByPathDay() {
        #expect(IngestRun.pathDay("/x/AWSLogs/1/vpcflowlogs/us-east-1/2024/01/05/a.log.gz")?.isoText == "2024-01-05")
        #expect(IngestRun.pathDay("/x/AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=r/year=2024/month=02/day=29/hour=03/a.gz")?.isoText == "2024-02-29")
        #expect(IngestRun.pathDay("/tmp/logs/a.log") == nil)
        let files = ["/a/2024/01/01/x", "/a/2024/01/01/y", "/a/2024/01/02/x", "/a/2024/01/03/x", "/b/plain.log"]
        let lists = IngestRun.spread(files, over: 2)
        #expect(Set(lists[0]).isDisjoint(with: Set(lists[1])))
        #expect(lists.flatMap { $0 }.sorted() == Array(files.indices))
        #expect(lists.first(where: { $0.contains(0) }) == lists.first(where: { $0.contains(1) }))   // same day, same reader
        #expect(lists.first(where: { $0.contains(0) })?.contains(2) == false)                        // next day, the other
        #expect(lists.first(where: { $0.contains(0) })?.contains(3) == true)
    }

    @Test("region comes from the key when the layout has none")
    func regionFromKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.writeGzip("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05/a.log.gz",
                                        members: [defaultHeader + "\n" + line(1) + "\n"])
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        _ = try Ingestor(store: store).ingest(paths: [path])
        #expect(try storedRows(store, "account_id, region") == ["2024-01-05 123456789012 eu-west-1"])
        // Repeated text is stored once per partition, as a number in the segment.
        let reader = try PartitionReader(path: store.partitionPath(for: PartitionDay("2024-01-05")!))
        #expect(reader.columns["account_id"]?.kind == .text && reader.columns["interface_id"]?.kind == .text)
        #expect(try reader.word(1) != nil)
    }

    @Test("the same content twice, at the same path or a copy, adds nothing")
    func idempotent() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let text = defaultHeader + "\n" + line(1) + "\n" + line(2) + "\n"
        let first = try folder.writeGzip("a/one.log.gz", members: [text])
        let copy = try folder.writeGzip("b/copy.log.gz", members: [text])
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary1 = try Ingestor(store: store).ingest(paths: [first])
        #expect(summary1.storedCount == 1)
        let summary2 = try Ingestor(store: store).ingest(paths: [first, copy])
        #expect(summary2.storedCount == 0)
        #expect(summary2.alreadyPresentCount == 2)
        #expect(summary2.files[1].status == .alreadyPresent(storedAs: first))
        #expect(try storedRows(store).count == 2)
        #expect(try store.openCatalogForReading().partitions().first?.rowCount == 2)
    }

    @Test("a file that fails part-way stores nothing; the rest of the run goes on")
    func atomicFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let good = try folder.writeGzip("good.log.gz", members: [defaultHeader + "\n" + line(1) + "\n"])
        let big = defaultHeader + "\n" + (0..<20_000).map { line($0 % 60_000, bytes: $0) }.joined(separator: "\n")
        let full = try folder.writeGzip("full.log.gz", members: [big])
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        let truncated = folder.path("truncated.log.gz")
        try data.prefix(data.count * 3 / 4).write(to: URL(fileURLWithPath: truncated))
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [truncated, good])
        #expect(summary.rejected.map(\.path) == [truncated])
        guard case .rejected(let reason) = summary.rejected.first?.status else { Issue.record("not rejected"); return }
        #expect(reason.contains("gzip stream ends early"))
        #expect(summary.storedCount == 1)
        #expect(try storedRows(store) == ["2024-01-05 1 443 100"])
        #expect(try store.openCatalogForReading().partitions().first?.rowCount == 1)
    }

    @Test("a file dropped after some of its rows were committed leaves no row behind", arguments: [1, 2_000])
    func droppedAfterCommit(recordsPerCommit: Int64) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Small commit groups: groups commit while the big file is still being read, so some of
        // its rows are committed before it turns out truncated; a copy of a good file is dropped too.
        var paths: [String] = []
        for i in 1...6 { paths.append(try folder.writeGzip("good\(i).log.gz", members: [defaultHeader + "\n" + line(i) + "\n"])) }
        let big = defaultHeader + "\n" + (0..<40_000).map { line(100 + $0 % 50_000, bytes: $0) }.joined(separator: "\n")
        let full = try folder.writeGzip("full.log.gz", members: [big])
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        let truncated = folder.path("truncated.log.gz")
        try data.prefix(data.count * 9 / 10).write(to: URL(fileURLWithPath: truncated))
        try FileManager.default.removeItem(atPath: full)
        let copy = folder.path("copy-of-good1.log.gz")
        try FileManager.default.copyItem(atPath: paths[0], toPath: copy)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(recordsPerCommit: recordsPerCommit))
            .ingest(paths: [paths[0], paths[1], truncated, paths[2], copy, paths[3], paths[4], paths[5]])
        #expect(summary.storedCount == 6)
        #expect(summary.rejected.map(\.path) == [truncated])
        #expect(summary.alreadyPresentCount == 1)
        // The partition holds exactly the six good rows: nothing of the truncated file or the copy.
        #expect(try storedRows(store).sorted() == (1...6).map { "2024-01-05 \($0) 443 100" })
        #expect(try store.openCatalogForReading().partitions().map(\.rowCount) == [6])
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    @Test("malformed lines are skipped and counted with file:line; --strict rejects the file")
    func malformedLines() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("mixed.log", defaultHeader + "\n" + line(1) + "\nnot a record\n" + line(2) + "\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [path])
        #expect(summary.recordsStored == 2)
        #expect(summary.linesSkipped == 1)
        #expect(summary.files[0].lineErrors == ["\(path):3: expected 14 fields as the header says, found 3"])

        let strictStore = FlowStore(url: folder.url.appendingPathComponent("strict"))
        let strict = try Ingestor(store: strictStore, options: IngestOptions(strict: true)).ingest(paths: [path])
        #expect(strict.rejected.count == 1)
        #expect(try strictStore.openCatalogForReading().partitions().isEmpty)
    }

    @Test("files without a usable header are rejected with the reason")
    func layouts() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let empty = try folder.write("empty.log", "")
        let headless = try folder.write("headless.log", line(1) + "\n")
        let headerOnly = try folder.write("header-only.log", defaultHeader + "\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [empty, headless, headerOnly])
        let reasons = summary.files.map { file -> String in
            if case .rejected(let reason) = file.status { return reason }
            return "stored"
        }
        #expect(reasons[0].contains("the file is empty"))
        #expect(reasons[1].contains("no header line"))
        #expect(reasons[2] == "stored")
    }

    @Test("rows of an ingest killed before it finished are removed by the next one")
    func recovery() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let path = try folder.write("a.log", defaultHeader + "\n" + line(1) + "\n")
        _ = try Ingestor(store: store).ingest(paths: [path])
        // Simulate a kill after a partition commit: a pending file whose rows are in a partition.
        let catalog = try store.openCatalogForWriting()
        let pending = try catalog.beginFile(path: "/killed.log", size: 1, modified: 1)
        let killed = try folder.write("killed.log", defaultHeader + "\n" + line(9) + "\n")
        var reader = FlowFileReader(path: killed, displayPath: killed, maximumLineLength: LineReader.defaultMaximumLineLength, lineErrorsReported: 5)
        reader.fileID = pending
        let writer = try PartitionWriter(store: store, partition: PartitionKey(table: .vpc, day: PartitionDay("2024-01-05")!))
        var failure: (any Error)? = nil
        reader.run { message in
            if case .segment(let segment) = message {
                do { try writer.write(segment) } catch { failure = error }
            }
            return true
        }
        #expect(failure == nil)
        try writer.commit()
        #expect(try storedRows(store).count == 2)
        let snapshot = try store.openCatalogForReading().snapshot()
        #expect(snapshot.fileWatermark < pending) // queries never see the pending file's rows
        let summary = try Ingestor(store: store).ingest(paths: [path])
        #expect(summary.recoveredFiles == ["/killed.log"])
        #expect(try storedRows(store) == ["2024-01-05 1 443 100"])
    }

    @Test("two writers are kept apart by the lock")
    func lock() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        try store.createIfNeeded()
        // flock locks belong to the open file, so a second open in this process conflicts too.
        let first = try FileLock(path: store.lockPath, purpose: "ingest")
        #expect(throws: StoreError.self) { _ = try Ingestor(store: store) }
        withExtendedLifetime(first) {}
    }
}
