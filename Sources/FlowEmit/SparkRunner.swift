import FlowQuery
import FlowSQLite
import Foundation

/// Runs a flowq query on Apache Spark through `spark-sql`, over the same exported files, and
/// returns rows typed as flowq would type them.
public struct SparkRunner: Sendable {
    /// Why Spark could not answer.
    public struct Failure: Error, LocalizedError, Sendable {
        public let message: String
        public var errorDescription: String? { message }
    }

    /// `local[*]`, `spark://host:7077`, `yarn` or `k8s://...`, passed through.
    public var master: String
    /// The folder (or `s3a://` prefix) holding `AWSLogs/`.
    public var location: String
    /// The files' header names; nil: the default format of the table the query reads.
    public var fields: [String]?
    /// The environment (for SPARK_HOME, JAVA_HOME and PATH).
    public var environment: [String: String]
    /// flowq's columns for `SELECT *`, so Spark returns the same columns in the same order.
    public var starColumns: [String]? = nil

    /// A runner; `fields` defaults to the default format of the table the query reads.
    public init(master: String = "local[*]", location: String, fields: [String]? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.master = master
        self.location = location
        self.fields = fields
        self.environment = environment
    }

    /// The `spark-sql` to run, or an error naming what to install.
    func sparkSQL() throws -> String {
        var candidates: [String] = []
        if let home = environment["SPARK_HOME"], !home.isEmpty { candidates.append(home + "/bin/spark-sql") }
        for folder in (environment["PATH"] ?? "").split(separator: ":") { candidates.append(folder + "/spark-sql") }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(message: "Spark is not installed here: set SPARK_HOME or put spark-sql on PATH (for a local Spark: pip install pyspark, then export SPARK_HOME to the pyspark package folder)")
        }
        let javaHome = environment["JAVA_HOME"].map { [$0 + "/bin/java"] } ?? []
        let javas = javaHome + (environment["PATH"] ?? "").split(separator: ":").map { $0 + "/java" }
        guard javas.contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(message: "Spark needs Java 17 or later and none was found: install it (apt-get install -y openjdk-17-jre-headless) or set JAVA_HOME")
        }
        return found
    }

    /// The script spark-sql runs: a temporary view over the files, then the query.
    public func script(for sql: String) throws(QueryError) -> String {
        let path = location.hasPrefix("s3://") ? "s3a://" + location.dropFirst(5) : location
        let base = path.hasSuffix("/") ? path : path + "/"
        // Every field flowq knows is declared, those the files lack last: Spark's CSV reader fills
        // missing trailing columns with NULL, as flowq reads a field a layout does not have.
        let statement = try QueryParser.parse(sql)
        let table = try QueryPlanner.table(of: statement)
        var declared = TableDDL(engine: .spark, location: location, fields: fields ?? table.defaultFields.map(\.headerName)).columns
        for field in table.fields {
            let name = field.headerName.replacingOccurrences(of: "-", with: "_")
            if !declared.contains(where: { $0.name == name }) { declared.append((name, field.athenaType)) }
        }
        let columns = declared.map { "`\($0.name)` \($0.type)" }.joined(separator: ", ")
        let files = "CREATE TEMPORARY VIEW \(table.name)_files (\(columns)) USING csv OPTIONS (path '\(base)AWSLogs/', sep ' ', "
            + "header 'true', nullValue '-', recursiveFileLookup 'true', pathGlobFilter '*.log*')"
        // The view queries see fills account and region from the path, so `SELECT *` shows
        // them as flowq does.
        let selected = declared.map { column in
            QueryEmitter.sparkColumnFromPath(column.name).map { "\($0) AS `\(column.name)`" } ?? "`\(column.name)`"
        }
        let view = "CREATE TEMPORARY VIEW \(table.name) AS SELECT \(selected.joined(separator: ", ")) FROM \(table.name)_files"
        var emitter = QueryEmitter(engine: .spark)
        emitter.starColumns = starColumns
        return files + ";\n" + view + ";\n" + (try emitter.emit(statement)) + ";"
    }

    /// Runs `sql` on Spark; the rows come back typed by `columns` (from flowq's own plan).
    public func run(_ sql: String, columns: [ResultColumn]) throws -> [[SQLiteValue]] {
        let executable = try sparkSQL()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--master", master, "--conf", "spark.sql.session.timeZone=UTC", "--conf", "spark.ui.enabled=false",
                             "--conf", "spark.hadoop.hive.cli.print.header=true", "-S", "-e", try script(for: sql)]
        var env = environment
        if env["SPARK_HOME"] == nil { env["SPARK_HOME"] = URL(fileURLWithPath: executable).deletingLastPathComponent().deletingLastPathComponent().path }
        process.environment = env
        // spark-sql leaves derby.log, metastore_db/ and spark-warehouse/ in its working folder:
        // give it a scratch one, not the user's. (The location is absolute by now.)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-spark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.currentDirectoryURL = scratch
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errors = Data()
        let reader = Thread { errors = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        while reader.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
        guard process.terminationStatus == 0 else {
            let tail = String(decoding: errors, as: UTF8.self).split(separator: "\n").suffix(8).joined(separator: "\n")
            throw Failure(message: "spark-sql failed (exit \(process.terminationStatus)):\n\(tail)")
        }
        var lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Each view's statement prints its own header; then come the query's header and rows.
        while lines.first == "Response code" { lines.removeFirst() }
        if !lines.isEmpty { lines.removeFirst() } // the query's header
        return lines.filter { !$0.isEmpty }.map { line in
            zip(line.split(separator: "\t", omittingEmptySubsequences: false), columns).map { text, column in
                Self.value(String(text), type: column.type)
            }
        }
    }

    /// A cell of spark-sql's output as flowq holds it.
    static func value(_ text: String, type: SQLType) -> SQLiteValue {
        if text == "NULL" { return .null }
        switch type {
        case .integer: return Int64(text).map(SQLiteValue.integer) ?? .text(text)
        case .double: return Double(text).map(SQLiteValue.real) ?? .text(text)
        case .boolean: return .integer(text == "true" ? 1 : 0)
        case .timestamp where text.count == 19: return .text(text + ".000") // flowq prints milliseconds
        case .array:
            // spark-sql prints arrays as JSON.
            return .text(text)
        default: return .text(text)
        }
    }
}
