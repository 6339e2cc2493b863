import Foundation

/// A flowq store: a folder with a catalog database and one SQLite database per UTC day.
///
/// ```
/// <store>/catalog.db              files ingested, partitions with row counts and time ranges
/// <store>/partitions/2024-01-05.db  table `flows`: the records whose start is on that day
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
    /// The folder holding partition databases.
    public var partitionsURL: URL { url.appendingPathComponent("partitions", isDirectory: true) }
    /// The write lock's path.
    public var lockPath: String { url.appendingPathComponent(".lock").path }
    /// The readers' lock's path (see `StoreReadLease`).
    public var readersLockPath: String { url.appendingPathComponent(".readers").path }

    /// The database file of `day`'s partition.
    public func partitionPath(for day: PartitionDay) -> String {
        partitionsURL.appendingPathComponent("\(day.isoText).db").path
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
            try FileManager.default.createDirectory(at: partitionsURL, withIntermediateDirectories: true)
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
