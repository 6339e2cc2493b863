import ArgumentParser
import FlowIngest

/// `flowq`: VPC flow log analytics on one machine.
@main
struct FlowqCommand: AsyncParsableCommand {
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
            2 an invalid query; 3 ingest finished but rejected some files; 64 a usage error.
            """,
        subcommands: [IngestCommand.self, QueryCommand.self, ExplainCommand.self, ReportCommand.self, DemoCommand.self, SampleCommand.self, StatusCommand.self, CheckCommand.self, PruneCommand.self, EmitCommand.self, DdlCommand.self]
    )
}

/// The `--store` option every store command shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store folder (default: $FLOWQ_STORE, else ${XDG_DATA_HOME:-~/.local/share}/flowq).", valueName: "dir"))
    var store: String?

    /// The store the options name.
    var resolved: FlowStore { FlowStore.resolve(explicit: store) }
}

/// Exit statuses a script can tell apart.
enum ExitStatus {
    /// A store failure, or a query that failed while running.
    static let failure = ExitCode(1)
    /// A query that cannot run (syntax, names, types, refused statements).
    static let invalidQuery = ExitCode(2)
    /// An ingest that finished but rejected one or more files.
    static let filesRejected = ExitCode(3)
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
    static let interrupted = ExitCode(130)
}
