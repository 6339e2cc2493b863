import ArgumentParser
import FlowQuery
import FlowReports
import FlowStore
import Foundation

/// `flowq report`: runs a built-in or custom report and writes it as a table, CSV, JSON,
/// Markdown or one HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run a ready-made report (top talkers, rejected traffic, admin ports, ...) or your own YAML report.",
        discussion: """
            Built-in reports: \(BuiltInReports.all.map(\.name).joined(separator: ", ")).
            `flowq report --list` says what each shows and which parameters it takes.

            The window is --since (the last 90m, 24h, 7d or 2w before now) or
            --from/--to (UTC days; --from is included, --to is NOT: --from 2024-01-02
            --to 2024-01-05 covers the 2nd, 3rd and 4th). Without either: the last 24h.

            Output: --format table, csv, json, markdown (for a chat or a ticket) or
            html (one self-contained page with charts). Without --format: the
            extension of --output (.html, .md, .csv, .json, .txt), else the report
            file's output.format, else table.

            A custom report is a YAML file:
              title: Nightly security summary
              description: What was rejected and who knocked on admin ports
              parameters: { address: 10.0.0.10 }
              queries:
                - name: Rejected by source
                  sql: >
                    SELECT srcaddr, count(*) AS flows FROM flows
                    WHERE action = 'REJECT' AND {window}
                    GROUP BY srcaddr ORDER BY flows DESC LIMIT 20
                  chart: bar          # bar | line | none
                - name: Traffic from {address}
                  sql: >
                    SELECT date_trunc('hour', from_unixtime(start)) AS hour,
                    sum(bytes) AS bytes FROM flows
                    WHERE srcaddr = {address} AND {window} GROUP BY 1 ORDER BY 1
                  chart: line
              output: { format: html }

            {window} becomes the window's condition; {name} becomes the parameter's
            value as a quoted SQL literal (write srcaddr = {address}, no quotes).
            Parameters named address (or ending in address or addr) must be IP
            addresses; other values may hold only letters, digits and . _ : / -.
            A bar chart labels each bar with the first text column and draws the
            first numeric column that is not a port or id (name others with label:
            and value:); a line chart puts the first column along the bottom and
            draws each numeric column.

            Examples:
              flowq report --list
              flowq report top-talkers --since 7d
              flowq report rejected-tcp --from 2024-01-02 --to 2024-01-05 -f markdown
              flowq report from-source --param address=10.0.0.10 -o source.html
              flowq report --file nightly.yaml --since 24h -o nightly.html

            Exit status: 0 success; 2 an invalid report file or query; 1 a query
            that failed while running, or a store or output file that cannot be
            used; 64 bad options.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: ArgumentHelp("The built-in report to run (see --list).", valueName: "name"))
    var name: String?
    @Flag(help: "List the built-in reports, what each shows and its parameters.")
    var list = false
    @Option(help: ArgumentHelp("Run the custom report in this YAML file.", valueName: "path"))
    var file: String?
    @OptionGroup var windowOptions: WindowOptions
    @Option(name: .shortAndLong, help: "Output format: table, csv, json, markdown or html.")
    var format: String?
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A report parameter, as name=value (repeatable).", valueName: "name=value"))
    var parameters: [String] = []
    @Option(help: ArgumentHelp("Stop each query after this many seconds.", valueName: "seconds"))
    var timeout: Double?
    @Option(help: ArgumentHelp("The most memory each query's groups and distinct sets may take (default 2GB).", valueName: "size"))
    var memoryLimit: String?

    func validate() throws {
        let chosen = [name != nil, list, file != nil].filter { $0 }.count
        if chosen == 0 { throw ValidationError("name a report (see flowq report --list), or give --file PATH or --list") }
        if chosen > 1 { throw ValidationError("give one of: a report name, --file PATH, --list") }
        if let format, ReportFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(format)'")
        }
        if let timeout { try TimeoutOption.validate(timeout) }
        if let memoryLimit { _ = try MemoryLimitOption.bytes(memoryLimit) }
        for parameter in parameters where !parameter.contains("=") || parameter.hasPrefix("=") {
            throw ValidationError("--param \(parameter): write name=value, like --param address=10.0.0.1")
        }
    }

    func run() throws {
        if list {
            try Terminal.output(Self.listing())
            return
        }
        let definition: ReportDefinition
        if let file {
            definition = try reporting { try ReportFile.load(path: file) }
        } else if let name, let builtIn = BuiltInReports.named(name) {
            definition = builtIn
        } else {
            Terminal.message("error: there is no built-in report '\(name ?? "")'; the reports are \(BuiltInReports.all.map(\.name).joined(separator: ", ")) (or run your own with --file)")
            throw ExitCode.validationFailure
        }
        let now = Date()
        let window = try reporting { try ReportWindow.resolve(since: windowOptions.since, from: windowOptions.from, to: windowOptions.to, now: now) }
        var values: [String: String] = [:]
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0]).trimmingCharacters(in: .whitespaces)] = parts.count > 1 ? String(parts[1]) : ""
        }
        let chosenFormat = format.flatMap { ReportFormat(rawValue: $0.lowercased()) }
            ?? output.flatMap { ReportFormat(fileExtensionOf: $0) }
            ?? definition.preferredFormat ?? .table

        var options = ExecutionOptions()
        options.timeout = timeout
        if let memoryLimit { options.memoryLimit = try MemoryLimitOption.bytes(memoryLimit) }
        let interrupt = InterruptSignal(cancellation: options.cancellation)
        defer { withExtendedLifetime(interrupt) {} }
        let result: ReportResult
        do {
            result = try Self.execute(definition, store: storeOptions.resolved, window: window, parameters: values, options: options, now: now)
        } catch {
            throw report(error)
        }
        let text = ReportRenderer(format: chosenFormat).render(result)
        guard let output else {
            try Terminal.output(text)
            return
        }
        let written: String
        do {
            written = try OutputFile.write(text, to: output, refusingInside: storeOptions.resolved)
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        let rows = result.sections.reduce(0) { $0 + $1.rows.count }
        Terminal.message("wrote \(result.name) (\(chosenFormat.rawValue), \(result.sections.count) queries, \(rows.formatted()) rows, \(result.window.summary)) to \(written)")
    }

    /// Runs the report; untyped throws, since a typed catch in `run()` crashes Swift 6.3.1's SILGen.
    private static func execute(_ definition: ReportDefinition, store: FlowStore, window: ReportWindow, parameters: [String: String],
                                options: ExecutionOptions, now: Date) throws -> ReportResult {
        try ReportRunner(store: store).run(definition, window: window, parameters: parameters, options: options, now: now)
    }

    /// Runs `body`, printing a report error and turning it into the right exit status.
    private func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw report(error)
        }
    }

    /// Prints `error` and picks the exit status for it.
    private func report(_ error: any Error) -> ExitCode {
        if let code = error as? ExitCode { return code }
        guard let error = error as? ReportError else {
            Terminal.message("error: \(error.localizedDescription)")
            return ExitStatus.failure
        }
        Terminal.message(error.rendered())
        if error.queryError?.kind == .interrupted { return ExitStatus.interrupted }
        switch error.kind {
        case .usage: return ExitCode.validationFailure
        case .definition, .invalidQuery: return ExitStatus.invalidQuery
        case .execution: return ExitStatus.failure
        case .missingInventory: return ExitStatus.invalidQuery
        }
    }

    /// The `--list` text: each report's name, title, summary and parameters.
    static func listing() -> String {
        let width = (BuiltInReports.all.map(\.name.count).max() ?? 0) + 2
        var out = "Built-in reports (run one with: flowq report NAME [--since 24h | --from DATE --to DATE]):\n\n"
        for report in BuiltInReports.all {
            out += report.name.padding(toLength: width, withPad: " ", startingAt: 0) + report.title + "\n"
            out += String(repeating: " ", count: width) + report.summary + "\n"
            for parameter in report.parameters {
                let status = parameter.defaultValue.map { "default \($0)" } ?? (parameter.isOptional ? "optional" : "required")
                out += String(repeating: " ", count: width) + "--param \(parameter.name)=... (\(status)): \(parameter.summary)\n"
            }
            let kind = report.computation == nil ? "queries" : "sections"
            out += String(repeating: " ", count: width) + "\(kind): " + report.sectionNames.joined(separator: "; ") + "\n\n"
        }
        out += "Your own reports: flowq report --file my-report.yaml (see flowq report --help for the format).\n"
        return out
    }
}
