import ArgumentParser
import FlowEmit
import FlowModel
import FlowQuery
import FlowSQLite
import FlowStore
import Foundation

/// `flowq query`: runs one SELECT and prints the answer.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run an Athena-style SELECT over the store.",
        discussion: """
            The tables are vpc_flow_logs (or flows) and tgw_flow_logs (Transit Gateway flow logs);
            columns are the flow-log fields with - as _, plus date (DATE), day and date_partition
            ('YYYY/MM/DD'), the UTC day of start.

            Examples:
              flowq query "SELECT * FROM vpc_flow_logs WHERE (action = 'REJECT' AND dstport = 443) AND date_partition >= '2024-01-01'"
              flowq query --format csv "SELECT srcaddr, count(*) AS c FROM vpc_flow_logs WHERE action = 'REJECT' GROUP BY srcaddr ORDER BY c DESC LIMIT 10"
              flowq query --file top-talkers.sql --format json
              flowq query "SELECT tgw_attachment_id, sum(bytes) AS bytes FROM tgw_flow_logs WHERE date = DATE '2024-01-05' GROUP BY 1 ORDER BY 2 DESC"

            Output: table on a terminal, CSV when piped (override with --format).
            Exit status: 0 success; 2 the query is invalid; 1 it failed while running (or timed out).
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .shortAndLong, help: "Output format: table, csv, json or ndjson (default: table on a terminal, csv otherwise).")
    var format: String?
    @Option(help: ArgumentHelp("Stop the query after this many seconds.", valueName: "seconds"))
    var timeout: Double?
    @Option(help: ArgumentHelp("The most memory the query's groups and distinct sets may take (default 2GB).", valueName: "size"))
    var memoryLimit: String?
    @Option(help: ArgumentHelp("Read the query from a file (- for standard input).", valueName: "path"))
    var file: String?
    @Option(help: "Where to run it: local (the store) or spark (spark-sql over the exported files).")
    var engine: String = "local"
    @Option(help: ArgumentHelp("Spark master: local[*], spark://host:7077, yarn or k8s://... (with --engine spark).", valueName: "url"))
    var sparkMaster: String = "local[*]"
    @Option(help: ArgumentHelp("The folder or s3a:// prefix holding AWSLogs/ (with --engine spark).", valueName: "path"))
    var location: String?
    @Option(help: "The files' header line, when not the default format (with --engine spark).")
    var fields: String?
    @Argument(help: "The SELECT statement.")
    var sql: String?

    func validate() throws {
        if sql == nil && file == nil { throw ValidationError("give the query as an argument or with --file") }
        if sql != nil && file != nil { throw ValidationError("give the query either as an argument or with --file, not both") }
        if let format, OutputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be table, csv, json or ndjson, not '\(format)'")
        }
        if let timeout { try TimeoutOption.validate(timeout) }
        if let memoryLimit { _ = try MemoryLimitOption.bytes(memoryLimit) }
        guard ["local", "spark"].contains(engine) else { throw ValidationError("--engine must be local or spark, not '\(engine)'") }
        if engine == "spark" && location == nil { throw ValidationError("--engine spark needs --location: the folder or s3a:// prefix holding AWSLogs/") }
    }

    func run() throws {
        let text = try QueryText.read(argument: sql, file: file)
        let outputFormat = format.flatMap(OutputFormat.init(rawValue:)) ?? (Terminal.stdoutIsTerminal ? .table : .csv)
        if engine == "spark" {
            try runOnSpark(text, format: outputFormat)
            return
        }
        var options = ExecutionOptions()
        options.timeout = timeout
        if let memoryLimit { options.memoryLimit = try MemoryLimitOption.bytes(memoryLimit) }
        let engine = QueryEngine(store: storeOptions.resolved)
        // Ctrl-C stops the query cleanly: the workers stop at their next batch, nothing is left open.
        let interrupt = InterruptSignal(cancellation: options.cancellation)
        defer { withExtendedLifetime(interrupt) {} }
        let buffer = OutputBuffer()
        try QueryText.reportingErrors(text) {
            try engine.run(text, format: outputFormat, options: options, style: Terminal.tableStyle, output: buffer.append)
        }
        try buffer.flush()
    }
}

extension QueryCommand {
    /// Runs the query on Spark over the exported files and prints it as flowq would.
    func runOnSpark(_ text: String, format: OutputFormat) throws {
        // The files' columns are the default format's or `--fields`; flowq types Spark's answer
        // (and expands `*`) as it would for a store holding exactly those columns.
        let fieldNames = fields.map { $0.split(separator: " ").map { $0.lowercased().replacingOccurrences(of: "-", with: "_") } }
        let table = (try? QueryParser.parse(text)).flatMap { try? QueryPlanner.table(of: $0) } ?? .vpc
        let described = PartitionInfo(table: table, day: PartitionDay(dayNumber: 0), rowCount: 0, fileCount: 0, startRange: 0...0, endRange: nil,
                                      columns: fieldNames ?? table.defaultFields.map(\.columnName), sizeOnDisk: 0)
        let planner = QueryPlanner(snapshot: StoreSnapshot(partitions: [described], fileWatermark: 0, unfinishedFileIDs: [],
                                                           extraColumns: fieldNames ?? []))
        let columns: [ResultColumn]
        do {
            columns = try planner.plan(text).columns
        } catch {
            Terminal.message(error.rendered(query: text))
            throw ExitStatus.invalidQuery
        }
        var runner = SparkRunner(master: sparkMaster, location: location.map { $0.contains("://") ? $0 : URL(fileURLWithPath: $0).standardizedFileURL.path } ?? "")
        if let fields { runner.fields = fields.split(separator: " ").map(String.init) }
        // Spark's `*` would list its table's columns; flowq's rows are labelled with its own.
        runner.starColumns = try? planner.plan("SELECT * FROM \(table.name)").columns.map(\.name)
        let rows: [[SQLiteValue]]
        do {
            rows = try runner.run(text, columns: columns)
        } catch let error as QueryError {
            Terminal.message(error.rendered(query: text))
            throw ExitStatus.invalidQuery
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        let writer = try ResultWriter(format: format, columns: columns, style: Terminal.tableStyle, write: { try Terminal.output($0) })
        for row in rows { try writer.add(row) }
        try writer.finish()
    }
}

/// Reading query text and reporting query errors, shared by query and explain.
enum QueryText {
    /// The query from the argument or the file (`-` is standard input).
    static func read(argument: String?, file: String?) throws -> String {
        if let argument { return argument }
        guard let file else { return "" }
        if file == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        do {
            return try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            Terminal.message("error: cannot read the query file \(file): \(error.localizedDescription)")
            throw ExitStatus.failure
        }
    }

    /// Runs `body`, printing a query error with its caret line and exiting with the right status.
    @discardableResult
    static func reportingErrors<T>(_ text: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as QueryError {
            Terminal.message(error.rendered(query: text))
            throw ExitStatus.forQuery(error)
        } catch let error as ExitCode {
            throw error
        } catch let error as OutputError {
            throw error
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
    }
}
