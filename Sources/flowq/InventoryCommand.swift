import ArgumentParser
import FlowIngest
import FlowInventory
import FlowModel
import FlowQuery
import FlowSQLite
import FlowStore
import Foundation

/// `flowq inventory`: snapshots of what the AWS CLI says about a VPC, and of AWS's address ranges.
struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Add, list and remove inventory snapshots (AWS CLI describe-* output, ip-ranges.json).",
        discussion: """
            An inventory explains addresses: which instance, NAT gateway or VPC endpoint an address belonged to, and which AWS service a public address is. `flowq inventory add` reads the JSON that `aws ec2 describe-network-interfaces`, `describe-instances`, `describe-subnets`, `describe-vpcs`, `describe-security-groups`, `describe-nat-gateways` and `describe-vpc-endpoints` print, and AWS's ip-ranges.json, each recognised by its content. Queries then use aws_service(addr) and aws_region(addr). The tables and their columns are in docs/inventory.md.

            Examples:
              aws ec2 describe-network-interfaces > enis.json
              curl -sO https://ip-ranges.amazonaws.com/ip-ranges.json
              flowq inventory add enis.json ip-ranges.json
              flowq inventory list
              flowq query "SELECT aws_service(dstaddr) AS service, sum(bytes) FROM flows GROUP BY 1 ORDER BY 2 DESC"
            """,
        subcommands: [InventoryAddCommand.self, InventoryListCommand.self, InventoryRemoveCommand.self, InventoryExportCommand.self]
    )
}

/// `flowq inventory add FILE...`
struct InventoryAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add inventory files as snapshots.",
        discussion: """
            Each file is one snapshot, added whole or not at all; the same content twice is added once. A snapshot describes the time --as-of gives, else the time the file itself states (ip-ranges.json's createDate), else the file's modification time. A file that cannot be read is named with the line, column and reason, and the others are still added; the exit status is then 3.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: ArgumentHelp("The time the files describe (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC).", valueName: "time"))
    var asOf: String?
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
    @Argument(help: ArgumentHelp("The JSON files.", valueName: "file")) var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name one or more inventory files") }
        if let asOf, Self.seconds(asOf) == nil { throw ValidationError("--as-of takes a UTC time such as 2024-01-05 or 2024-01-05T10:00:00Z, not '\(asOf)'") }
    }

    func run() throws {
        let store = storeOptions.resolved
        var failed = 0
        do {
            try store.createIfNeeded()
            guard let inventory = try InventoryStore.open(store, forWriting: true) else { return }
            for path in files {
                do {
                    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                    let document = try InventoryDocument.parse(bytes: bytes, name: path)
                    let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)?.map { Int64($0.timeIntervalSince1970) }
                    let asOf = self.asOf.flatMap(Self.seconds) ?? document.asOf ?? modified ?? Int64(Date().timeIntervalSince1970)
                    var hash = XXHash64()
                    bytes.withUnsafeBytes { hash.update($0) }
                    switch try inventory.add(document, source: path, contentKey: hash.contentKey, asOf: asOf) {
                    case .added(let id, let rows):
                        if !quiet {
                            Terminal.message("added \(path): \(document.kind.source), \(rows.formatted()) row(s) into \(document.kind.tableNames.joined(separator: ", ")), as of \(Self.text(asOf)) (snapshot \(id))")
                        }
                    case .alreadyPresent(let id, let source):
                        if !quiet { Terminal.message("already present \(path): the same content is snapshot \(id) (\(source))") }
                    }
                } catch let error as InventoryError {
                    failed += 1
                    Terminal.message("error: \(error.localizedDescription) (nothing of it added)")
                } catch let error as CocoaError {
                    failed += 1
                    Terminal.message("error: \(path): cannot read: \(error.localizedDescription) (nothing of it added)")
                }
            }
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        if failed > 0 { throw ExitStatus.filesRejected }
    }

    /// `2024-01-05` or an ISO 8601 UTC time as Unix seconds.
    static func seconds(_ text: String) -> Int64? {
        if let day = PartitionDay(text) { return Int64(day.dayNumber) * 86_400 }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    /// Unix seconds as ISO 8601 UTC.
    static func text(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// `flowq inventory list`
struct InventoryListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the inventory snapshots.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .shortAndLong, help: "Output format: table, csv, json or ndjson (default: table on a terminal, csv otherwise).")
    var format: String?

    func validate() throws {
        if let format, OutputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be table, csv, json or ndjson, not '\(format)'")
        }
    }

    func run() throws {
        let store = storeOptions.resolved
        let snapshots: [InventoryStore.Snapshot]
        do {
            snapshots = try InventoryStore.open(store, forWriting: false)?.snapshots() ?? []
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        let outputFormat = format.flatMap(OutputFormat.init(rawValue:)) ?? (Terminal.stdoutIsTerminal ? .table : .csv)
        if snapshots.isEmpty && outputFormat == .table {
            Terminal.message("no inventory in \(store.url.path): add AWS CLI describe-* output or ip-ranges.json with `flowq inventory add`")
            return
        }
        // The same writer as query answers: one table printer, and CSV and JSON for scripts.
        let columns = [ResultColumn(name: "id", type: .integer), ResultColumn(name: "as_of", type: .varchar),
                       ResultColumn(name: "rows", type: .integer, isQuantity: true), ResultColumn(name: "kind", type: .varchar),
                       ResultColumn(name: "what", type: .varchar), ResultColumn(name: "file", type: .varchar)]
        let writer = try ResultWriter(format: outputFormat, columns: columns, style: Terminal.tableStyle, write: { try Terminal.output($0) })
        for snapshot in snapshots {
            try writer.add([.integer(snapshot.id), .text(InventoryAddCommand.text(snapshot.asOf)), .integer(snapshot.rows),
                            .text(snapshot.kind.rawValue), .text(snapshot.kind.source), .text(snapshot.source)])
        }
        try writer.finish()
    }
}

/// `flowq inventory remove ID...`
struct InventoryRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove inventory snapshots by id (see `flowq inventory list`).")

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: ArgumentHelp("Snapshot ids.", valueName: "id")) var ids: [Int64]

    func run() throws {
        let store = storeOptions.resolved
        var missing: [Int64] = []
        guard FileManager.default.fileExists(atPath: store.url.appendingPathComponent(InventoryStore.fileName).path) else {
            Terminal.message("error: no inventory in \(store.url.path)")
            throw ExitStatus.failure
        }
        do {
            guard let inventory = try InventoryStore.open(store, forWriting: true) else { return }
            for id in ids {
                if try inventory.remove(id: id) { Terminal.message("removed snapshot \(id)") } else { missing.append(id) }
            }
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        if !missing.isEmpty {
            Terminal.message("error: no snapshot \(missing.map(String.init).joined(separator: ", ")) (see `flowq inventory list`)")
            throw ExitStatus.failure
        }
    }
}

/// `flowq inventory export --out DIR`
struct InventoryExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the inventory tables as JSON lines, for Athena or Spark to join with the flow logs.",
        discussion: """
            Each table with rows is written, as flowq's queries see it, to DIR/<table>/<table>.json,
            one object per line. Copy DIR to S3 and create the tables with
            `flowq ddl --engine athena --inventory-location s3://bucket/inventory/`; a query that
            joins them (`flowq emit`) then runs there as it runs here.

            Example:
              flowq inventory export --out ./inventory && aws s3 sync ./inventory s3://my-bucket/inventory/
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: ArgumentHelp("The folder to write (one folder per table inside).", valueName: "dir"), completion: .directory)
    var out: String

    func run() throws {
        let store = storeOptions.resolved
        do {
            guard let inventory = try InventoryStore.open(store, forWriting: false) else {
                Terminal.message("error: no inventory in \(store.url.path): add files with `flowq inventory add`")
                throw ExitStatus.failure
            }
            let written = try inventory.export(to: URL(fileURLWithPath: out))
            for (table, rows) in written {
                Terminal.message("wrote \(rows.formatted()) row(s) of \(table) to \(out)/\(table)/\(table).json")
            }
            if written.isEmpty { Terminal.message("the inventory has no rows; nothing written") }
        } catch let status as ExitCode {
            throw status
        } catch {
            Terminal.message("error: cannot export the inventory to \(out): \(error.localizedDescription)")
            throw ExitStatus.failure
        }
    }
}
