import FlowModel
import Foundation

/// Drops whole day partitions older than a cutoff, in every table (retention for scheduled
/// jobs), safely against kills and against queries running at the same time.
///
/// A prune is two steps with a record between them:
/// 1. one catalog transaction stops listing the days and records them in `pruning`;
/// 2. once no query that could have planned with them is running (the readers' lock), their
///    files are deleted and the `pruning` rows removed.
///
/// A kill after step 1 leaves `pruning` rows: the next ingest or prune finishes the job before
/// it writes anything (so a late file for a pruned day never meets the old rows), and `check`
/// reports it as a note, not a problem. A kill before step 1 changed nothing.
public struct Retention {
    /// What a prune did.
    public struct Result: Sendable {
        /// Days dropped, oldest first.
        public var days: [PartitionDay] = []
        /// Records they held (in every table).
        public var rows: Int64 = 0
        /// Bytes freed on disk.
        public var bytes: Int64 = 0
        /// Days whose files are still to be deleted (queries kept running past the wait).
        public var filesLeft: [PartitionDay] = []
    }

    let store: FlowStore
    /// How long to wait for running queries before leaving the deletion to the next run.
    package var readerWait: Double = 60

    /// A pruner for `store`.
    public init(store: FlowStore) {
        self.store = store
    }

    /// Drops every partition whose day is before `cutoff`; with `dryRun`, only says which.
    ///
    /// Takes the store's write lock, so it never runs beside an ingest.
    public func prune(before cutoff: PartitionDay, dryRun: Bool = false) throws -> Result {
        let lock = try FileLock(path: store.lockPath, purpose: "prune")
        defer { withExtendedLifetime(lock) {} }
        let catalog = try store.openCatalogForWriting()
        var result = Result()
        result.filesLeft = try finishPending(catalog)
        let doomed = try catalog.partitions().filter { $0.day < cutoff }
        for partition in doomed {
            result.rows += partition.rowCount
            result.bytes += Self.size(of: store.partitionPath(for: partition.key))
        }
        result.days = Set(doomed.map(\.day)).sorted()
        guard !dryRun, !doomed.isEmpty else { return result }
        try catalog.beginPruning(result.days)
        result.filesLeft = try finishPending(catalog)
        return result
    }

    /// Deletes the files of days the catalog no longer lists but `pruning` still names (left by
    /// an interrupted prune, or by this one); returns the days it could not finish yet. The
    /// caller holds the write lock.
    package func finishPending(_ catalog: Catalog) throws -> [PartitionDay] {
        let days = try catalog.pruningDays()
        guard !days.isEmpty else { return [] }
        guard let exclusion = try StoreReadersExclusion(store: store, timeout: readerWait) else { return days }
        defer { exclusion.release() }
        for day in days {
            for table in FlowTable.allCases {
                let path = store.partitionPath(for: day, table: table)
                // The database goes last: a kill part-way must not leave a WAL beside no database, which
                // SQLite would replay into a new file of that day.
                for suffix in ["-wal", "-shm", ""] {
                    if unlink(path + suffix) != 0 && errno != ENOENT {
                        throw StoreError.io("cannot delete \(path + suffix)", errno: errno)
                    }
                }
            }
            try catalog.finishPruning(day)
        }
        return []
    }

    /// Bytes of a partition's database and its WAL.
    static func size(of path: String) -> Int64 {
        var total: Int64 = 0
        for suffix in ["", "-wal", "-shm"] {
            var info = stat()
            if stat(path + suffix, &info) == 0 { total += Int64(info.st_size) }
        }
        return total
    }
}
