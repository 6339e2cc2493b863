import Foundation

/// Options for an ingest run.
public struct IngestOptions: Sendable {
    /// Reject a whole file when any of its lines is malformed.
    public var strict = false
    /// How many malformed lines per file to report by line number.
    public var lineErrorsReported = 5
    /// Longest line accepted; longer lines are skipped as malformed.
    public var maximumLineLength = LineReader.defaultMaximumLineLength

    /// Default options.
    public init(strict: Bool = false) {
        self.strict = strict
    }
}

/// Reads flow-log files into a store, each file all or nothing, each content once.
///
/// Per file: a `pending` catalog row gives the file an id; its records go into the day
/// partitions inside one transaction per partition, tagged with that id; the partitions commit;
/// then one catalog transaction marks the file stored and updates the partition statistics.
/// A kill at any point leaves either a `stored` file whose rows are all committed, or a
/// `pending` one whose rows the next ingest deletes (`recover`) and queries never see.
public final class Ingestor {
    /// The store written to.
    public let store: FlowStore
    /// The run's options.
    public let options: IngestOptions
    private let catalog: Catalog
    private let lock: FileLock
    private var writers: [PartitionDay: PartitionWriter] = [:]
    private static let maximumOpenPartitions = 8

    /// Opens `store` for writing (creating it when missing) and takes its write lock.
    public init(store: FlowStore, options: IngestOptions = IngestOptions()) throws(StoreError) {
        self.store = store
        self.options = options
        try store.createIfNeeded()
        lock = try FileLock(path: store.lockPath, purpose: "ingest")
        catalog = try store.openCatalogForWriting()
    }

    /// Ingests every file named by `paths` (files, folders searched recursively, globs, `-`).
    public func ingest(paths: [String], progress: ((IngestProgress) -> Void)? = nil) throws(StoreError) -> IngestSummary {
        let started = Date()
        var summary = IngestSummary()
        var touchedDays = Set<PartitionDay>()
        summary.recoveredFiles = try recover()
        let files: [String]
        do {
            files = try InputFiles.expand(paths)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .io(error.localizedDescription, errno: ENOENT)
        }
        var state = IngestProgress(filesDone: 0, filesTotal: files.count, records: 0, bytes: 0)
        state.started = started
        state.bytesTotal = files.reduce(0) { total, path in
            var info = stat()
            return total + (path != "-" && stat(path, &info) == 0 ? Int64(info.st_size) : 0)
        }
        for path in files {
            let outcome = try ingestFile(path)
            summary.files.append(outcome)
            touchedDays.formUnion(outcome.days)
            state.filesDone += 1
            state.records += outcome.records
            state.bytes += outcome.bytesRead
            progress?(state)
        }
        // Indexes of days this run wrote, built in bulk for new days (see ensureIndexes).
        do {
            for day in touchedDays.sorted() { try writer(for: day).ensureIndexes() }
        } catch {
            throw .sqlite(error)
        }
        writers.removeAll()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Removes the rows of files whose ingest was killed before it finished; returns their paths.
    public func recover() throws(StoreError) -> [String] {
        do {
            let pending = try catalog.pendingFiles()
            guard !pending.isEmpty else { return [] }
            let days = try FileManager.default.contentsOfDirectory(atPath: store.partitionsURL.path)
                .filter { $0.hasSuffix(".db") }
                .compactMap { PartitionDay(String($0.dropLast(3))) }
            for file in pending {
                for day in days {
                    _ = try writer(for: day).deleteRows(ofFile: file.id)
                }
                try catalog.forgetFile(id: file.id)
            }
            return pending.map(\.path)
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .io("cannot list \(store.partitionsURL.path)", errno: EIO)
        }
    }

    // MARK: One file

    private func ingestFile(_ path: String) throws(StoreError) -> FileOutcome {
        let displayPath = path == "-" ? "<stdin>" : path
        var outcome = FileOutcome(path: displayPath, status: .stored)
        var size: Int64 = 0, modified: Int64 = 0
        if path != "-" {
            var info = stat()
            guard stat(path, &info) == 0 else {
                outcome.status = .rejected(reason: "cannot read: \(String(cString: strerror(errno)))")
                return outcome
            }
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec)
        }
        let fileID: Int64
        do {
            // Quick path for cron re-runs: same path, size and time means the same file.
            if path != "-", let known = try catalog.knownFile(path: displayPath), known.size == size, known.modified == modified {
                outcome.status = known.state == "ignored" ? .ignored(reason: known.message ?? "ignored before") : .alreadyPresent(storedAs: known.path)
                return outcome
            }
            fileID = try catalog.beginFile(path: displayPath, size: size, modified: modified)
        } catch {
            throw .sqlite(error)
        }

        var touched: [PartitionDay: (writer: PartitionWriter, plan: PartitionWriter.InsertPlan)] = [:]
        var committed: [PartitionWriter] = []
        // One thread reads, inflates and parses; this one writes to SQLite. The queue between
        // them holds a few batches, so memory stays bounded whatever the file size.
        let queue = BatchQueue<ReaderMessage>(limit: 4)
        let reader = FlowFileReader(path: path, displayPath: displayPath, maximumLineLength: options.maximumLineLength,
                                    lineErrorsReported: options.lineErrorsReported)
        let thread = Thread { reader.run(into: queue) }
        thread.stackSize = 1 << 20
        thread.start()
        // However this file ends, the reader must stop before the next one starts.
        defer { queue.close() }
        do {
            let key = S3Key(path: path)
            var layout: FlowLayout? = nil
            var startSlot = 0, endSlot: Int? = nil
            var read: FileReadSummary? = nil
            while read == nil {
                switch queue.take() {
                case .layout(let found):
                    layout = found
                    startSlot = found.position(of: .start) ?? 0
                    endSlot = found.position(of: .end)
                    outcome.unknownFields = found.unknownFieldNames
                case .batch(let batch):
                    guard let layout else { continue }
                    let slots = layout.slots.count
                    let records = batch.recordOffsets(slots: slots)
                    // Runs of records of one day (usually the whole batch) go in together.
                    var runStart = 0
                    let offsets = records.map(\.offset)
                    while runStart < records.count {
                        let day = records[runStart].day
                        var runEnd = runStart + 1
                        while runEnd < records.count && records[runEnd].day == day { runEnd += 1 }
                        let target: (writer: PartitionWriter, plan: PartitionWriter.InsertPlan)
                        if let existing = touched[day] {
                            target = existing
                        } else {
                            let writer = try writer(for: day)
                            try writer.beginIfNeeded()
                            target = (writer, try writer.plan(layout: layout, key: key))
                            touched[day] = target
                        }
                        try target.writer.insert(batch, offsets: offsets[runStart..<runEnd], slots: slots, fileID: fileID,
                                                 plan: target.plan, startSlot: startSlot, endSlot: endSlot)
                        runStart = runEnd
                    }
                case .finished(let summary):
                    read = summary
                case .failed(let error):
                    throw error
                }
            }
            guard let read, let layout else { throw LayoutFailure(error: .emptyFile) }
            outcome.records = read.records
            outcome.skippedLines = read.skippedLines
            outcome.lineErrors = read.lineErrors
            outcome.bytesRead = Int64(read.rawBytes)
            let contentKey = read.contentKey

            if let earlier = try catalog.storedFile(contentKey: contentKey) {
                rollback(touched.values.map(\.writer))
                try catalog.forgetFile(id: fileID)
                var duplicate = FileOutcome(path: displayPath, status: .alreadyPresent(storedAs: earlier.path))
                duplicate.bytesRead = outcome.bytesRead
                return duplicate
            }
            if let earlier = try catalog.storedFile(path: displayPath), path != "-" {
                throw FileRejection(reason: "the file changed since it was stored on \(Self.date(earlier.finishedAt)) (\(earlier.records) records); not stored again, as its records would be counted twice")
            }
            if options.strict && outcome.skippedLines > 0 {
                throw FileRejection(reason: "\(outcome.skippedLines) malformed line(s) and --strict is set; first: \(outcome.lineErrors.first ?? "")")
            }
            var deltas: [PartitionDay: Catalog.PartitionDelta] = [:]
            for (day, target) in touched.sorted(by: { $0.key < $1.key }) {
                try target.writer.commit()
                committed.append(target.writer)
                deltas[day] = target.writer.delta
            }
            try catalog.finishFile(
                id: fileID, contentKey: contentKey, records: outcome.records, skipped: outcome.skippedLines,
                layout: layout.headerText, message: outcome.lineErrors.first, partitions: deltas)
            outcome.days = deltas.keys.sorted()
            return outcome
        } catch {
            rollback(touched.values.map(\.writer))
            // Partitions already committed hold rows of a file that will not be stored.
            for writer in committed { _ = try? writer.deleteRows(ofFile: fileID) }
            let reason = Self.reason(for: error)
            outcome.status = .rejected(reason: reason)
            outcome.records = 0
            if let sqlite = error as? SQLiteError {
                // The store itself failed (disk full, read-only): stop the run.
                try? catalog.rejectFile(id: fileID, contentKey: nil, message: reason)
                throw .sqlite(sqlite)
            }
            if let storeError = error as? StoreError { throw storeError }
            do {
                if let layout = error as? LayoutError, layout == .transitGateway {
                    // Not an error: a bucket may mix Transit Gateway logs with VPC ones.
                    outcome.status = .ignored(reason: reason)
                    try catalog.ignoreFile(id: fileID, contentKey: nil, message: reason)
                    return outcome
                }
                try catalog.rejectFile(id: fileID, contentKey: nil, message: reason)
            } catch {
                throw .sqlite(error)
            }
            return outcome
        }
    }

    private func note(_ outcome: inout FileOutcome, _ message: String) {
        if outcome.lineErrors.count < options.lineErrorsReported { outcome.lineErrors.append(message) }
    }

    private func rollback(_ writers: [PartitionWriter]) {
        for writer in writers { writer.rollback() }
    }

    /// The partition's writer, opened on first use; a few are kept open for the next files.
    private func writer(for day: PartitionDay) throws(SQLiteError) -> PartitionWriter {
        if let writer = writers[day] { return writer }
        if writers.count >= Self.maximumOpenPartitions {
            // Between files no writer holds a transaction, so any may be closed.
            writers.removeAll()
        }
        let writer = try PartitionWriter(store: store, day: day)
        writers[day] = writer
        return writer
    }

    private static func reason(for error: Error) -> String {
        switch error {
        case let error as GzipError: return error.localizedDescription
        case let error as LayoutFailure: return error.error.message
        case let error as LayoutError: return error.message
        case let error as FileRejection: return error.reason
        default: return error.localizedDescription
        }
    }

    private static func date(_ seconds: Int64?) -> String {
        guard let seconds else { return "an earlier run" }
        return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// A layout problem, thrown out of the line loop.
private struct LayoutFailure: Error { let error: LayoutError }
/// A decision not to store a file that read fine.
private struct FileRejection: Error { let reason: String }

@available(*, unavailable)
extension Ingestor: Sendable {}
