import FlowModel
import FlowSQLite
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowSamples
@testable import FlowStore

private func record(_ srcport: Int, start: Int64 = 1_704_412_800) -> String {
    "2 123456789012 eni-1 10.0.0.1 10.0.0.2 \(srcport) 443 6 1 100 \(start) \(start + 60) ACCEPT OK"
}

/// Rows of stored files in the store, counted straight from the partitions.
private func storedRowCount(_ store: FlowStore) throws -> Int64 {
    let snapshot = try store.snapshot()
    var total: Int64 = 0
    for partition in snapshot.partitions {
        let database = try Database(path: store.partitionPath(for: partition.day), mode: .readOnly)
        total += try database.scalar("SELECT coalesce(sum(rows), 0) FROM segments WHERE file_id <= ?", [.integer(snapshot.fileWatermark)])?.integerValue ?? 0
    }
    return total
}

/// Inputs, catalogs and prunes in the states a kill, a mount or a hostile tree leave (issue 11).
@Suite("The store after kills, links and odd trees", .serialized)
struct StoreRecoveryTests {
    // MARK: 4 and 16. What the paths name

    @Test("a link to a folder is followed, links inside the tree too, and a loop is read once")
    func symbolicLinks() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("real/2024/01/05/a.log", defaultHeader + "\n" + record(1) + "\n")
        try folder.write("elsewhere/b.log", defaultHeader + "\n" + record(2) + "\n")
        try FileManager.default.createSymbolicLink(atPath: folder.path("AWSLogs"), withDestinationPath: folder.path("real"))
        try FileManager.default.createSymbolicLink(atPath: folder.path("real/2024/more"), withDestinationPath: folder.path("elsewhere"))
        try FileManager.default.createSymbolicLink(atPath: folder.path("real/2024/01/loop"), withDestinationPath: folder.path("real"))
        let expansion = try InputFiles.expand([folder.path("AWSLogs")])
        #expect(expansion.problems.isEmpty, "\(expansion.problems)")
        #expect(expansion.files.map { ($0 as NSString).lastPathComponent }.sorted() == ["a.log", "b.log"])
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [folder.path("AWSLogs")])
        #expect(summary.recordsStored == 2)
        #expect(summary.rejected.isEmpty)
    }

    @Test("a FIFO named like a log and a broken link are named and not read; the rest is")
    func notRegularFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("logs/good.log", defaultHeader + "\n" + record(1) + "\n")
        #expect(mkfifo(folder.path("logs/pipe.log.gz"), 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: folder.path("logs/gone.log"), withDestinationPath: folder.path("nowhere.log"))
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        // Nobody writes to the FIFO: reading it would block for ever.
        let summary = try Ingestor(store: store).ingest(paths: [folder.path("logs")])
        #expect(summary.recordsStored == 1)
        let reasons = Dictionary(uniqueKeysWithValues: summary.rejected.map { outcome -> (String, String) in
            guard case .rejected(let reason) = outcome.status else { return ("", "") }
            return ((outcome.path as NSString).lastPathComponent, reason)
        })
        #expect(reasons["pipe.log.gz"]?.contains("a FIFO (named pipe), not a regular file") == true)
        #expect(reasons["gone.log"]?.contains("broken symbolic link") == true)
        // Named on the command line, a FIFO is refused the same way, without hanging.
        let direct = try Ingestor(store: store).ingest(paths: [folder.path("logs/pipe.log.gz")])
        #expect(direct.rejected.count == 1)
    }

    // MARK: 22. A half-made catalog

    @Test("a catalog left without tables by a kill says what happened, and the next ingest finishes it")
    func halfMadeCatalog() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        try store.createIfNeeded()
        // What a kill right after the catalog file was created left behind.
        try Database(path: store.catalogPath).execute("PRAGMA journal_mode=WAL")
        #expect(throws: StoreError.self) { _ = try store.openCatalogForReading() }
        do {
            _ = try store.openCatalogForReading()
        } catch {
            #expect(error.localizedDescription.contains("was never finished"))
            #expect(error.localizedDescription.contains("run `flowq ingest` again"))
        }
        let path = try folder.write("a.log", defaultHeader + "\n" + record(1) + "\n")
        #expect(try Ingestor(store: store).ingest(paths: [path]).recordsStored == 1)
        #expect(try store.openCatalogForReading().partitions().count == 1)
    }

    @Test("a new catalog is made whole beside the store and renamed in: a kill mid-way leaves no store, never a hot journal")
    func catalogCreatedWhole() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        try store.createIfNeeded()
        // What a kill inside the creation leaves: the unfinished file and its rollback journal.
        try "half".write(toFile: store.catalogPath + ".new", atomically: false, encoding: .utf8)
        try "journal".write(toFile: store.catalogPath + ".new-journal", atomically: false, encoding: .utf8)
        #expect(!store.exists)
        #expect(throws: StoreError.self) { _ = try store.openCatalogForReading() }
        let path = try folder.write("a.log", defaultHeader + "\n" + record(1) + "\n")
        #expect(try Ingestor(store: store).ingest(paths: [path]).recordsStored == 1)
        // The leftovers are gone, the catalog reads as it is (no journal to roll back).
        let names = try FileManager.default.contentsOfDirectory(atPath: store.url.path)
        #expect(!names.contains { $0.hasPrefix("catalog.db.new") || $0.hasSuffix("-journal") })
        #expect(try store.openCatalogForReading().partitions().count == 1)
    }

    // MARK: 23. Rejections remembered, times to the nanosecond

    @Test("a rejected file is not read again until it changes; a rewrite within the same second is a change")
    func rememberedRejection() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let path = try folder.write("bad.log", "this is not a flow log\n")
        let first = try Ingestor(store: store).ingest(paths: [path])
        #expect(first.rejected.count == 1)
        let second = try Ingestor(store: store).ingest(paths: [path])
        #expect(second.rejected.isEmpty)
        #expect(second.stillRejected.count == 1)
        // Same size and time to the nanosecond: trusted without reading.
        var info = stat()
        #expect(stat(path, &info) == 0)
        let fixed = String(repeating: "x", count: Int(info.st_size) - 1) + "\n"
        try fixed.write(toFile: path, atomically: false, encoding: .utf8)
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        #expect(try Ingestor(store: store).ingest(paths: [path]).stillRejected.count == 1)
        // Now a valid file of the same size, written in the same second, one nanosecond later.
        let body = defaultHeader + "\n" + record(1) + "\n"
        try body.write(toFile: path, atomically: false, encoding: .utf8)
        times[1].tv_nsec = (times[1].tv_nsec + 1) % 1_000_000_000
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let changed = try Ingestor(store: store).ingest(paths: [path])
        #expect(changed.recordsStored == 1, "\(changed.files)")
    }

    @Test("an unreadable file is read again next time: its rejection is not remembered")
    func transientRejection() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let path = try folder.write("a.log", defaultHeader + "\n" + record(1) + "\n")
        let catalog = try store.openCatalogForWriting()
        var info = stat()
        #expect(stat(path, &info) == 0)
        let id = try catalog.beginFile(path: path, size: Int64(info.st_size), modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
        try catalog.rejectFile(id: id, contentKey: nil, message: "cannot read: Input/output error", transient: true)
        #expect(try Ingestor(store: store).ingest(paths: [path]).recordsStored == 1)
    }

    @Test("a file spanning many days in random order lands every record in its day")
    func manyDays() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var generator = SplitMix64(seed: 7)
        var text = defaultHeader + "\n"
        var perDay: [String: Int] = [:]
        for index in 0..<6000 {
            let start = 1_704_067_200 + Int64(generator.next() % (400 * 86_400))
            perDay[PartitionDay(unixSeconds: start).isoText, default: 0] += 1
            text += record(index % 60_000, start: start) + "\n"
        }
        let path = try folder.write("many.log", text)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        #expect(try Ingestor(store: store).ingest(paths: [path]).recordsStored == 6000)
        let partitions = try store.openCatalogForReading().partitions()
        #expect(Dictionary(uniqueKeysWithValues: partitions.map { ($0.day.isoText, Int($0.rowCount)) }) == perDay)
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    // MARK: 2. Headers too wide for columns

    @Test("unknown fields get columns of their own, however many: a segment has no column limit")
    func manyUnknownFields() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let extra = (0..<300).map { "new-field-\($0)" }
        let header = defaultHeader + " " + extra.joined(separator: " ")
        let values = (0..<300).map { "v\($0)\($0 == 3 ? "\"q" : "")" }
        let path = try folder.write("wide.log", header + "\n" + record(1) + " " + values.joined(separator: " ") + "\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        #expect(try Ingestor(store: store).ingest(paths: [path]).recordsStored == 1)
        let day = try store.openCatalogForReading().partitions()[0]
        #expect(day.columns.contains("new_field_0"))
        #expect(day.columns.contains("new_field_299"))
        let row = try SegmentDump.rows(store: store, day: day.day, columns: ["new_field_0", "new_field_3", "new_field_299"])[0]
        #expect(row == ["v0", "v3\"q", "v299"])
    }

    // MARK: 7. Prune, interrupted

    @Test("a prune killed after the catalog step: check notes it, and the next ingest deletes the files before a late file arrives")
    func interruptedPrune() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let first = try folder.write("a.log", defaultHeader + "\n" + record(1) + "\n" + record(2) + "\n")
        #expect(try Ingestor(store: store).ingest(paths: [first]).recordsStored == 2)
        let day = PartitionDay(unixSeconds: 1_704_412_800)
        // The state a kill between the two steps of a prune leaves.
        do {
            let catalog = try store.openCatalogForWriting()
            try catalog.beginPruning([day])
        }
        #expect(FileManager.default.fileExists(atPath: store.partitionPath(for: day)))
        let report = try StoreChecker(store: store).run()
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.interruptedPrunes == [day])
        // A late file for the pruned day: only its own record is there afterwards.
        let late = try folder.write("late.log", defaultHeader + "\n" + record(3) + "\n")
        #expect(try Ingestor(store: store).ingest(paths: [late]).recordsStored == 1)
        #expect(try storedRowCount(store) == 1)
        #expect(try store.openCatalogForReading().pruningDays().isEmpty)
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    @Test("a prune finishes one that was interrupted, and frees the disk")
    func pruneFinishesPrune() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let path = try folder.write("a.log", defaultHeader + "\n" + record(1) + "\n" + record(2, start: 1_704_499_200) + "\n")
        #expect(try Ingestor(store: store).ingest(paths: [path]).recordsStored == 2)
        let first = PartitionDay(unixSeconds: 1_704_412_800)
        try store.openCatalogForWriting().beginPruning([first])
        let result = try Retention(store: store).prune(before: first)
        #expect(result.days.isEmpty)
        #expect(result.filesLeft.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: store.partitionPath(for: first)))
        #expect(try store.openCatalogForReading().partitions().count == 1)
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    @Test("a prune waits for a query holding the readers' lease before deleting files")
    func pruneWaitsForReaders() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let path = try folder.write("a.log", defaultHeader + "\n" + record(1) + "\n")
        #expect(try Ingestor(store: store).ingest(paths: [path]).recordsStored == 1)
        let day = PartitionDay(unixSeconds: 1_704_412_800)
        var snapshot: StoreSnapshot? = try store.snapshot()
        #expect(snapshot?.lease != nil)
        var retention = Retention(store: store)
        retention.readerWait = 0.2
        let result = try retention.prune(before: day.adding(days: 1))
        // The query planned with the day keeps its files until it lets go of its snapshot.
        #expect(result.days == [day])
        #expect(result.filesLeft == [day])
        #expect(FileManager.default.fileExists(atPath: store.partitionPath(for: day)))
        snapshot = nil
        _ = snapshot
        let again = try Retention(store: store).prune(before: day.adding(days: 1))
        #expect(again.filesLeft.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: store.partitionPath(for: day)))
    }
}
