import FlowModel
import FlowSQLite
import Foundation

/// Verifies a store: the catalog against the partitions, row counts, and SQLite's own integrity
/// check of every database.
public struct StoreChecker {
    /// One problem found.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// Where (a partition day, a file path, or `catalog`).
        public var place: String
        /// What is wrong.
        public var message: String
        public var description: String { "\(place): \(message)" }
    }

    /// What the check found.
    public struct Report: Sendable {
        /// Partitions checked.
        public var partitions = 0
        /// Rows counted in them (visible rows of stored files).
        public var rows: Int64 = 0
        /// Files the catalog lists as stored.
        public var storedFiles = 0
        /// Everything that is wrong; empty for a healthy store.
        public var problems: [Problem] = []
        /// Ingests that were interrupted and whose rows the next ingest will remove.
        public var pendingFiles: [String] = []
        /// Days an interrupted prune dropped whose files the next ingest or prune deletes.
        public var interruptedPrunes: [PartitionDay] = []
        /// True when the first ingest was stopped while it created the catalog: the store holds
        /// nothing, and the next ingest creates it.
        public var unfinished = false
    }

    let store: FlowStore

    /// A checker for `store`.
    public init(store: FlowStore) {
        self.store = store
    }

    /// Runs every check; throws only when the store cannot be opened at all.
    ///
    /// Safe beside a running ingest or prune: every catalog fact is read in one transaction
    /// (one state of the store), partitions are read with the same visibility rule queries use,
    /// and the readers' lease keeps a prune from deleting a partition while it is checked.
    public func run() throws -> Report {
        var report = Report()
        let lease = StoreReadLease.acquire(for: store)
        defer { withExtendedLifetime(lease) {} }
        guard let catalog = try openCatalog() else {
            // Nothing was ever stored: consistent, and the next ingest finishes creating it.
            report.unfinished = true
            return report
        }
        let database = catalog.database
        func problem(_ place: String, _ message: String) { report.problems.append(Problem(place: place, message: message)) }

        struct Facts {
            var integrity: String?
            var snapshot: StoreSnapshot
            var pendingFiles: [Catalog.FileRecord]
            var storedFiles: Int
            var fileMismatches: [[SQLiteValue]]
            var rowsFromFiles: [PartitionKey: Int64]
            var pruning: [PartitionDay]
        }
        let facts: Facts = try database.readTransaction {
            // A catalog no writer has migrated yet holds VPC days only (see `Catalog.createSchema`).
            let table = try catalog.hasColumn("table_name", in: "file_partitions") ? "p.table_name" : "'\(FlowTable.vpc.name)'"
            return Facts(
                integrity: try database.scalar("PRAGMA quick_check")?.textValue,
                snapshot: try catalog.snapshot(),
                pendingFiles: try catalog.pendingFiles(),
                storedFiles: Int(try database.scalar("SELECT count(*) FROM files WHERE state = 'stored'")?.integerValue ?? 0),
                // Per file: its rows in file_partitions must add up to its record count.
                fileMismatches: try database.rows("""
                    SELECT f.path, f.records, coalesce((SELECT sum(rows) FROM file_partitions p WHERE p.file_id = f.id), 0) + f.pruned
                    FROM files f WHERE f.state = 'stored'
                    """).filter { $0[1] != $0[2] },
                rowsFromFiles: Dictionary(try database.rows("""
                    SELECT p.day, sum(p.rows), \(table)
                    FROM file_partitions p JOIN files f ON f.id = p.file_id WHERE f.state = 'stored' GROUP BY 1, 3
                    """).compactMap { row in
                        guard let day = row[0].textValue.flatMap({ PartitionDay($0) }),
                              let table = row[2].textValue.flatMap(FlowTable.init(catalogName:)) else { return nil }
                        return (PartitionKey(table: table, day: day), row[1].integerValue ?? 0)
                    }, uniquingKeysWith: +),
                pruning: try catalog.pruningDays())
        }
        if let result = facts.integrity, result != "ok" {
            problem("catalog", "SQLite integrity check failed: \(result)")
        }
        let snapshot = facts.snapshot
        let pending = facts.pendingFiles.map(\.id)
        report.pendingFiles = facts.pendingFiles.map(\.path)
        report.storedFiles = facts.storedFiles
        report.interruptedPrunes = facts.pruning
        for row in facts.fileMismatches {
            problem(row[0].textValue ?? "?", "the catalog says \(row[1].integerValue ?? 0) records but its partitions list \(row[2].integerValue ?? 0)")
        }
        var catalogDays = Set<PartitionKey>()
        for partition in snapshot.partitions {
            // Where problems are reported: the day, after the table's name for a table other than VPC's.
            let day = partition.key.description
            catalogDays.insert(partition.key)
            report.partitions += 1
            let path = store.partitionPath(for: partition.key)
            guard FileManager.default.fileExists(atPath: path) else {
                problem(day, "the partition database \(path) is missing")
                continue
            }
            do {
                let partitionDB = try Database(path: path, mode: .readOnly)
                if let result = try partitionDB.scalar("PRAGMA quick_check")?.textValue, result != "ok" {
                    problem(day, "SQLite integrity check failed: \(result)")
                }
                let visible = try storedRowCount(partitionDB, watermark: snapshot.fileWatermark, pending: pending)
                report.rows += visible
                let fromFiles = facts.rowsFromFiles[partition.key] ?? 0
                if visible != partition.rowCount {
                    problem(day, "holds \(visible) rows of stored files but the catalog says \(partition.rowCount)")
                }
                if fromFiles != partition.rowCount {
                    problem(day, "the catalog's files add up to \(fromFiles) rows but its partition entry says \(partition.rowCount)")
                }
                let range = try partitionDB.rows("SELECT min(min_start), max(max_start) FROM segments WHERE file_id <= ?", [.integer(snapshot.fileWatermark)]).first
                if let low = range?[0].integerValue, let high = range?[1].integerValue, PartitionDay(unixSeconds: low) != partition.day || PartitionDay(unixSeconds: high) != partition.day {
                    problem(day, "holds records whose start is not on \(partition.day.isoText)")
                }
                for message in try SegmentVerifier.verify(partitionDB, watermark: snapshot.fileWatermark, pending: Set(pending)) {
                    problem(day, message)
                }
            } catch {
                problem(day, error.localizedDescription)
            }
        }
        // Partition files the catalog does not know, holding rows of stored files (a day an
        // interrupted prune dropped is expected to linger until the next ingest or prune).
        let pruning = Set(facts.pruning)
        let onDisk = (try? store.partitionFilesOnDisk()) ?? []
        for partition in onDisk where !catalogDays.contains(partition) && !pruning.contains(partition.day) {
            let path = store.partitionPath(for: partition)
            if let partitionDB = try? Database(path: path, mode: .readOnly),
               let rows = try? storedRowCount(partitionDB, watermark: snapshot.fileWatermark, pending: pending), rows > 0 {
                problem(partition.description, "a partition database with rows of stored files that the catalog does not list")
            }
        }
        return report
    }

    /// The catalog, or nil for a store whose first ingest was stopped while it created it.
    private func openCatalog() throws(StoreError) -> Catalog? {
        do {
            return try store.openCatalogForReading()
        } catch {
            if case .unfinishedStore = error { return nil }
            throw error
        }
    }

    /// Rows of stored files in a partition: those a query sees, less any of interrupted files.
    private func storedRowCount(_ partition: Database, watermark: Int64, pending: [Int64]) throws -> Int64 {
        guard try partition.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'segments'")?.integerValue == 1 else { return 0 }
        var sql = "SELECT coalesce(sum(rows), 0) FROM segments WHERE file_id <= ?"
        if !pending.isEmpty { sql += " AND file_id NOT IN (\(pending.map(String.init).joined(separator: ",")))" }
        return try partition.scalar(sql, [.integer(watermark)])?.integerValue ?? 0
    }
}
