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
        let batch = RecordBatchBuilder()
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
                    if batch.needsSeal(beforeRecordWith: current.values.count, lineLength: bytes.count) {
                        stopped = !send(.batch(batch.seal()))
                    }
                    batch.append(current, line: bytes, day: PartitionDay(unixSeconds: start))
                    summary.records += 1
                    if batch.isFull { stopped = !send(.batch(batch.seal())) }
                }
            }
        }
        guard parser != nil else { throw LayoutError.emptyFile }
        if stopped { throw ReadStopped() }
        if batch.records > 0, !send(.batch(batch.seal())) { throw ReadStopped() }
        summary.rawBytes = reader.rawByteCount
        summary.contentKey = reader.contentKey
        return summary
    }
}

/// Reading stopped because the receiver gave up.
struct ReadStopped: Error {}
