import ArgumentParser
import FlowIngest
import FlowQuery
import Foundation

/// `flowq status`: what the store holds.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the store's partitions, rows, size on disk and recent ingests.",
        discussion: "Example:\n  flowq status --store ~/flows"
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = storeOptions.resolved
        do {
            let catalog = try store.openCatalogForReading()
            let partitions = try catalog.partitions()
            var lines = ["store: \(store.url.path)"]
            var totalRows: Int64 = 0, totalBytes: Int64 = 0
            lines.append("day       " + "  " + Self.padded("rows", 12) + "  " + Self.padded("files", 5) + "  " + Self.padded("size", 10))
            for partition in partitions {
                let size = Self.fileSize(store.partitionPath(for: partition.day))
                totalRows += partition.rowCount
                totalBytes += size
                lines.append(partition.day.isoText + "  " + Self.padded(partition.rowCount.formatted(), 12) + "  "
                             + Self.padded(String(partition.fileCount), 5) + "  " + Self.padded(ByteCountFormatter.string(fromByteCount: size, countStyle: .file), 10))
            }
            lines.append("\(partitions.count) partition(s), \(totalRows.formatted()) rows, \(ByteCountFormatter.string(fromByteCount: totalBytes, countStyle: .file)) on disk")
            if let last = try catalog.recentFiles(limit: 1).first {
                let when = last.finishedAt.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "unfinished"
                lines.append("last file: \(last.path) (\(last.state), \(when))")
            }
            Terminal.output(lines.joined(separator: "\n") + "\n")
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
    }

    static func padded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func fileSize(_ path: String) -> Int64 {
        var total: Int64 = 0
        for suffix in ["", "-wal"] {
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix), let size = attributes[.size] as? NSNumber {
                total += size.int64Value
            }
        }
        return total
    }
}
