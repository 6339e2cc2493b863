import ArgumentParser
import FlowQuery
import FlowStore
import Foundation

/// `flowq`: VPC flow log analytics on one machine.
@main
struct FlowqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowq",
        abstract: "Ingest AWS VPC flow logs into a partitioned SQLite store and query them with Athena-style SQL.",
        discussion: """
            Examples:
              flowq demo                                   ingest the bundled samples and run example queries
              flowq ingest --store ~/flows ./AWSLogs/      ingest exported .log.gz/.log files (recursive)
              flowq query "SELECT srcaddr, count(*) AS c FROM vpc_flow_logs WHERE action = 'REJECT' GROUP BY srcaddr ORDER BY c DESC LIMIT 10"
              flowq explain "SELECT * FROM vpc_flow_logs WHERE date = DATE '2024-01-02'"

            The store is --store, else $FLOWQ_STORE, else ${XDG_DATA_HOME:-~/.local/share}/flowq.

            Exit status: 0 success; 1 a store failure or a query that failed while running;
            2 an invalid query; 3 ingest finished but rejected some files; 4 detect found
            new findings; 64 a usage error.
            """,
        subcommands: [IngestCommand.self, QueryCommand.self, ExplainCommand.self, ReportCommand.self, DetectCommand.self, DemoCommand.self, SampleCommand.self, StatusCommand.self, CheckCommand.self, PruneCommand.self, InventoryCommand.self, EmitCommand.self, DdlCommand.self]
    )
}

extension FlowqCommand {
    /// Parses and runs a command, then chooses the exit status, also for output that could
    /// not be written: a full disk under a log or a result file is an error (status 1), never
    /// a crash or a silent success; a reader that went away (`| head`) ends the output quietly.
    static func main() {
        // write(2) returns EPIPE instead of the signal killing the process mid-write.
        signal(SIGPIPE, SIG_IGN)
        // Column buffers of a segment are a few hundred kilobytes, allocated and freed for every
        // segment read: kept in the heap (not mapped and unmapped each time, which costs a page
        // fault per page), they are reused.
        MallocTuning.keepLargeBlocksInHeap()
        var status: Int32 = 0
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as OutputError {
            if !error.isBrokenPipe {
                Terminal.message("error: \(error.localizedDescription)")
                status = ExitStatus.failure.rawValue
            }
        } catch let code as ExitCode {
            status = code.rawValue
        } catch {
            exit(withError: error)
        }
        if status == 0, let failure = Terminal.outputFailure, !failure.isBrokenPipe {
            Terminal.message("error: \(failure.localizedDescription)")
            status = ExitStatus.failure.rawValue
        }
        if status == 0, Terminal.messageFailure != nil { status = ExitStatus.failure.rawValue }
        PeakMemory.recordIfAsked()
        Foundation.exit(status)
    }
}

/// The `--store` option every store command shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store folder (default: $FLOWQ_STORE, else ${XDG_DATA_HOME:-~/.local/share}/flowq).", valueName: "dir"))
    var store: String?

    /// The store the options name.
    var resolved: FlowStore { FlowStore.resolve(explicit: store) }
}

/// The time window `report` and `detect` cover: `--since`, or `--from`/`--to`.
struct WindowOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cover the last span before now: 90m, 24h, 7d, 2w.", valueName: "span"))
    var since: String?
    @Option(help: ArgumentHelp("The first UTC day covered (YYYY-MM-DD, included).", valueName: "date"))
    var from: String?
    @Option(help: ArgumentHelp("The UTC day the window ends before (YYYY-MM-DD, NOT included).", valueName: "date"))
    var to: String?
}

/// Exit statuses a script can tell apart.
enum ExitStatus {
    /// A store failure, or a query that failed while running.
    static let failure = ExitCode(1)
    /// A query that cannot run (syntax, names, types, refused statements).
    static let invalidQuery = ExitCode(2)
    /// An ingest that finished but rejected one or more files.
    static let filesRejected = ExitCode(3)
    /// `flowq detect` reported new findings (cron and systemd alert on it).
    static let newFindings = ExitCode(4)
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    static let interrupted = ExitCode(130)

    /// The status for a query error, chosen by its kind.
    static func forQuery(_ error: QueryError) -> ExitCode {
        switch error.kind {
        case .interrupted: return interrupted
        case .execution: return failure
        case .syntax, .unsupported, .refused, .unknownName, .type: return invalidQuery
        }
    }
}

/// `--timeout SECONDS`: a positive, finite number of seconds, at most about four months.
enum TimeoutOption {
    /// The longest timeout accepted.
    static let maximum: Double = 10_000_000

    static func validate(_ seconds: Double) throws {
        guard seconds.isFinite, seconds > 0, seconds <= maximum else {
            throw ValidationError("--timeout takes a number of seconds from more than 0 to \(Int(maximum).formatted()), not \(seconds)")
        }
    }
}

/// `--memory-limit`: the most memory a query's groups and distinct sets may take, as `512MB`,
/// `2GB` or a number of megabytes.
enum MemoryLimitOption {
    /// The smallest limit accepted (below it no everyday question would run).
    static let minimum = 1 << 20

    /// The limit in bytes, or a usage error naming what was wrong.
    static func bytes(_ text: String) throws -> Int {
        let spelled = text.trimmingCharacters(in: .whitespaces).uppercased()
        let gigabyte = Double(1 << 30), megabyte = Double(1 << 20), kilobyte = Double(1 << 10)
        let units: [(String, Double)] = [("GB", gigabyte), ("G", gigabyte), ("MB", megabyte), ("M", megabyte), ("KB", kilobyte), ("K", kilobyte)]
        var number = Substring(spelled)
        var unit = megabyte
        for (suffix, scale) in units where spelled.hasSuffix(suffix) {
            number = spelled.dropLast(suffix.count)
            unit = scale
            break
        }
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0,
              value * unit >= Double(minimum), value * unit <= Double(1 << 50) else {
            throw ValidationError("--memory-limit takes a size such as 512MB or 4GB (at least 1MB), not '\(text)'")
        }
        return Int(value * unit)
    }
}

/// For tests and benchmarks: with `FLOWQ_PEAK_MEMORY_FILE=path` set, the process writes its
/// peak resident memory in kilobytes (`VmHWM` of `/proc/self/status`) to that file as it exits.
/// A parent's `wait4` cannot tell this: a child started by `posix_spawn` (vfork) inherits the
/// parent's high-water mark in `ru_maxrss`.
enum PeakMemory {
    static func recordIfAsked() {
        guard let path = ProcessInfo.processInfo.environment["FLOWQ_PEAK_MEMORY_FILE"], !path.isEmpty,
              let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return }
        let kilobytes = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        try? (kilobytes + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }
}

/// glibc's `mallopt`, which Swift's Glibc module does not import (it lives in `<malloc.h>`).
enum MallocTuning {
    /// Raises the size from which glibc maps blocks (M_MMAP_THRESHOLD) and the size of free
    /// memory it keeps (M_TRIM_THRESHOLD), so the column buffers queries allocate per segment
    /// are reused instead of mapped, faulted in and unmapped each time.
    static func keepLargeBlocksInHeap() {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        _ = mallopt(-3, 256 << 20) // M_MMAP_THRESHOLD
        _ = mallopt(-1, 512 << 20) // M_TRIM_THRESHOLD
        #endif
    }
}
