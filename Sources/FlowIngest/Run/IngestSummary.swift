import FlowModel
import Foundation

/// What happened to one input file.
public struct FileOutcome: Sendable, Equatable {
    /// How the file ended.
    public enum Status: Sendable, Equatable {
        /// Its records were stored.
        case stored
        /// The same content was stored before (from this path or a copy); nothing added.
        case alreadyPresent(storedAs: String)
        /// Nothing of it was stored, for this reason.
        case rejected(reason: String)
        /// Rejected by an earlier run and unchanged since (same size and time): not read again,
        /// and not counted as a new rejection. `on` is when, in Unix seconds.
        case unchangedSinceRejected(reason: String, on: Int64?)
    }

    /// The path as given (absolute).
    public var path: String
    /// How the file ended.
    public var status: Status
    /// Records stored.
    public var records: Int64 = 0
    /// Lines skipped as malformed.
    public var skippedLines: Int64 = 0
    /// The first few malformed lines, as `file:line: reason`.
    public var lineErrors: [String] = []
    /// Header fields flowq does not know (kept as text columns).
    public var unknownFields: [String] = []
    /// Days the records went to.
    public var days: [PartitionDay] = []
    /// Decompressed bytes read.
    public var bytesRead: Int64 = 0

    /// Creates an outcome.
    public init(path: String, status: Status) {
        self.path = path
        self.status = status
    }
}

/// The result of one `Ingestor.ingest` run.
public struct IngestSummary: Sendable {
    /// One entry per input file, in the order read.
    public var files: [FileOutcome] = []
    /// Files whose rows were removed because an earlier ingest was killed before finishing them.
    public var recoveredFiles: [String] = []
    /// Wall-clock seconds.
    public var seconds: Double = 0

    /// Creates an empty summary.
    public init() {}

    /// Records stored in this run.
    public var recordsStored: Int64 { files.reduce(0) { $0 + $1.records } }
    /// Malformed lines skipped in stored files.
    public var linesSkipped: Int64 { files.reduce(0) { $0 + $1.skippedLines } }
    /// Files stored.
    public var storedCount: Int { files.filter { $0.status == .stored }.count }
    /// Files already present.
    public var alreadyPresentCount: Int { files.filter { if case .alreadyPresent = $0.status { return true } else { return false } }.count }
    /// Files rejected in this run.
    public var rejected: [FileOutcome] { files.filter { if case .rejected = $0.status { return true } else { return false } } }
    /// Files rejected by an earlier run and unchanged since.
    public var stillRejected: [FileOutcome] { files.filter { if case .unchangedSinceRejected = $0.status { return true } else { return false } } }
}

/// Progress of a running ingest, for a progress bar.
public struct IngestProgress: Sendable {
    /// Files finished so far and in all.
    public var filesDone: Int, filesTotal: Int
    /// Records stored so far.
    public var records: Int64
    /// Compressed (file) bytes read so far, and in all.
    public var bytes: Int64
    public var bytesTotal: Int64 = 0
    /// When the run started.
    public var started = Date()
}
