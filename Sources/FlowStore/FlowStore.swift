import FlowModel
import Foundation

/// A flowq store: a folder with a catalog database and one SQLite database per table and UTC day.
///
/// ```
/// <store>/catalog.db                    files ingested, partitions with row counts and time ranges
/// <store>/partitions/2024-01-05.db      vpc_flow_logs: the VPC records whose start is on that day
/// <store>/tgw-partitions/2024-01-05.db  tgw_flow_logs: the Transit Gateway records of that day
/// <store>/.lock                   held by the one process writing
/// <store>/.readers                shared by queries, exclusive while a prune deletes files
/// ```
/// Partitions are written only by `Ingestor`, under the lock; readers open them read-only.
public struct FlowStore: Sendable {
    /// The store format; bumped when the on-disk layout changes.
    public static let formatVersion = 4

    /// The store's folder.
    public let url: URL

    /// The catalog database's path.
    public var catalogPath: String { url.appendingPathComponent("catalog.db").path }
    /// The folder holding `vpc_flow_logs`'s partition databases.
    public var partitionsURL: URL { partitionsURL(for: .vpc) }

    /// The folder holding `table`'s partition databases: the one place that maps a table to
    /// its files (VPC days keep the folder stores had before there were other tables).
    public func partitionsURL(for table: FlowTable) -> URL {
        switch table {
        case .vpc: return url.appendingPathComponent("partitions", isDirectory: true)
        case .transitGateway: return url.appendingPathComponent("tgw-partitions", isDirectory: true)
        }
    }
    /// The write lock's path.
    public var lockPath: String { url.appendingPathComponent(".lock").path }
    /// The readers' lock's path (see `StoreReadLease`).
    public var readersLockPath: String { url.appendingPathComponent(".readers").path }

    /// The database file of `day`'s partition of `table`.
    public func partitionPath(for day: PartitionDay, table: FlowTable = .vpc) -> String {
        partitionsURL(for: table).appendingPathComponent("\(day.isoText).db").path
    }

    /// The database file of a partition.
    public func partitionPath(for partition: PartitionKey) -> String {
        partitionPath(for: partition.day, table: partition.table)
    }

    /// The partitions whose database files are on disk, of every table (for recovery and
    /// `check`, which must see files the catalog may not list).
    public func partitionFilesOnDisk() throws(StoreError) -> [PartitionKey] {
        var found: [PartitionKey] = []
        for table in FlowTable.allCases {
            let folder = partitionsURL(for: table).path
            guard FileManager.default.fileExists(atPath: folder) else { continue }
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: folder)
            } catch {
                throw .io("cannot list \(folder)", errno: (error as NSError).code == 0 ? EIO : Int32((error as NSError).code))
            }
            found += names.filter { $0.hasSuffix(".db") }
                .compactMap { PartitionDay(String($0.dropLast(3))) }
                .map { PartitionKey(table: table, day: $0) }
        }
        return found.sorted()
    }

    /// A store at `url`; nothing is touched until it is opened.
    public init(url: URL) {
        self.url = url.standardizedFileURL
    }

    /// The store named by `--store`, else `$FLOWQ_STORE`, else `${XDG_DATA_HOME:-~/.local/share}/flowq`.
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> FlowStore {
        if let explicit, !explicit.isEmpty { return FlowStore(url: URL(fileURLWithPath: expandTilde(explicit))) }
        if let fromEnvironment = environment["FLOWQ_STORE"], !fromEnvironment.isEmpty {
            return FlowStore(url: URL(fileURLWithPath: expandTilde(fromEnvironment)))
        }
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return FlowStore(url: URL(fileURLWithPath: expandTilde(dataHome)).appendingPathComponent("flowq", isDirectory: true))
    }

    /// True when the folder holds a catalog.
    public var exists: Bool { FileManager.default.fileExists(atPath: catalogPath) }

    /// Creates the folders and the readers' lock file when missing.
    public func createIfNeeded() throws(StoreError) {
        do {
            for table in FlowTable.allCases {
                try FileManager.default.createDirectory(at: partitionsURL(for: table), withIntermediateDirectories: true)
            }
        } catch {
            throw .io("cannot create the store at \(url.path)", errno: (error as NSError).code == 0 ? EIO : Int32((error as NSError).code))
        }
        let fd = open(readersLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot create \(readersLockPath)", errno: errno) }
        close(fd)
    }

    /// What a query may see now: the readers' lease first, then the catalog in one transaction.
    public func snapshot() throws -> StoreSnapshot {
        let lease = StoreReadLease.acquire(for: self)
        return try openCatalogForReading().snapshot(lease: lease)
    }

    /// Opens the catalog for writing, creating the store when missing.
    public func openCatalogForWriting() throws(StoreError) -> Catalog {
        try createIfNeeded()
        return try Catalog(path: catalogPath, readOnly: false)
    }

    /// Opens the catalog for reading; fails with a clear message when there is no store.
    public func openCatalogForReading() throws(StoreError) -> Catalog {
        guard exists else {
            throw .notAStore("no flowq store at \(url.path): run `flowq ingest --store \(url.path) <files>` first (or `flowq demo`)")
        }
        return try Catalog(path: catalogPath, readOnly: true)
    }

    private static func expandTilde(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }
}
