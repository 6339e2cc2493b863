import ArgumentParser
import FlowStore

/// `flowq check`: verifies the store.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify the store: catalog against partitions, row counts, SQLite integrity.",
        discussion: """
            Exit status: 0 the store is consistent; 1 problems were found (each is listed).

            Example:
              flowq check --store ~/flows
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let report: StoreChecker.Report
        do {
            report = try StoreChecker(store: storeOptions.resolved).run()
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        for problem in report.problems { Terminal.message("problem: \(problem)") }
        if report.unfinished {
            Terminal.message("note: the first ingest into this store was stopped while it created the catalog; the store holds nothing yet, and the next `flowq ingest` creates it")
        }
        for day in report.interruptedPrunes {
            Terminal.message("note: a prune of \(day.isoText) was interrupted; queries no longer see the day and the next ingest or prune deletes its files")
        }
        for path in report.pendingFiles {
            Terminal.message("note: the ingest of \(path) was interrupted; its rows are hidden and the next ingest removes them")
        }
        try Terminal.output("checked \(report.partitions) partition(s), \(report.rows.formatted()) rows, \(report.storedFiles) stored file(s): \(report.problems.isEmpty ? "consistent" : "\(report.problems.count) problem(s)")\n")
        if !report.problems.isEmpty { throw ExitStatus.failure }
    }
}
