import Foundation

/// A run of records of one day from one file, on its way to the lane that owns that day.
///
/// Plainly `Sendable`: the batch is sealed (immutable) before a reader hands it over, so two
/// lanes may read one batch (a file that spans midnight) at once.
struct RecordRun: Sendable {
    let fileID: Int64
    let day: PartitionDay
    let layout: FlowLayout
    let key: S3Key
    let batch: RecordBatch
    let offsets: ArraySlice<Int>
}

/// What a writer lane is asked to do, in order.
enum LaneMessage: Sendable {
    /// Insert records.
    case rows(RecordRun)
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
    /// A lane committed a group: each file's rows per day since the previous group.
    case committed(group: Int, deltas: [Int64: [PartitionDay: Catalog.PartitionDelta]])
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
/// count is its index), so two lanes never write the same SQLite file and both cores insert.
///
/// Partition transactions stay open across files and commit when the coordinator asks (a
/// commit group): far fewer fsyncs than a commit per file. A file's rows become visible only
/// when the catalog marks it stored, after the group holding its last rows has committed.
///
/// `@unchecked Sendable`: after `start()`, its dictionaries and writers are touched only by the
/// lane's own thread; the coordinator talks to it only through `inbox`.
final class IngestLane: @unchecked Sendable {
    let index: Int
    let inbox: BatchQueue<LaneMessage>
    private let store: FlowStore
    private let events: BatchQueue<IngestEvent>
    private let done = DispatchSemaphore(value: 0)
    private var writers: [PartitionDay: PartitionWriter] = [:]
    /// Per file and day: the first rowid the file may have written there (for `discard`).
    private var firstRowIDs: [Int64: [PartitionDay: Int64]] = [:]
    /// Per file and day: the rows written since the last commit.
    private var deltas: [Int64: [PartitionDay: Catalog.PartitionDelta]] = [:]
    private var plans: [PlanKey: PartitionWriter.InsertPlan] = [:]
    private var daysWritten = Set<PartitionDay>()
    /// When each open partition was last used, for closing the least recent one.
    private var lastUse: [PartitionDay: Int] = [:]
    private var useCount = 0
    private static let maximumOpenPartitions = 16

    private struct PlanKey: Hashable {
        let fileID: Int64
        let day: PartitionDay
    }

    init(index: Int, store: FlowStore, events: BatchQueue<IngestEvent>) {
        self.index = index
        self.store = store
        self.events = events
        // A few batches of half a megabyte: enough to ride out a commit, still bounded.
        inbox = BatchQueue(limit: 6)
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
                case .rows(let run): try insert(run)
                case .discard(let fileID): try discard(fileID)
                case .commit(let group, let settled):
                    try commitAll()
                    events.put(.committed(group: group, deltas: deltas))
                    deltas.removeAll(keepingCapacity: true)
                    for fileID in settled { forget(fileID) }
                case .finish:
                    try commitAll()
                    for day in daysWritten.sorted() { try writer(for: day).ensureIndexes() }
                    writers.removeAll()
                    events.put(.laneFinished)
                    return
                }
            } catch {
                // Uncommitted rows roll back when the connections close; committed rows belong
                // to files still pending in the catalog, which the next run's recovery removes.
                writers.removeAll()
                events.put(.laneFailed(error))
                return
            }
        }
        writers.removeAll()
    }

    private func insert(_ run: RecordRun) throws(SQLiteError) {
        let writer = try writer(for: run.day)
        try writer.beginIfNeeded()
        let key = PlanKey(fileID: run.fileID, day: run.day)
        let plan: PartitionWriter.InsertPlan
        if let known = plans[key] {
            plan = known
        } else {
            if firstRowIDs[run.fileID]?[run.day] == nil { firstRowIDs[run.fileID, default: [:]][run.day] = try writer.nextRowID() }
            plan = try writer.plan(layout: run.layout, key: run.key)
            plans[key] = plan
            daysWritten.insert(run.day)
        }
        let slots = run.layout.slots.count
        try writer.insert(run.batch, offsets: run.offsets, slots: slots, fileID: run.fileID, plan: plan,
                          startSlot: run.layout.position(of: .start) ?? 0, endSlot: run.layout.position(of: .end),
                          delta: &deltas[run.fileID, default: [:]][run.day, default: Catalog.PartitionDelta()])
    }

    private func discard(_ fileID: Int64) throws(SQLiteError) {
        for (day, rowID) in firstRowIDs[fileID] ?? [:] {
            try writer(for: day).deleteRows(ofFile: fileID, from: rowID)
        }
        forget(fileID)
        deltas[fileID] = nil
        // Earlier groups may have reported rows of it; the coordinator drops those.
    }

    private func commitAll() throws(SQLiteError) {
        for (day, writer) in writers { try commit(writer, day: day) }
    }

    /// Commits one partition and records its columns for the files that wrote to it.
    private func commit(_ writer: PartitionWriter, day: PartitionDay) throws(SQLiteError) {
        try writer.commit()
        for fileID in deltas.keys where deltas[fileID]?[day] != nil {
            deltas[fileID]?[day]?.columns = writer.dataColumns
        }
    }

    /// Drops what the lane keeps for a file that can no longer be discarded (or just was).
    private func forget(_ fileID: Int64) {
        firstRowIDs[fileID] = nil
        plans = plans.filter { $0.key.fileID != fileID }
    }

    /// The partition's writer, opened on first use; the most recently used few are kept open.
    private func writer(for day: PartitionDay) throws(SQLiteError) -> PartitionWriter {
        useCount += 1
        lastUse[day] = useCount
        if let writer = writers[day] { return writer }
        if writers.count >= Self.maximumOpenPartitions,
           let (oldest, writer) = writers.min(by: { (lastUse[$0.key] ?? 0) < (lastUse[$1.key] ?? 0) }) {
            // Committing one partition early is safe: its rows' files are still pending, so hidden.
            try commit(writer, day: oldest)
            writers[oldest] = nil
            plans = plans.filter { $0.key.day != oldest }
        }
        let writer = try PartitionWriter(store: store, day: day)
        writers[day] = writer
        return writer
    }
}
