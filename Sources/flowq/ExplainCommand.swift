import ArgumentParser
import FlowQuery

/// `flowq explain`: shows how a query would run, without running it.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show the plan of a query: partitions read and skipped (and why), each partition's SQL, the merge.",
        discussion: """
            Example:
              flowq explain "SELECT * FROM vpc_flow_logs WHERE date = DATE '2024-01-02' AND action = 'REJECT'"
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: ArgumentHelp("Read the query from a file (- for standard input).", valueName: "path"))
    var file: String?
    @Argument(help: "The SELECT statement.")
    var sql: String?

    func validate() throws {
        if sql == nil && file == nil { throw ValidationError("give the query as an argument or with --file") }
    }

    func run() throws {
        let text = try QueryText.read(argument: sql, file: file)
        let engine = QueryEngine(store: storeOptions.resolved)
        let plan = try QueryText.reportingErrors(text) { try engine.plan(text) }
        try Terminal.output(plan.explanation(store: storeOptions.resolved) + "\n")
    }
}
