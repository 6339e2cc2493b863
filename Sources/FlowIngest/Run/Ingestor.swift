import FlowModel
import FlowSQLite
import FlowStore
import Foundation

/// Options for an ingest run.
public struct IngestOptions: Sendable {
    /// Reject a whole file when any of its lines is malformed.
    public var strict = false
    /// How many malformed lines per file to report by line number.
    public var lineErrorsReported = 5
    /// Longest line accepted; longer lines are skipped as malformed.
    public var maximumLineLength = LineReader.defaultMaximumLineLength
    /// The layout of files that have no header line (`--log-format`): CloudWatch Logs exports
    /// and Firehose deliveries. A file's own header still wins.
    public var logFormat: FlowLayout? = nil

    /// Records per commit group: files become visible to queries when their group commits.
    /// Large enough that fsyncs cost nothing, small enough that the WAL stays modest.
    public var recordsPerCommit = defaultRecordsPerCommit
    public static let defaultRecordsPerCommit: Int64 = 1_000_000

    /// Default options.
    public init(strict: Bool = false, recordsPerCommit: Int64 = defaultRecordsPerCommit, logFormat: FlowLayout? = nil) {
        self.strict = strict
        self.logFormat = logFormat
        self.recordsPerCommit = max(1, recordsPerCommit)
    }
}

/// Reads flow-log files into a store, each file all or nothing, each content once.
///
/// The catalog records each file `pending` before any of its rows is written, and `stored`
/// only after every partition holding its rows has committed; queries see only stored files.
/// A kill at any point leaves either `stored` files whose rows are all committed, or `pending`
/// ones whose rows the next ingest deletes (`recover`) and queries never see. `IngestRun`
/// describes the threads that do the work.
public final class Ingestor {
    /// The store written to.
    public let store: FlowStore
    /// The run's options.
    public let options: IngestOptions
    private let catalog: Catalog
    private let lock: FileLock

    /// Opens `store` for writing (creating it when missing) and takes its write lock.
    public init(store: FlowStore, options: IngestOptions = IngestOptions()) throws(StoreError) {
        self.store = store
        self.options = options
        try store.createIfNeeded()
        lock = try FileLock(path: store.lockPath, purpose: "ingest")
        catalog = try store.openCatalogForWriting()
    }

    /// Ingests every file named by `paths` (files, folders searched recursively, globs, `-`).
    ///
    /// Paths that cannot be read (an unreadable folder, a FIFO) are listed as rejected
    /// outcomes; everything else is read.
    public func ingest(paths: [String], progress: ((IngestProgress) -> Void)? = nil) throws(StoreError) -> IngestSummary {
        let started = Date()
        var summary = IngestSummary()
        summary.recoveredFiles = try recover()
        let expansion = try InputFiles.expand(paths)
        let outcomes = try IngestRun(store: store, catalog: catalog, options: options, inputs: expansion.files.map(IngestInput.init(path:)), progress: progress).execute()
        summary.files = expansion.problems.map { FileOutcome(path: $0.path, status: .rejected(reason: $0.reason)) } + outcomes
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Ingests `inputs` (local files and remote objects alike, each exactly once as files
    /// are); `problems` are inputs that could not even be listed, reported as rejected.
    public func ingest(inputs: [IngestInput], problems: [(path: String, reason: String)] = [],
                       progress: ((IngestProgress) -> Void)? = nil) throws(StoreError) -> IngestSummary {
        let started = Date()
        var summary = IngestSummary()
        summary.recoveredFiles = try recover()
        let outcomes = try IngestRun(store: store, catalog: catalog, options: options, inputs: inputs, progress: progress).execute()
        summary.files = problems.map { FileOutcome(path: $0.path, status: .rejected(reason: $0.reason)) } + outcomes
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// A value a source of inputs keeps between runs (what an S3 prefix was listed through),
    /// under `key`; nil when none was kept.
    public func sourceState(_ key: String) throws(StoreError) -> String? {
        do { return try catalog.sourceState(key) } catch { throw .sqlite(error) }
    }

    /// Keeps `value` under `key` for the next run (see `sourceState(_:)`).
    public func setSourceState(_ key: String, _ value: String) throws(StoreError) {
        do { try catalog.setSourceState(key, value) } catch { throw .sqlite(error) }
    }

    /// Finishes what a killed command left: deletes the files of days an interrupted prune
    /// dropped, then removes the rows of files whose ingest was killed before it finished;
    /// returns the paths of those files.
    public func recover() throws(StoreError) -> [String] {
        do {
            // A late file for a pruned day must never meet the old rows: delete them first.
            var retention = Retention(store: store)
            retention.readerWait = .infinity
            _ = try retention.finishPending(catalog)
            let pending = try catalog.pendingFiles()
            guard !pending.isEmpty else { return [] }
            // Every table's partitions: a pending file's rows are wherever its layout put them.
            for partition in try store.partitionFilesOnDisk() {
                let writer = try PartitionWriter(store: store, partition: partition)
                for file in pending { try writer.deleteSegments(ofFile: file.id) }
                try writer.commit()
            }
            for file in pending { try catalog.forgetFile(id: file.id) }
            return pending.map(\.path)
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .io("cannot list \(store.partitionsURL.path)", errno: EIO)
        }
    }
}

@available(*, unavailable)
extension Ingestor: Sendable {}
