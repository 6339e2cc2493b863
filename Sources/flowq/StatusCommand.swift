import ArgumentParser
import FlowModel
import Foundation

/// `flowq status`: what the store holds.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the store's partitions, rows, size on disk and the last ingest.",
        discussion: """
            Each table is listed on its own: vpc_flow_logs, then tgw_flow_logs (Transit Gateway).

            Examples:
              flowq status --store ~/flows
              flowq status --format json | jq '.rows'
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .shortAndLong, help: "Output format: table or json.") var format: String = "table"

    func validate() throws {
        guard ["table", "json"].contains(format) else { throw ValidationError("--format must be table or json, not '\(format)'") }
    }

    /// The status as JSON shows it.
    struct Status: Codable {
        struct Partition: Codable {
            /// The table: `vpc_flow_logs` or `tgw_flow_logs`.
            var table: String
            var day: String
            var rows: Int64
            var files: Int64
            var bytes: Int64
            /// Rows of formats without `start`, placed by `end` or the delivery date.
            var rowsWithoutStart: Int64
        }
        struct LastFile: Codable {
            var path: String
            var state: String
            var finishedAt: String?
            var records: Int64
            var message: String?
        }
        /// One table's totals.
        struct Table: Codable {
            var name: String
            var partitions: Int
            var rows: Int64
            var bytes: Int64
        }
        var store: String
        /// Every table, VPC first, each listed even when empty.
        var tables: [Table]
        /// Every partition of every table.
        var partitions: [Partition]
        /// Totals over every table.
        var rows: Int64
        var bytes: Int64
        var lastFile: LastFile?
    }

    func run() throws {
        let store = storeOptions.resolved
        let status: Status
        do {
            let catalog = try store.openCatalogForReading()
            let partitions = try catalog.partitions().map { partition in
                Status.Partition(table: partition.table.name, day: partition.day.isoText, rows: partition.rowCount, files: partition.fileCount,
                                 bytes: Self.fileSize(store.partitionPath(for: partition.key)), rowsWithoutStart: partition.rowsWithoutStart)
            }
            let tables = FlowTable.allCases.map { table in
                let own = partitions.filter { $0.table == table.name }
                return Status.Table(name: table.name, partitions: own.count, rows: own.reduce(0) { $0 + $1.rows }, bytes: own.reduce(0) { $0 + $1.bytes })
            }
            let last = try catalog.recentFiles(limit: 1).first.map { file in
                Status.LastFile(path: file.path, state: file.state,
                                finishedAt: file.finishedAt.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval($0))) },
                                records: file.records, message: file.message)
            }
            status = Status(store: store.url.path, tables: tables, partitions: partitions, rows: partitions.reduce(0) { $0 + $1.rows },
                            bytes: partitions.reduce(0) { $0 + $1.bytes }, lastFile: last)
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        if format == "json" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try Terminal.output(String(decoding: (try? encoder.encode(status)) ?? Data(), as: UTF8.self) + "\n")
            return
        }
        var lines = ["store: \(DisplayText.escaped(status.store))"]
        for table in status.tables {
            let title = FlowTable(catalogName: table.name)?.title ?? table.name
            guard table.partitions > 0 else {
                lines.append("\(table.name) (\(title)): no partitions")
                continue
            }
            lines.append("\(table.name) (\(title))")
            lines.append("day       " + "  " + Self.padded("rows", 12) + "  " + Self.padded("files", 5) + "  " + Self.padded("size", 10))
            for partition in status.partitions where partition.table == table.name {
                lines.append(partition.day + "  " + Self.padded(partition.rows.formatted(), 12) + "  "
                             + Self.padded(String(partition.files), 5) + "  " + Self.padded(ByteCountFormatter.string(fromByteCount: partition.bytes, countStyle: .file), 10))
            }
            lines.append("\(table.partitions) partition(s), \(table.rows.formatted()) rows, \(ByteCountFormatter.string(fromByteCount: table.bytes, countStyle: .file)) on disk")
        }
        let withoutStart = status.partitions.filter { $0.rowsWithoutStart > 0 }
        if !withoutStart.isEmpty {
            let total = withoutStart.reduce(0) { $0 + $1.rowsWithoutStart }
            lines.append("\(total.formatted()) rows of formats without start, placed in their day by end or by the delivery date of their file (\(withoutStart.map { $0.table == FlowTable.vpc.name ? $0.day : "\($0.table) \($0.day)" }.joined(separator: ", ")))")
        }
        if let last = status.lastFile {
            // Paths and messages come from outside (file names, header fields): shown escaped.
            lines.append("last file: \(DisplayText.escaped(last.path)) (\(last.state)\(last.finishedAt.map { ", \($0)" } ?? "")\(last.message.map { ": \(DisplayText.escaped($0))" } ?? ""))")
        }
        try Terminal.output(lines.joined(separator: "\n") + "\n")
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
