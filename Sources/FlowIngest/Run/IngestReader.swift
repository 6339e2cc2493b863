import FlowModel
import Foundation

/// One reading thread of an ingest: takes files from its inbox, inflates, parses and encodes
/// them, and sends each segment to the lane that owns its day.
///
/// `@unchecked Sendable`: its only state after `start()` is the queues, which are thread-safe.
final class IngestReader: @unchecked Sendable {
    let inbox = BatchQueue<FileJob>(limit: .max)
    private let lanes: [IngestLane]
    private let events: BatchQueue<IngestEvent>
    private let options: IngestOptions
    private let done = DispatchSemaphore(value: 0)

    init(lanes: [IngestLane], events: BatchQueue<IngestEvent>, options: IngestOptions) {
        self.lanes = lanes
        self.events = events
        self.options = options
    }

    /// Starts the reader's thread; it ends when `inbox` is closed.
    func start(name: String) {
        let thread = Thread { [self] in
            while let job = inbox.take() { read(job) }
            done.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Waits for the thread to end.
    func join() {
        done.wait()
    }

    /// The lane writing `day`.
    private func lane(for day: PartitionDay) -> IngestLane {
        let count = Int32(lanes.count)
        return lanes[Int(((day.dayNumber % count) + count) % count)]
    }

    private func read(_ job: FileJob) {
        var reader = FlowFileReader(path: job.path, displayPath: job.displayPath, maximumLineLength: options.maximumLineLength,
                                    lineErrorsReported: options.lineErrorsReported)
        reader.fileID = job.fileID
        reader.key = S3Key(path: job.path)
        reader.logFormat = options.logFormat
        if let source = job.source {
            reader.openSource = { try source.get().source }
        }
        var layout: FlowLayout? = nil
        reader.run { message in
            switch message {
            case .layout(let found):
                layout = found
                return true
            case .segment(let segment):
                return lane(for: segment.day).inbox.put(.segment(segment))
            case .finished(let summary):
                if let layout {
                    return events.put(.fileRead(job: job, result: .success(FileReadResult(layout: layout, summary: summary))))
                }
                return events.put(.fileRead(job: job, result: .failure(FileReadFailure(error: LayoutError.emptyFile))))
            case .failed(let error):
                if error is ReadStopped { return false }
                return events.put(.fileRead(job: job, result: .failure(FileReadFailure(error: error))))
            }
        }
    }
}
