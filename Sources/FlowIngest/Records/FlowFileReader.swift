import Foundation

/// What reading a file produces, in order.
enum ReaderMessage {
    /// The file's layout, read from its header (sent before any batch).
    case layout(FlowLayout)
    /// Parsed records.
    case batch(RecordBatch)
    /// The end of the file, with what was read.
    case finished(FileReadSummary)
    /// The file cannot be read (gzip or layout error); nothing of it may be stored.
    case failed(any Error)
}

/// What reading one file found, besides its records.
struct FileReadSummary: Sendable {
    var records: Int64 = 0
    var skippedLines: Int64 = 0
    var lineErrors: [String] = []
    var rawBytes = 0
    var contentKey = ""
}

/// Reads, inflates, splits and parses one file, sending batches of records as they fill.
struct FlowFileReader: Sendable {
    let path: String
    let displayPath: String
    let maximumLineLength: Int
    let lineErrorsReported: Int

    /// Reads the whole file through `send`, ending with `.finished` or `.failed`. `send` returns
    /// false when the receiver has given up, and reading stops.
    func run(send: (ReaderMessage) -> Bool) {
        do {
            let summary = try read(send: send)
            _ = send(.finished(summary))
        } catch {
            _ = send(.failed(error))
        }
    }

    private func read(send: (ReaderMessage) -> Bool) throws -> FileReadSummary {
        var summary = FileReadSummary()
        let reader = try DecompressingReader(path: path)
        let lines = LineReader(source: reader, maximumLineLength: maximumLineLength)
        var parser: FlowRecordParser? = nil
        let batches = DayBatches()
        var stopped = false
        func note(_ message: String) {
            if summary.lineErrors.count < lineErrorsReported { summary.lineErrors.append(message) }
        }
        try lines.forEach { event in
            // The receiver gave up (another file failed the run): stop inflating at once.
            if stopped { throw ReadStopped() }
            switch event {
            case .overlongLine(let number):
                // A first line this long is no header: the layout is unknown, nothing can be read.
                guard parser != nil else { throw LayoutError.headerTooLong(limit: maximumLineLength) }
                summary.skippedLines += 1
                note("\(displayPath):\(number): line longer than \(maximumLineLength.formatted()) bytes")
            case .line(let bytes, let number):
                guard let current = parser else {
                    let layout = try FlowLayout(headerLine: bytes)
                    parser = FlowRecordParser(layout: layout)
                    stopped = !send(.layout(layout))
                    return
                }
                switch current.parse(bytes) {
                case .blank:
                    return
                case .malformed(let reason):
                    summary.skippedLines += 1
                    note("\(displayPath):\(number): \(reason)")
                case .record(let start):
                    if let full = batches.append(current, line: bytes, day: PartitionDay(unixSeconds: start)) {
                        stopped = !send(.batch(full)) || stopped
                    }
                    if batches.isOverBudget {
                        for batch in batches.drain() { stopped = !send(.batch(batch)) || stopped }
                    }
                    summary.records += 1
                }
            }
        }
        guard parser != nil else { throw LayoutError.emptyFile }
        if stopped { throw ReadStopped() }
        for batch in batches.drain() { stopped = !send(.batch(batch)) || stopped }
        if stopped { throw ReadStopped() }
        summary.rawBytes = reader.rawByteCount
        summary.contentKey = reader.contentKey
        return summary
    }
}

/// One batch per day being filled, so each batch a lane receives holds one day's records.
///
/// A file spanning many days in no order (a converted export) would otherwise send a batch of
/// a few records per day, and the writers would open and commit a partition for each. Memory
/// stays bounded: past `budget` bytes buffered, every day's batch is sent.
final class DayBatches {
    private var builders: [PartitionDay: RecordBatchBuilder] = [:]
    /// The day of the previous record and its builder: files are mostly one day at a time.
    private var lastDay = PartitionDay(dayNumber: .min)
    private var lastBuilder: RecordBatchBuilder? = nil
    private var buffered = 0
    /// Bytes of records held across all days before they are sent.
    static let budget = 16 << 20

    /// True when the days' batches hold more than the budget: `drain()` them.
    var isOverBudget: Bool { buffered > Self.budget }

    /// Adds a record to its day's batch; returns a batch to send when one filled up.
    func append(_ parser: FlowRecordParser, line: UnsafeRawBufferPointer, day: PartitionDay) -> RecordBatch? {
        var sealed: RecordBatch? = nil
        var builder: RecordBatchBuilder
        if day == lastDay, let last = lastBuilder {
            builder = last
        } else if let existing = builders[day] {
            builder = existing
        } else {
            // Days after the first start small: most files hold one or two days.
            builder = RecordBatchBuilder(initialCapacity: builders.isEmpty ? RecordBatchBuilder.standardCapacity : 16 << 10)
            builders[day] = builder
        }
        if builder.needsSeal(beforeRecordWith: parser.values.count, lineLength: line.count) {
            buffered -= builder.byteCount
            sealed = builder.seal()
        }
        let before = builder.byteCount
        builder.append(parser, line: line, day: day)
        buffered += builder.byteCount - before
        if builder.isFull {
            // One batch is sent per call at most: a full batch after a sealed one cannot happen
            // (a fresh batch holds one record, far below full).
            buffered -= builder.byteCount
            sealed = builder.seal()
        }
        lastDay = day
        lastBuilder = builder
        return sealed
    }

    /// Every day's batch that holds records, oldest day first; the builders start again.
    func drain() -> [RecordBatch] {
        var batches: [RecordBatch] = []
        for day in builders.keys.sorted() {
            guard let builder = builders[day], builder.records > 0 else { continue }
            batches.append(builder.seal())
        }
        builders.removeAll()
        lastBuilder = nil
        lastDay = PartitionDay(dayNumber: .min)
        buffered = 0
        return batches
    }
}

@available(*, unavailable)
extension DayBatches: Sendable {}

/// Reading stopped because the receiver gave up.
struct ReadStopped: Error {}
