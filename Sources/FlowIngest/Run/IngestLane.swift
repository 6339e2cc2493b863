import FlowModel
import FlowSQLite
import FlowStore
import Foundation

/// What a writer lane is asked to do, in order.
enum LaneMessage: Sendable {
    /// Write a segment (the records of one file and one day).
    case segment(EncodedSegment)
    /// The file will not be stored: delete whatever rows of it this lane wrote.
    case discard(fileID: Int64)
    /// Commit every open partition, then report the group's per-file statistics. `settled`
    /// lists the files decided since the previous commit: none of them will be discarded later.
    case commit(group: Int, settled: [Int64])
    /// Commit, build the indexes of the days this run wrote, close, and report.
    case finish
}

/// What the threads of an ingest report to the coordinating thread.
enum IngestEvent: Sendable {
    /// A reader finished a file (its rows are queued in the lanes), or failed it.
    case fileRead(job: FileJob, result: Result<FileReadResult, FileReadFailure>)
    /// A lane committed a group: each file's rows per partition since the previous group.
    case committed(group: Int, deltas: [Int64: [PartitionKey: Catalog.PartitionDelta]])
    /// A lane finished its last commit and the indexes.
    case laneFinished
    /// A lane cannot write (disk full, read-only store): the run must stop.
    case laneFailed(SQLiteError)
}

/// A file handed to a reader.
struct FileJob: Sendable {
    /// Its position in the run's file list (outcomes are reported in that order).
    let index: Int
    let path: String
    let displayPath: String
    let fileID: Int64
    /// For a remote input: its opened source (or why it could not be opened).
    var source: Result<SourceHandoff, any Error>? = nil
}

/// A file read to its end.
struct FileReadResult: Sendable {
    let layout: FlowLayout
    let summary: FileReadSummary
}

/// Why a file could not be read; `error` is a gzip or layout error.
struct FileReadFailure: Error, Sendable {
    let error: any Error
}

/// One writer thread and the day partitions it owns (the days whose number modulo the lane
/// count is its index, in every table), so two lanes never write the same SQLite file and both
/// cores write.
///
/// Partition transactions stay open across files and commit when the coordinator asks (a
/// commit group): far fewer fsyncs than a commit per file. A file's segments become visible
/// only when the catalog marks it stored, after the group holding its last segment has committed.
///
/// `@unchecked Sendable`: after `start()`, its writers and bookkeeping are touched only by the
/// lane's own thread; the coordinator talks to it only through `inbox`.
final class IngestLane: @unchecked Sendable {
    let index: Int
    let inbox: BatchQueue<LaneMessage>
    private let store: FlowStore
    private let events: BatchQueue<IngestEvent>
    private let done = DispatchSemaphore(value: 0)
    private var writers: [PartitionKey: PartitionWriter] = [:]
    /// Per file: the partitions it wrote segments to (for `discard`).
    private var daysOfFile: [Int64: Set<PartitionKey>] = [:]
    /// Per file and partition: the rows written since the last commit.
    private var deltas: [Int64: [PartitionKey: Catalog.PartitionDelta]] = [:]
    /// Per partition: the columns it has (as its writer last said).
    private var columnsOfDay: [PartitionKey: [String]] = [:]
    /// When each open partition was last used, for closing the least recent one.
    private var lastUse: [PartitionKey: Int] = [:]
    private var useCount = 0
    private static let maximumOpenPartitions = 16

    init(index: Int, store: FlowStore, events: BatchQueue<IngestEvent>) {
        self.index = index
        self.store = store
        self.events = events
        // A few segments: enough to ride out a commit, still bounded.
        inbox = BatchQueue(limit: 8)
    }

    /// Starts the lane's thread.
    func start() {
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.name = "flowq-writer-\(index)"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the thread to end (after `.finish`, or after `inbox` is closed).
    func join() {
        done.wait()
    }

    private func run() {
        while let message = inbox.take() {
            do {
                switch message {
                case .segment(let segment): try write(segment)
                case .discard(let fileID): try discard(fileID)
                case .commit(let group, let settled):
                    try commitAll()
                    events.put(.committed(group: group, deltas: deltas))
                    deltas.removeAll(keepingCapacity: true)
                    for fileID in settled { daysOfFile[fileID] = nil }
                case .finish:
                    try commitAll()
                    writers.removeAll()
                    events.put(.laneFinished)
                    return
                }
            } catch {
                // Uncommitted segments roll back when the connections close; committed ones
                // belong to files still pending in the catalog, which the next run's recovery removes.
                writers.removeAll()
                events.put(.laneFailed(error))
                return
            }
        }
        writers.removeAll()
    }

    private func write(_ segment: EncodedSegment) throws(SQLiteError) {
        let partition = segment.partition
        let writer = try writer(for: partition)
        try writer.write(segment)
        daysOfFile[segment.fileID, default: []].insert(partition)
        columnsOfDay[partition] = writer.columnNames
        var delta = deltas[segment.fileID, default: [:]][partition, default: Catalog.PartitionDelta()]
        delta.rows += Int64(segment.rows)
        delta.rowsWithoutStart += Int64(segment.rowsWithoutStart)
        delta.minStart = min(delta.minStart, segment.minStart)
        delta.maxStart = max(delta.maxStart, segment.maxStart)
        if let minEnd = segment.minEnd { delta.minEnd = min(delta.minEnd, minEnd) }
        if let maxEnd = segment.maxEnd { delta.maxEnd = max(delta.maxEnd, maxEnd) }
        deltas[segment.fileID, default: [:]][partition] = delta
    }

    private func discard(_ fileID: Int64) throws(SQLiteError) {
        for day in daysOfFile[fileID] ?? [] {
            try writer(for: day).deleteSegments(ofFile: fileID)
        }
        daysOfFile[fileID] = nil
        deltas[fileID] = nil
        // Earlier groups may have reported rows of it; the coordinator drops those.
    }

    private func commitAll() throws(SQLiteError) {
        for (partition, writer) in writers { try commit(writer, day: partition) }
    }

    /// Commits one partition and records its columns for the files that wrote to it.
    private func commit(_ writer: PartitionWriter, day: PartitionKey) throws(SQLiteError) {
        try writer.commit()
        for fileID in deltas.keys where deltas[fileID]?[day] != nil {
            deltas[fileID]?[day]?.columns = columnsOfDay[day] ?? []
        }
    }

    /// The partition's writer, opened on first use; the most recently used few are kept open.
    private func writer(for day: PartitionKey) throws(SQLiteError) -> PartitionWriter {
        useCount += 1
        lastUse[day] = useCount
        if let writer = writers[day] { return writer }
        if writers.count >= Self.maximumOpenPartitions,
           let (oldest, writer) = writers.min(by: { (lastUse[$0.key] ?? 0) < (lastUse[$1.key] ?? 0) }) {
            // Committing one partition early is safe: its segments' files are still pending, so hidden.
            try commit(writer, day: oldest)
            writers[oldest] = nil
        }
        let writer = try PartitionWriter(store: store, partition: day)
        writers[day] = writer
        return writer
    }
}
