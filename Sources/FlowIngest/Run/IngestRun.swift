import FlowModel
import FlowSQLite
import FlowStore
import Foundation

/// One ingest run: the coordinating side of the pipeline.
///
/// Threads: two readers (inflate and parse), two writer lanes (each owning alternate days, so
/// both cores insert), and this thread, the only one that touches the catalog. For each file:
///
/// 1. the catalog records it `pending` and gives it an id, then a reader takes it;
/// 2. its records go to the lanes tagged with that id (queries hide rows of pending files);
/// 3. when it is read, this thread decides: store it, or drop it (unreadable, a duplicate, a
///    changed file, `--strict`), in which case the lanes delete its rows again;
/// 4. the lanes commit in groups (`IngestOptions.recordsPerCommit`); once every lane has committed
///    the group holding a file's last rows (or its deletion), one catalog transaction marks the
///    group's files stored (or rejected, forgotten) and adds their partition statistics.
///
/// A kill at any point leaves files `pending`, whose rows the next run removes (`recover`).
final class IngestRun {
    private let store: FlowStore
    private let catalog: Catalog
    private let options: IngestOptions
    private let inputs: [IngestInput]
    private let progress: ((IngestProgress) -> Void)?

    private let events = BatchQueue<IngestEvent>(limit: .max)
    private var lanes: [IngestLane] = []
    private var readers: [IngestReader] = []

    private var outcomes: [FileOutcome?]
    /// File indices not yet handed out, one list per reader (files of alternate days), each
    /// reversed so the next file is its last element.
    private var waiting: [[Int]]
    private var outstanding: [Int]
    private var readsInFlight = 0

    /// What to write to the catalog for a file once its group has committed.
    private enum Resolution {
        case store(FileReadResult)
        /// `transient`: the reason may pass without the file changing; a re-run reads it again.
        case reject(reason: String, transient: Bool)
        case forget
    }
    private var resolutions: [(job: FileJob, resolution: Resolution, group: Int, read: FileReadResult?)] = []
    /// For each file being read, the reader reading it.
    private var jobReaders: [Int64: Int] = [:]
    /// For each duplicate awaiting its group, the path of the file that holds its content.
    private var duplicates: [Int64: String] = [:]
    /// Content of files decided `store` but not yet in the catalog (duplicates within a run).
    private var contentInFlight: [String: String] = [:]
    /// Rows per file and partition reported by the lanes so far.
    private var fileDeltas: [Int64: [PartitionKey: Catalog.PartitionDelta]] = [:]
    private var groupSent = 0
    private var acks: [Int: Int] = [:]
    private var recordsSinceCommit: Int64 = 0
    /// Files decided since the last commit was sent (the lanes may forget them after it).
    private var settledSinceCommit: [Int64] = []
    private var state: IngestProgress

    static let laneCount = 2
    static let readerCount = 2
    /// Files a reader may have queued besides the one it is reading.
    static let readAhead = 1

    init(store: FlowStore, catalog: Catalog, options: IngestOptions, inputs: [IngestInput], progress: ((IngestProgress) -> Void)?) {
        self.store = store
        self.catalog = catalog
        self.options = options
        self.inputs = inputs
        self.progress = progress
        outcomes = Array(repeating: nil, count: inputs.count)
        waiting = Self.spread(inputs.map(\.path), over: Self.readerCount).map { Array($0.reversed()) }
        outstanding = Array(repeating: 0, count: Self.readerCount)
        state = IngestProgress(filesDone: 0, filesTotal: inputs.count, records: 0, bytes: 0)
        state.started = Date()
        state.bytesTotal = inputs.reduce(0) { total, input in
            if let remote = input.remote { return total + remote.size }
            let path = input.path
            var info = stat()
            return total + (path != "-" && stat(path, &info) == 0 ? Int64(info.st_size) : 0)
        }
    }

    /// Reads every file; returns their outcomes in input order.
    func execute() throws(StoreError) -> [FileOutcome] {
        lanes = (0..<Self.laneCount).map { IngestLane(index: $0, store: store, events: events) }
        readers = (0..<Self.readerCount).map { _ in IngestReader(lanes: lanes, events: events, options: options) }
        for lane in lanes { lane.start() }
        for (index, reader) in readers.enumerated() { reader.start(name: "flowq-reader-\(index)") }
        var finished = false
        defer { if !finished { stop() } }

        try feed()
        while readsInFlight > 0 || !resolutions.isEmpty || waiting.contains(where: { !$0.isEmpty }) {
            if readsInFlight == 0 && waiting.allSatisfy(\.isEmpty) && resolutions.contains(where: { $0.group > groupSent }) {
                sendCommit()
            }
            guard let event = events.take() else { break }
            try handle(event)
            try feed()
        }
        // The last group is committed; now each lane builds its days' indexes and closes.
        for lane in lanes { lane.inbox.put(.finish) }
        var lanesFinished = 0
        while lanesFinished < lanes.count, let event = events.take() {
            switch event {
            case .laneFinished: lanesFinished += 1
            case .laneFailed(let error): throw .sqlite(error)
            default: break
            }
        }
        for reader in readers { reader.inbox.close() }
        for reader in readers { reader.join() }
        for lane in lanes { lane.join() }
        finished = true
        return outcomes.enumerated().map { index, outcome in outcome ?? FileOutcome(path: inputs[index].path, status: .rejected(reason: "not read")) }
    }

    /// Stops every thread after a failure; files left pending are recovered by the next run.
    private func stop() {
        for reader in readers { reader.inbox.close() }
        for lane in lanes { lane.inbox.close() }
        events.close()
        for reader in readers { reader.join() }
        for lane in lanes { lane.join() }
    }

    // MARK: Handing out files

    /// Gives each reader files until it has `readAhead` queued, its own list first.
    private func feed() throws(StoreError) {
        for reader in readers.indices {
            while outstanding[reader] <= Self.readAhead {
                // A reader whose days are done helps with the longest other list.
                let list = waiting[reader].isEmpty ? (waiting.indices.max { waiting[$0].count < waiting[$1].count } ?? reader) : reader
                guard let index = waiting[list].popLast() else { return }
                guard let job = try begin(index) else { continue }
                readers[reader].inbox.put(job)
                outstanding[reader] += 1
                readsInFlight += 1
                jobReaders[job.fileID] = reader
            }
        }
    }

    /// Starts file `index`: nil when a re-run can skip it without reading it.
    private func begin(_ index: Int) throws(StoreError) -> FileJob? {
        let input = inputs[index]
        let path = input.path
        let displayPath = path == "-" ? "<stdin>" : path
        var size: Int64 = 0, modified: Int64 = 0
        if let remote = input.remote {
            size = remote.size
            modified = remote.version
        } else if path != "-" {
            var info = stat()
            guard stat(path, &info) == 0 else {
                complete(index, FileOutcome(path: displayPath, status: .rejected(reason: "cannot read: \(String(cString: strerror(errno)))")))
                return nil
            }
            guard info.st_mode & S_IFMT == S_IFREG else {
                complete(index, FileOutcome(path: displayPath, status: .rejected(reason: "not a regular file: not read (to read a stream, pipe it into `flowq ingest -`)")))
                return nil
            }
            size = Int64(info.st_size)
            // Nanoseconds: a file rewritten within the same second still looks changed.
            modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        }
        do {
            // Quick path for cron re-runs: same path, size and time means the same file.
            if path != "-", let known = try catalog.knownFile(path: displayPath), known.size == size, known.modified == modified {
                let status: FileOutcome.Status
                switch known.state {
                case "rejected": status = .unchangedSinceRejected(reason: known.message ?? "rejected before", on: known.finishedAt)
                default: status = .alreadyPresent(storedAs: known.path)
                }
                complete(index, FileOutcome(path: displayPath, status: status))
                return nil
            }
            let id = try catalog.beginFile(path: displayPath, size: size, modified: modified)
            var job = FileJob(index: index, path: path, displayPath: displayPath, fileID: id)
            if let remote = input.remote {
                // Opened here so the download starts while the reader finishes earlier files;
                // a failure to open is the reader's to report, as a failure to read.
                job.source = Result { SourceHandoff(try remote.open()) }
            }
            return job
        } catch {
            throw .sqlite(error)
        }
    }

    /// Records a file's outcome; `counted` when progress already counted it (when it was read).
    private func complete(_ index: Int, _ outcome: FileOutcome, counted: Bool = false) {
        outcomes[index] = outcome
        if !counted { count(records: outcome.records, bytes: outcome.bytesRead) }
    }

    /// Progress moves as files are read, not as their groups commit, so it never stalls.
    private func count(records: Int64, bytes: Int64) {
        state.filesDone += 1
        state.records += records
        state.bytes += bytes
        progress?(state)
    }

    // MARK: Events

    private func handle(_ event: IngestEvent) throws(StoreError) {
        switch event {
        case .fileRead(let job, let result):
            readsInFlight -= 1
            if let reader = jobReaders.removeValue(forKey: job.fileID) { outstanding[reader] -= 1 }
            try decide(job, result)
        case .committed(let group, let deltas):
            for (fileID, days) in deltas {
                for (day, delta) in days { fileDeltas[fileID, default: [:]][day, default: Catalog.PartitionDelta()].merge(delta) }
            }
            acks[group, default: 0] += 1
            if acks[group] == lanes.count {
                acks[group] = nil
                try apply(upTo: group)
            }
        case .laneFinished:
            break
        case .laneFailed(let error):
            throw .sqlite(error)
        }
    }

    /// Decides what becomes of a file that has been read.
    private func decide(_ job: FileJob, _ result: Result<FileReadResult, FileReadFailure>) throws(StoreError) {
        let next = groupSent + 1
        let read = try? result.get()
        settledSinceCommit.append(job.fileID)
        count(records: read?.summary.records ?? 0, bytes: Int64(read?.summary.rawBytes ?? 0))
        func drop(_ resolution: Resolution) {
            for lane in lanes { lane.inbox.put(.discard(fileID: job.fileID)) }
            resolutions.append((job, resolution, next, read))
        }
        switch result {
        case .failure(let failure):
            // Every failure is a rejection: Transit Gateway logs, once set aside here, are stored
            // in a table of their own (`FlowLayout.table`).
            drop(.reject(reason: Self.reason(for: failure.error), transient: Self.isTransient(failure.error)))
        case .success(let read):
            let summary = read.summary
            do {
                if let earlier = try catalog.storedFile(contentKey: summary.contentKey) {
                    drop(.forget)
                    duplicates[job.fileID] = earlier.path
                } else if let earlier = contentInFlight[summary.contentKey] {
                    drop(.forget)
                    duplicates[job.fileID] = earlier
                } else if job.path != "-", let earlier = try catalog.storedFile(path: job.displayPath) {
                    drop(.reject(reason: "the file changed since it was stored on \(Self.date(earlier.finishedAt)) (\(earlier.records) records); not stored again, as its records would be counted twice", transient: false))
                } else if options.strict && summary.skippedLines > 0 {
                    drop(.reject(reason: "\(summary.skippedLines) malformed line(s) and --strict is set; first: \(summary.lineErrors.first ?? "")", transient: true))
                } else {
                    contentInFlight[summary.contentKey] = job.displayPath
                    resolutions.append((job, .store(read), next, read))
                    recordsSinceCommit += summary.records
                }
            } catch {
                throw .sqlite(error)
            }
        }
        if recordsSinceCommit >= options.recordsPerCommit { sendCommit() }
    }

    private func sendCommit() {
        groupSent += 1
        recordsSinceCommit = 0
        for lane in lanes { lane.inbox.put(.commit(group: groupSent, settled: settledSinceCommit)) }
        settledSinceCommit.removeAll()
    }

    /// Writes the catalog for every file whose group has committed, in one transaction.
    private func apply(upTo group: Int) throws(StoreError) {
        let ready = resolutions.filter { $0.group <= group }
        guard !ready.isEmpty else { return }
        resolutions.removeAll { $0.group <= group }
        var done: [(Int, FileOutcome)] = []
        do {
            try catalog.inTransaction {
                for (job, resolution, _, read) in ready {
                    var outcome = FileOutcome(path: job.displayPath, status: .stored)
                    if let read {
                        outcome.skippedLines = read.summary.skippedLines
                        outcome.lineErrors = read.summary.lineErrors
                        outcome.bytesRead = Int64(read.summary.rawBytes)
                        outcome.unknownFields = read.layout.unknownFieldNames
                    }
                    let deltas = fileDeltas.removeValue(forKey: job.fileID) ?? [:]
                    switch resolution {
                    case .store(let read):
                        let summary = read.summary
                        outcome.records = summary.records
                        outcome.days = Set(deltas.keys.map(\.day)).sorted()
                        try catalog.finishFile(
                            id: job.fileID, contentKey: summary.contentKey, records: summary.records, skipped: summary.skippedLines,
                            layout: read.layout.headerText, message: summary.lineErrors.first, partitions: deltas)
                        contentInFlight[summary.contentKey] = nil
                    case .reject(let reason, let transient):
                        outcome.status = .rejected(reason: reason)
                        try catalog.rejectFile(id: job.fileID, contentKey: nil, message: reason, transient: transient)
                    case .forget:
                        outcome.status = .alreadyPresent(storedAs: duplicates.removeValue(forKey: job.fileID) ?? "")
                        try catalog.forgetFile(id: job.fileID)
                    }
                    done.append((job.index, outcome))
                }
            }
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch {
            throw .io(error.localizedDescription, errno: EIO)
        }
        for (index, outcome) in done { complete(index, outcome, counted: true) }
    }

    // MARK: Helpers

    /// Deals the files out to `count` readers by the day their path names (alternate days to
    /// alternate readers, matching the lanes), so both lanes have work at once.
    static func spread(_ files: [String], over count: Int) -> [[Int]] {
        var lists = Array(repeating: [Int](), count: count)
        for (index, path) in files.enumerated() {
            let day = pathDay(path).map { Int($0.dayNumber) } ?? index
            lists[((day % count) + count) % count].append(index)
        }
        return lists
    }

    /// The day an export path names (`.../YYYY/MM/DD/...`, `year=YYYY/month=MM/day=DD`, a file name's time).
    static func pathDay(_ path: String) -> PartitionDay? {
        S3Key.deliveryTime(of: path).map(PartitionDay.init(unixSeconds:))
    }

    /// True for failures that may pass without the file changing (the disk, permissions).
    private static func isTransient(_ error: Error) -> Bool {
        if case GzipError.io = error { return true }
        if let failure = error as? any TransientFailure { return failure.isTransient }
        return false
    }

    private static func reason(for error: Error) -> String {
        switch error {
        case let error as GzipError: return error.localizedDescription
        case let error as LayoutError: return error.message
        default: return error.localizedDescription
        }
    }

    private static func date(_ seconds: Int64?) -> String {
        guard let seconds else { return "an earlier run" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

@available(*, unavailable)
extension IngestRun: Sendable {}
