import ArgumentParser
import FlowIngest
import FlowModel
import FlowReports
import FlowS3
import FlowS3Ingest
import FlowStore
import Foundation

/// `flowq ingest`: reads exported files into the store.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read flow-log files (gzip or plain text, Parquet, CloudWatch exports) or S3 prefixes into the store.",
        discussion: """
            Folders are searched recursively; globs and - (standard input) are accepted. Each file is stored whole or not at all; a file already stored (same content, any path) adds nothing. Malformed lines are skipped and counted (the first few are listed); --strict rejects the whole file instead.

            s3:// prefixes are listed (only the date folders of the days asked for) and their objects streamed, several at once, with retries. Credentials and region come as the AWS CLI finds them (environment, AWS_PROFILE and ~/.aws, credential_process, instance metadata); --endpoint-url or AWS_ENDPOINT_URL_S3 names an S3-compatible store. Without --since, --from or --to, a prefix is listed from the day its last run reached (for cron).

            Files without a header line (CloudWatch Logs destinations) need --log-format. Parquet, CloudWatch export task files (each line after its ISO time) and Firehose JSON ({"message": ...} lines, or subscription documents with logEvents) are recognised by their content.

            Examples:
              flowq ingest --store ~/flows ./AWSLogs/
              flowq ingest './exports/*.log.gz'
              zcat one.log.gz | flowq ingest -
              flowq ingest --log-format default ./cloudwatch-export/
              flowq ingest s3://my-flow-logs/AWSLogs/ --since 7d
              flowq ingest s3://my-flow-logs/AWSLogs/

            Exit status: 0 every file stored (or already present); 3 some files rejected; 1 a store failure (disk full, store locked or unwritable).
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Reject a whole file when any line is malformed.") var strict = false
    @Option(help: ArgumentHelp("Records between commits: new files become visible to queries at each commit; larger groups ingest a little faster.", valueName: "n"))
    var commitEvery: Int64 = IngestOptions.defaultRecordsPerCommit
    @Option(help: ArgumentHelp("The format of files without a header line (CloudWatch Logs exports, Firehose deliveries), as `aws ec2 describe-flow-logs` prints it: '${version} ${account-id} ...', or 'default'. A file's own header still wins.", valueName: "format"))
    var logFormat: String?
    @Option(help: ArgumentHelp("For s3:// prefixes: read the objects delivered in the last span before now: 90m, 24h, 7d, 2w.", valueName: "span"))
    var since: String?
    @Option(help: ArgumentHelp("For s3:// prefixes: the first UTC delivery day to read (YYYY-MM-DD).", valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp("For s3:// prefixes: the UTC delivery day to stop before (exclusive).", valueName: "date"))
    var to: String?
    @Option(help: ArgumentHelp("An S3-compatible endpoint (path-style addressing), instead of AWS's.", valueName: "url"))
    var endpointURL: String?
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false
    @Argument(help: ArgumentHelp("Files, folders or globs to read; - for standard input; s3://bucket/prefix/ to read from S3.", valueName: "path"))
    var paths: [String]

    func run() throws {
        let store = storeOptions.resolved
        let summary: IngestSummary
        var format: FlowLayout? = nil
        if let logFormat {
            do {
                format = try FlowLayout(logFormat: logFormat)
            } catch {
                throw ValidationError("--log-format: \(error.message)")
            }
        }
        let remote = paths.filter { $0.hasPrefix("s3://") }
        if remote.isEmpty, since != nil || from != nil || to != nil || endpointURL != nil {
            throw ValidationError("--since, --from, --to and --endpoint-url apply to s3:// prefixes; local files are read whole")
        }
        let locations = try remote.map { prefix in
            do { return try S3Location(prefix) } catch { throw ValidationError(error.localizedDescription) }
        }
        let window = try deliveryWindow()
        do {
            let ingestor = try Ingestor(store: store, options: IngestOptions(strict: strict, recordsPerCommit: commitEvery, logFormat: format))
            // A progress line only for a person watching: never in logs or pipes.
            let bar = Terminal.stderrIsTerminal && !quiet ? ProgressLine() : nil
            let show = bar.map { bar in { (progress: IngestProgress) in bar.show(progress) } }
            if remote.isEmpty {
                summary = try ingestor.ingest(paths: paths, progress: show)
            } else {
                summary = try ingestFromS3(locations, window: window, local: paths.filter { !$0.hasPrefix("s3://") }, ingestor: ingestor, progress: show)
            }
            bar?.clear()
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        if !quiet {
            Terminal.message(IngestReport(summary: summary, store: store).text)
        } else {
            for file in summary.rejected {
                if case .rejected(let reason) = file.status { Terminal.message("rejected \(file.path): \(reason)") }
            }
        }
        if !summary.rejected.isEmpty { throw ExitStatus.filesRejected }
    }

    /// The delivery days `--since`, `--from` and `--to` ask for (`--to` exclusive, as in reports).
    private func deliveryWindow() throws -> DeliveryWindow? {
        guard since != nil || from != nil || to != nil else { return nil }
        let now = Date()
        let asked: ReportWindow
        do { asked = try ReportWindow.resolve(since: since, from: from, to: to, now: now) } catch { throw ValidationError(error.localizedDescription) }
        let today = PartitionDay(unixSeconds: Int64(now.timeIntervalSince1970))
        switch asked.bounds {
        case .since(let start, _): return DeliveryWindow(from: PartitionDay(unixSeconds: start), to: today)
        case .days(let first, let end): return DeliveryWindow(from: first ?? PartitionDay(dayNumber: 0), to: end.map { $0.adding(days: -1) } ?? today)
        }
    }

    /// Lists `locations` and ingests their objects, with the `local` paths, in one run.
    private func ingestFromS3(_ locations: [S3Location], window: DeliveryWindow?, local: [String], ingestor: Ingestor,
                              progress: ((IngestProgress) -> Void)?) throws -> IngestSummary {
        let expansion = try InputFiles.expand(local)
        let environment = ProcessInfo.processInfo.environment
        let s3 = try S3Ingest(environment: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory(), endpoint: endpointURL)
        return try s3.ingest(locations, window: window, localInputs: expansion.files.map(IngestInput.init(path:)), with: ingestor,
                             problems: expansion.problems.map { ($0.path, $0.reason) }, progress: progress)
    }
}

/// The human summary of an ingest run.
struct IngestReport {
    let summary: IngestSummary
    let store: FlowStore

    var text: String {
        var lines: [String] = []
        for path in summary.recoveredFiles {
            lines.append("recovered: removed the rows of \(path), whose ingest was interrupted")
        }
        for file in summary.files {
            if !file.unknownFields.isEmpty {
                lines.append("note: \(file.path): unknown fields kept as text columns: \(file.unknownFields.joined(separator: ", "))")
            }
            for error in file.lineErrors { lines.append("skipped \(error)") }
            if file.skippedLines > Int64(file.lineErrors.count) {
                lines.append("skipped \(file.skippedLines - Int64(file.lineErrors.count)) more malformed line(s) in \(file.path)")
            }
            if case .rejected(let reason) = file.status {
                lines.append("rejected \(file.path): \(reason) (nothing stored from it)")
            }
            if case .unchangedSinceRejected(let reason, let when) = file.status {
                let date = when.map { " on " + ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? ""
                lines.append("still rejected \(file.path) (unchanged since it was rejected\(date); not read again): \(reason)")
            }
        }
        let seconds = max(summary.seconds, 0.000_001)
        let rate = Double(summary.recordsStored) / seconds
        lines.append("""
            ingested \(summary.files.count) file(s) into \(store.url.path) in \(String(format: "%.2f", summary.seconds)) s: \
            \(summary.storedCount) stored, \(summary.alreadyPresentCount) already present, \(summary.rejected.count) rejected\(summary.stillRejected.isEmpty ? "" : ", \(summary.stillRejected.count) still rejected"); \
            \(summary.recordsStored.formatted()) records (\(Int(rate).formatted())/s), \(summary.linesSkipped.formatted()) malformed line(s) skipped
            """)
        return lines.joined(separator: "\n")
    }
}
