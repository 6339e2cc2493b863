import Foundation

/// Drops whole day partitions older than a cutoff (retention for scheduled jobs).
public struct Pruner {
    /// What a prune did.
    public struct Result: Sendable {
        /// Days dropped, oldest first.
        public var days: [PartitionDay] = []
        /// Records they held.
        public var rows: Int64 = 0
        /// Bytes freed on disk.
        public var bytes: Int64 = 0
    }

    let store: FlowStore

    /// A pruner for `store`.
    public init(store: FlowStore) {
        self.store = store
    }

    /// Drops every partition whose day is before `cutoff`; with `dryRun`, only says which.
    ///
    /// Takes the store's write lock, so it never runs beside an ingest. The catalog entry goes
    /// first, so a crash between the two steps leaves an unlisted file that queries never open.
    public func prune(before cutoff: PartitionDay, dryRun: Bool = false) throws -> Result {
        let lock = try FileLock(path: store.lockPath, purpose: "prune")
        defer { withExtendedLifetime(lock) {} }
        let catalog = try store.openCatalogForWriting()
        var result = Result()
        for partition in try catalog.partitions() where partition.day < cutoff {
            result.days.append(partition.day)
            result.rows += partition.rowCount
            let path = store.partitionPath(for: partition.day)
            for suffix in ["", "-wal", "-shm"] {
                if let size = (try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? NSNumber {
                    result.bytes += size.int64Value
                }
            }
            guard !dryRun else { continue }
            try catalog.dropPartition(partition.day)
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.removeItem(atPath: path + suffix)
            }
        }
        return result
    }
}
