import FlowModel
import FlowParquet
import FlowStore
import Foundation

/// What reading a file produces, in order.
enum ReaderMessage {
    /// The file's layout, read from its header (sent before any segment).
    case layout(FlowLayout)
    /// Records of one day, encoded.
    case segment(EncodedSegment)
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

/// Reads, inflates, splits, parses and encodes one file, sending a segment whenever one day's
/// records fill one (and the rest at the end).
struct FlowFileReader: Sendable {
    let path: String
    let displayPath: String
    let maximumLineLength: Int
    let lineErrorsReported: Int
    /// The file's catalog id, which its segments carry.
    var fileID: Int64 = 0
    /// What the file's path says (account and region for layouts without them).
    var key = S3Key()
    /// The layout of files without a header line (`--log-format`); a header, when present, wins.
    var logFormat: FlowLayout? = nil
    /// Opens the raw bytes when they do not come from `path` (an S3 object's body).
    var openSource: (@Sendable () throws -> any ByteSource)? = nil

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
        // Parquet is recognised by its first bytes, not its name.
        let reader: DecompressingReader
        if let openSource {
            let source = PeekableSource(try openSource())
            if ParquetFile.isParquet(firstBytes: try source.peek(4)) {
                return try read(ParquetRecords.spooling(source, name: displayPath), send: send)
            }
            reader = DecompressingReader(source: source, name: displayPath)
        } else if ParquetRecords.isParquet(path: path) {
            return try read(ParquetRecords(path: path), send: send)
        } else {
            reader = try DecompressingReader(path: path)
        }
        // CloudWatch Logs JSON (Firehose deliveries) becomes one line per log event.
        let events = LogEventsSource(upstream: reader, name: displayPath)
        let lines = LineReader(source: events, maximumLineLength: maximumLineLength)
        var sink: RecordSink? = nil
        // CloudWatch Logs export tasks put each event's time in front of its message.
        var timestamped = false
        func place(_ number: Int) -> String {
            events.isJSON ? "\(displayPath): log event \(number)" : "\(displayPath):\(number)"
        }
        try lines.forEach { event in
            // The receiver gave up (another file failed the run): stop inflating at once.
            if sink?.stopped == true { throw ReadStopped() }
            switch event {
            case .overlongLine(let number):
                // A first line this long is no header: the layout is unknown, nothing can be read.
                guard let sink else { throw LayoutError.headerTooLong(limit: maximumLineLength) }
                sink.skip("\(place(number)): line longer than \(maximumLineLength.formatted()) bytes")
            case .line(var bytes, let number):
                if sink == nil { timestamped = RecordFraming.hasTimestamp(bytes) }
                if timestamped { bytes = RecordFraming.droppingTimestamp(bytes) }
                guard let current = sink else {
                    let header = try RecordFraming.header(bytes, format: logFormat)
                    guard let layout = header ?? logFormat else { throw LayoutError.emptyFile }
                    let first = try begin(layout, send: send)
                    sink = first
                    // Without a header the first line is already a record.
                    if header == nil { first.take(first.parser.parse(bytes), line: bytes, place: place(number), send: send) }
                    return
                }
                current.take(current.parser.parse(bytes), line: bytes, place: place(number), send: send)
            }
        }
        guard let sink else { throw LayoutError.emptyFile }
        var summary = try sink.finish(send: send)
        summary.rawBytes = reader.rawByteCount
        summary.contentKey = reader.contentKey
        return summary
    }

    /// Reads a Parquet file's rows: its column names are the header.
    private func read(_ parquet: ParquetRecords, send: (ReaderMessage) -> Bool) throws -> FileReadSummary {
        let layout = try parquet.headerLine.withUnsafeBytes { header in try FlowLayout(headerLine: header) }
        let sink = try begin(layout, send: send)
        try parquet.forEachRecord(parser: sink.parser) { outcome, buffer, line in
            if sink.stopped { throw ReadStopped() }
            // The buffer holds a whole batch's text; a row's own size is not at hand, and the
            // batch is in memory already: the budget is checked every 1,024 records.
            sink.take(outcome, line: buffer, length: 0, place: "\(displayPath):\(line)", send: send)
        }
        var summary = try sink.finish(send: send)
        summary.rawBytes = parquet.byteCount
        summary.contentKey = parquet.contentKey
        return summary
    }

    /// The parser and day segments for records of `layout`, the layout sent on.
    private func begin(_ layout: FlowLayout, send: (ReaderMessage) -> Bool) throws -> RecordSink {
        let parser = FlowRecordParser(layout: layout)
        if layout.partitionTime == .delivery {
            guard let delivered = key.deliveryTime else { throw LayoutError.noTimeToPartitionBy }
            parser.deliveryTime = delivered
        }
        let sink = RecordSink(parser: parser, days: DaySegments(layout: layout, fileID: fileID, key: key), errorsKept: lineErrorsReported)
        sink.stopped = !send(.layout(layout))
        return sink
    }
}

/// Where a file's parsed records go: valid ones into their day's segment (sent when full),
/// malformed ones counted and the first few reasons kept.
private final class RecordSink {
    let parser: FlowRecordParser
    private let days: DaySegments
    private let errorsKept: Int
    private(set) var summary = FileReadSummary()
    /// True once the receiver has given up.
    var stopped = false

    init(parser: FlowRecordParser, days: DaySegments, errorsKept: Int) {
        self.parser = parser
        self.days = days
        self.errorsKept = errorsKept
    }

    /// Takes the parser's outcome for one record; `line` is the buffer its text values point into.
    /// `length` is the record's size in text (for the memory budget), when it is not `line`'s.
    func take(_ outcome: FlowRecordParser.Outcome, line: UnsafeRawBufferPointer, length: Int? = nil,
              place: @autoclosure () -> String, send: (ReaderMessage) -> Bool) {
        switch outcome {
        case .blank:
            return
        case .malformed(let reason):
            skip("\(place()): \(reason)")
        case .record(let start):
            if let full = days.append(parser, line: line, length: length ?? line.count, day: PartitionDay(unixSeconds: start)) {
                stopped = !send(.segment(full)) || stopped
            }
            if days.isOverBudget {
                for segment in days.drain() { stopped = !send(.segment(segment)) || stopped }
            }
            summary.records += 1
        }
    }

    /// Counts a record that cannot be stored, keeping the first reasons.
    func skip(_ message: @autoclosure () -> String) {
        summary.skippedLines += 1
        if summary.lineErrors.count < errorsKept { summary.lineErrors.append(message()) }
    }

    /// Sends the rest of the segments; the summary of the file.
    func finish(send: (ReaderMessage) -> Bool) throws -> FileReadSummary {
        if stopped { throw ReadStopped() }
        for segment in days.drain() { stopped = !send(.segment(segment)) || stopped }
        if stopped { throw ReadStopped() }
        return summary
    }
}

@available(*, unavailable)
extension RecordSink: Sendable {}

/// One segment being built per day of a file, so that each segment holds one day's records.
///
/// A file spanning many days in no order (a converted export) would otherwise make tiny
/// segments, and the writers would open and commit a partition for each. Memory stays bounded:
/// past `budget` bytes buffered, every day's segment is encoded and sent.
final class DaySegments {
    private let layout: FlowLayout
    private let fileID: Int64
    private let key: S3Key
    private let scratch = EncoderScratch()
    private var builders: [PartitionDay: SegmentBuilder] = [:]
    /// The day of the previous record and its builder: files are mostly one day at a time.
    private var lastDay = PartitionDay(dayNumber: .min)
    private var lastBuilder: SegmentBuilder? = nil
    private var recordsSinceBudgetCheck = 0
    private var overBudget = false
    /// Bytes of buffered records across all days before every day's segment is sent.
    static let budget = 48 << 20

    init(layout: FlowLayout, fileID: Int64, key: S3Key) {
        self.layout = layout
        self.fileID = fileID
        self.key = key
    }

    /// True when the days' builders hold more than the budget: `drain()` them.
    var isOverBudget: Bool { overBudget }

    /// Adds a record to its day's segment; returns a segment to send when one filled up.
    /// `length` is the record's size in text, which checks the budget at once when large.
    func append(_ parser: FlowRecordParser, line: UnsafeRawBufferPointer, length: Int, day: PartitionDay) -> EncodedSegment? {
        let builder: SegmentBuilder
        if day == lastDay, let last = lastBuilder {
            builder = last
        } else if let existing = builders[day] {
            builder = existing
        } else {
            builder = SegmentBuilder(day: day, layout: layout, deliveryTime: key.deliveryTime ?? 0)
            builders[day] = builder
        }
        builder.append(parser, line: line)
        lastDay = day
        lastBuilder = builder
        recordsSinceBudgetCheck += 1
        if recordsSinceBudgetCheck >= 1024 || length > 4096 {
            recordsSinceBudgetCheck = 0
            overBudget = builders.values.reduce(0) { $0 + $1.byteCount } > Self.budget
        }
        guard builder.isFull else { return nil }
        builders[day] = nil
        lastBuilder = nil
        lastDay = PartitionDay(dayNumber: .min)
        return builder.encode(fileID: fileID, key: key, scratch: scratch)
    }

    /// Every day's segment that holds records, oldest day first; the builders start again.
    func drain() -> [EncodedSegment] {
        let segments = builders.keys.sorted().compactMap { day -> EncodedSegment? in
            guard let builder = builders[day], builder.rows > 0 else { return nil }
            return builder.encode(fileID: fileID, key: key, scratch: scratch)
        }
        builders.removeAll()
        lastBuilder = nil
        lastDay = PartitionDay(dayNumber: .min)
        overBudget = false
        return segments
    }
}

@available(*, unavailable)
extension DaySegments: Sendable {}

/// Reading stopped because the receiver gave up.
struct ReadStopped: Error {}
