import FlowIngest
import Foundation

/// The ingest progress bar on standard error: files, records, MB/s and time left.
final class ProgressLine {
    private var lastWidth = 0

    /// Redraws the line for `progress`.
    func show(_ progress: IngestProgress) {
        let elapsed = max(Date().timeIntervalSince(progress.started), 0.001)
        let fraction = progress.bytesTotal > 0 ? min(1, Double(progress.bytes) / Double(progress.bytesTotal))
                                               : Double(progress.filesDone) / Double(max(progress.filesTotal, 1))
        let filled = Int(fraction * 24)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 24 - filled)
        let rate = Double(progress.bytes) / elapsed / 1_000_000
        let left = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let text = "[\(bar)] \(progress.filesDone)/\(progress.filesTotal) files  \(progress.records.formatted()) records  "
            + String(format: "%.1f MB/s  ETA %d:%02d", rate, Int(left) / 60, Int(left) % 60)
        let padding = String(repeating: " ", count: max(0, lastWidth - text.count))
        lastWidth = text.count
        Terminal.progress("\r" + text + padding)
    }

    /// Removes the line before the summary is printed.
    func clear() {
        guard lastWidth > 0 else { return }
        Terminal.progress("\r" + String(repeating: " ", count: lastWidth) + "\r")
    }
}
