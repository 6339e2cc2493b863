import FlowModel
import FlowSQLite
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowSamples
@testable import FlowStore

/// Transit Gateway flow logs in their own table: a bucket mixing both kinds fills both, each
/// record once, and recovery, retention and `check` cover both tables.
@Suite("Transit Gateway store")
struct TransitGatewayStoreTests {
    /// A bucket of VPC files (the sample generator's) and Transit Gateway files side by side,
    /// with the VPC records counted from the files' lines.
    struct MixedBucket {
        let root: URL
        let vpcRecords: Int
        let tgw: [(path: String, records: [[String]])]

        init(_ folder: TemporaryFolder) throws {
            root = folder.url.appendingPathComponent("bucket")
            var options = FlowLogGenerator.Options()
            options.records = 3_000
            options.days = 2
            options.filesPerDay = 2
            options.compress = true
            let corpus = try FlowLogGenerator(options: options).write(to: root)
            // A direct count of the input: every line after each file's header.
            vpcRecords = try corpus.files.reduce(0) { $0 + (try readLines($1).count - 1) }
            var sample = TransitGatewaySample()
            sample.compress = true
            sample.firstDay = PartitionDay(unixSeconds: 1_704_067_200) // 2024-01-01, inside the VPC sample's days
            tgw = try sample.write(to: root)
        }

        var tgwRecords: Int { tgw.reduce(0) { $0 + $1.records.count } }

        /// Transit Gateway records per UTC day of their start, from the text.
        var tgwRecordsPerDay: [PartitionDay: Int64] {
            var days: [PartitionDay: Int64] = [:]
            for file in tgw { for record in file.records { days[PartitionDay(unixSeconds: Int64(record[23])!), default: 0] += 1 } }
            return days
        }
    }

    @Test("a file an older flowq marked ignored (Transit Gateway logs, once unread) is read and stored on the next run")
    func ignoredByOlderVersionsIsRead() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var sample = TransitGatewaySample()
        sample.firstDay = PartitionDay(unixSeconds: 1_704_067_200)
        let files = try sample.write(to: folder.url.appendingPathComponent("bucket"))
        let file = try #require(files.first)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        // The row such a version left: same path, size and time, state 'ignored', no records.
        var info = stat()
        #expect(stat(file.path, &info) == 0)
        let catalog = try store.openCatalogForWriting()
        try catalog.database.run(
            "INSERT INTO files(path, size, modified, state, message, started_at) VALUES (?, ?, ?, 'ignored', 'Transit Gateway flow log', 0)",
            [.text(file.path), .integer(Int64(info.st_size)), .integer(Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))])
        let summary = try Ingestor(store: store).ingest(paths: [file.path])
        #expect(summary.storedCount == 1)
        #expect(summary.recordsStored == Int64(file.records.count))
        #expect(try Ingestor(store: store).ingest(paths: [file.path]).alreadyPresentCount == 1)
    }

    @Test("a mixed bucket fills both tables with exactly the records of each kind, once")
    func mixedBucket() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let bucket = try MixedBucket(folder)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let first = try Ingestor(store: store).ingest(paths: [bucket.root.path])
        #expect(first.rejected.isEmpty)
        #expect(first.recordsStored == Int64(bucket.vpcRecords + bucket.tgwRecords))

        let partitions = try store.openCatalogForReading().partitions()
        let vpc = partitions.filter { $0.table == .vpc }, tgw = partitions.filter { $0.table == .transitGateway }
        #expect(vpc.reduce(0) { $0 + $1.rowCount } == Int64(bucket.vpcRecords))
        #expect(Dictionary(uniqueKeysWithValues: tgw.map { ($0.day, $0.rowCount) }) == bucket.tgwRecordsPerDay)
        // Each table's days in its own folder; VPC's keep the folder stores always had.
        for partition in tgw {
            #expect(store.partitionPath(for: partition.key).hasSuffix("/tgw-partitions/\(partition.day.isoText).db"))
            #expect(FileManager.default.fileExists(atPath: store.partitionPath(for: partition.key)))
        }
        #expect(store.partitionPath(for: vpc[0].key).hasSuffix("/partitions/\(vpc[0].day.isoText).db"))
        // No VPC column in the Transit Gateway partitions, no Transit Gateway column in VPC's.
        #expect(tgw.allSatisfy { !$0.columns.contains("action") && !$0.columns.contains("interface_id") && $0.columns.contains("tgw_attachment_id") })
        #expect(vpc.allSatisfy { !$0.columns.contains(where: { $0.hasPrefix("tgw_") || $0 == "resource_type" }) })
        // Stored values read back as written.
        let firstFile = bucket.tgw[0]
        let day = PartitionDay(unixSeconds: Int64(firstFile.records[0][23])!)
        let rows = try SegmentDump.rows(store: store, day: day, table: .transitGateway, columns: ["tgw_attachment_id", "start", "bytes"])
        #expect(rows.contains([firstFile.records[0][4], firstFile.records[0][23], firstFile.records[0][22] == "-" ? "NULL" : firstFile.records[0][22]]))

        let report = try StoreChecker(store: store).run()
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.partitions == partitions.count)
        #expect(report.rows == Int64(bucket.vpcRecords + bucket.tgwRecords))

        let second = try Ingestor(store: store).ingest(paths: [bucket.root.path])
        #expect(second.recordsStored == 0)
        #expect(second.alreadyPresentCount == first.files.count)
        #expect(try store.openCatalogForReading().partitions() == partitions)
    }

    @Test("check finds a Transit Gateway partition that disagrees with the catalog")
    func checkCoversTransitGateway() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let bucket = try MixedBucket(folder)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        _ = try Ingestor(store: store).ingest(paths: [bucket.root.path])
        let partition = try #require(try store.openCatalogForReading().partitions().first { $0.table == .transitGateway })
        try FileManager.default.removeItem(atPath: store.partitionPath(for: partition.key))
        let problems = try StoreChecker(store: store).run().problems
        #expect(problems.contains { $0.place == "tgw_flow_logs \(partition.day.isoText)" && $0.message.contains("is missing") }, "\(problems)")
    }

    @Test("rows of a Transit Gateway file whose ingest was killed are invisible and removed by the next ingest")
    func recovery() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let bucket = try MixedBucket(folder)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        _ = try Ingestor(store: store).ingest(paths: [bucket.root.path])
        let before = try store.openCatalogForReading().partitions()
        // Simulate a kill after a partition commit: a pending Transit Gateway file whose rows are written.
        let catalog = try store.openCatalogForWriting()
        let pending = try catalog.beginFile(path: "/killed-tgw.log", size: 1, modified: 1)
        let killed = bucket.tgw[0].path
        var reader = FlowFileReader(path: killed, displayPath: killed, maximumLineLength: LineReader.defaultMaximumLineLength, lineErrorsReported: 5)
        reader.fileID = pending
        var writers: [PartitionKey: PartitionWriter] = [:]
        var failure: (any Error)? = nil
        reader.run { message in
            if case .segment(let segment) = message {
                do {
                    let writer = try writers[segment.partition] ?? PartitionWriter(store: store, partition: segment.partition)
                    writers[segment.partition] = writer
                    try writer.write(segment)
                } catch { failure = error }
            }
            return true
        }
        #expect(failure == nil)
        #expect(writers.keys.allSatisfy { $0.table == .transitGateway })
        for writer in writers.values { try writer.commit() }
        writers.removeAll()
        // Invisible: not in the catalog's counts, and `check` sees only what is stored.
        let snapshot = try store.openCatalogForReading().snapshot()
        #expect(snapshot.fileWatermark < pending)
        #expect(try StoreChecker(store: store).run().problems.isEmpty)

        let summary = try Ingestor(store: store).ingest(paths: [bucket.root.path])
        #expect(summary.recoveredFiles == ["/killed-tgw.log"])
        #expect(summary.recordsStored == 0)
        #expect(try store.openCatalogForReading().partitions() == before)
        for partition in before where partition.table == .transitGateway {
            let database = try Database(path: store.partitionPath(for: partition.key), mode: .readOnly)
            #expect(try database.scalar("SELECT count(*) FROM segments WHERE file_id = ?", [.integer(pending)])?.integerValue == 0)
        }
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    @Test("prune drops a day in every table, files and catalog rows")
    func prune() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let bucket = try MixedBucket(folder)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        _ = try Ingestor(store: store).ingest(paths: [bucket.root.path])
        let before = try store.openCatalogForReading().partitions()
        let cutoff = PartitionDay("2024-01-01")!
        let doomed = before.filter { $0.day < cutoff }
        #expect(Set(doomed.map(\.table)) == [.vpc, .transitGateway])
        let result = try Retention(store: store).prune(before: cutoff)
        #expect(result.days == [PartitionDay("2023-12-31")!])
        #expect(result.rows == doomed.reduce(0) { $0 + $1.rowCount })
        #expect(try store.openCatalogForReading().partitions() == before.filter { $0.day >= cutoff })
        for partition in doomed { #expect(!FileManager.default.fileExists(atPath: store.partitionPath(for: partition.key))) }
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    @Test("a catalog from before tables existed is migrated in place: its days become VPC's, then TGW files join")
    func migration() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let bucket = try MixedBucket(folder)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let vpcFiles = try FileManager.default.subpathsOfDirectory(atPath: bucket.root.path)
            .filter { $0.hasSuffix(".log.gz") && !$0.contains("fl-0tgw") }.map { bucket.root.appendingPathComponent($0).path }
        _ = try Ingestor(store: store).ingest(paths: vpcFiles)
        let before = try store.openCatalogForReading().partitions()
        // Put the catalog back in its earlier shape: partitions keyed by day, no table columns.
        do {
            let database = try Database(path: store.catalogPath, mode: .readWrite)
            try database.execute("""
                BEGIN;
                CREATE TABLE old_partitions(day TEXT PRIMARY KEY, rows INTEGER NOT NULL, files INTEGER NOT NULL,
                    min_start INTEGER NOT NULL, max_start INTEGER NOT NULL, min_end INTEGER, max_end INTEGER,
                    columns TEXT NOT NULL, updated_at INTEGER NOT NULL, rows_without_start INTEGER NOT NULL DEFAULT 0);
                INSERT INTO old_partitions SELECT day, rows, files, min_start, max_start, min_end, max_end, columns, updated_at, rows_without_start FROM partitions;
                DROP TABLE partitions;
                ALTER TABLE old_partitions RENAME TO partitions;
                ALTER TABLE file_partitions DROP COLUMN table_name;
                COMMIT;
                """)
        }
        // A reader of the old shape sees VPC days, before any writer migrates it.
        #expect(try store.openCatalogForReading().partitions() == before)
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
        let summary = try Ingestor(store: store).ingest(paths: [bucket.root.path])
        #expect(summary.recordsStored == Int64(bucket.tgwRecords))
        let catalog = try store.openCatalogForReading()
        #expect(try catalog.hasColumn("table_name", in: "partitions") && catalog.hasColumn("table_name", in: "file_partitions"))
        let after = try catalog.partitions()
        #expect(after.filter { $0.table == .vpc } == before)
        #expect(after.filter { $0.table == .transitGateway }.reduce(0) { $0 + $1.rowCount } == Int64(bucket.tgwRecords))
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }
}
