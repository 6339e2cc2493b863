import ArgumentParser
import FlowDetect
import FlowQuery
import FlowReports
import FlowStore
import Foundation

/// `flowq detect`: runs the built-in detections (and rule files) over a window and reports
/// findings; exit status 4 says there are new ones.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find port scans, sweeps, reject bursts, exfiltration, exposed admin ports, capture gaps, stopped logs and known-bad traffic.",
        discussion: """
            Built-in detections: \(BuiltInDetections.all.map(\.id).joined(separator: ", ")).
            `flowq detect --list` says what each finds, its severity, ATT&CK techniques and
            thresholds; `flowq detect --show ID` prints its rule, a YAML file you can copy
            into a --rules folder and change.

            The window is --since (90m, 24h, 7d) or --from/--to (UTC days, --to not
            included); without either, the last 24h. reject-burst, exfiltration and
            new-destination compare each address with its own history in the days
            before the window.

            --param name=value overrides a threshold of every detection that has it;
            --param port-scan.min_ports=50 of one detection only. known-bad runs only
            with --param blocklist=FILE (addresses and CIDR blocks, one a line).

            --state remembers reported findings in <store>/detections.db: a finding is
            reported again only when it continues past its last report. --allowlist FILE
            drops findings whose source is in the file; --min-severity high keeps only
            high and critical findings (neither shown nor remembered).

            Output: --format table, json, ndjson (one finding a line, for a SIEM),
            markdown or html; without --format, --output's extension, else table.
            --samples N adds each finding's first N flow records. Findings name each
            address's owner when the store's inventory knows it.
            See docs/detections.md for the rule format and each detection.

            Examples:
              flowq detect --since 24h
              flowq detect --from 2024-01-03 --to 2024-01-04 --format ndjson
              flowq detect --only port-scan,network-sweep --param min_ports=50
              flowq detect --since 2h --state --min-severity high -o findings.ndjson
              flowq detect --since 24h --samples 3 --format markdown

            Exit status: 0 no new findings; 4 new findings (with --state: new or continued
            ones); 2 an invalid rule file or query; 1 a query that failed while running,
            or a store, state or output file that cannot be used; 64 bad options;
            130 interrupted.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "List the detections: severity, techniques and thresholds.")
    var list = false
    @Option(help: ArgumentHelp("Print the YAML rule of this built-in detection.", valueName: "id"))
    var show: String?
    @OptionGroup var windowOptions: WindowOptions
    @Option(help: ArgumentHelp("Also run the rule files (*.yaml, *.yml) in this folder.", valueName: "dir"))
    var rules: String?
    @Option(help: ArgumentHelp("Run only these detections (comma-separated ids).", valueName: "ids"))
    var only: String?
    @Option(name: .customLong("param"), help: ArgumentHelp("A threshold, as name=value or id.name=value (repeatable).", valueName: "name=value"))
    var parameters: [String] = []
    @Option(help: ArgumentHelp("Drop findings whose source is in this file of addresses and CIDR blocks.", valueName: "file"))
    var allowlist: String?
    @Option(help: ArgumentHelp("Report only findings of this severity or above: info, low, medium, high, critical.", valueName: "level"))
    var minSeverity: String?
    @Option(help: ArgumentHelp("Add up to this many of each finding's flow records to its evidence (default 0).", valueName: "n"))
    var samples: Int = 0
    @Flag(help: "Report only findings not reported before (or continued since), remembering them in the store.")
    var state = false
    @Option(name: .shortAndLong, help: "Output format: table, json, ndjson, markdown or html.")
    var format: String?
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the findings to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Option(help: ArgumentHelp("Stop each query after this many seconds.", valueName: "seconds"))
    var timeout: Double?

    func validate() throws {
        if let format, FindingFormat(rawValue: format.lowercased()) == nil {
            throw ValidationError("--format must be \(FindingFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(format)'")
        }
        if let timeout { try TimeoutOption.validate(timeout) }
        guard (0...100).contains(samples) else { throw ValidationError("--samples takes 0 to 100, not \(samples)") }
        if let minSeverity, DetectionSeverity(rawValue: minSeverity.lowercased()) == nil {
            throw ValidationError("--min-severity must be \(DetectionSeverity.allCases.map(\.rawValue).joined(separator: ", ")), not '\(minSeverity)'")
        }
        for parameter in parameters where !parameter.contains("=") || parameter.hasPrefix("=") {
            throw ValidationError("--param \(parameter): write name=value, like --param min_ports=50")
        }
    }

    func run() throws {
        if list {
            try Terminal.output(Self.listing(try reporting { try detections(selected: false) }))
            return
        }
        if let show {
            guard let text = BuiltInDetections.source(of: show) else {
                Terminal.message("error: there is no built-in detection '\(show)'; they are \(BuiltInDetections.all.map(\.id).joined(separator: ", "))")
                throw ExitCode.validationFailure
            }
            try Terminal.output(text + "\n")
            return
        }
        let chosen = try reporting { try detections(selected: true) }
        let now = Date()
        let window = try reporting { () throws -> ReportWindow in try ReportWindow.resolve(since: windowOptions.since, from: windowOptions.from, to: windowOptions.to, now: now) }
        var values: [String: String] = [:]
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0]).trimmingCharacters(in: .whitespaces)] = parts.count > 1 ? String(parts[1]) : ""
        }
        let allowed = try reporting { try allowlist.map { path throws -> AddressList in try AddressList.load(path: path) } ?? AddressList() }
        let chosenFormat = format.flatMap { FindingFormat(rawValue: $0.lowercased()) }
            ?? output.flatMap { FindingFormat(fileExtensionOf: $0) } ?? .table

        var options = ExecutionOptions()
        options.timeout = timeout
        let interrupt = InterruptSignal(cancellation: options.cancellation)
        defer { withExtendedLifetime(interrupt) {} }
        let store = storeOptions.resolved
        var result = try reporting {
            try Self.execute(chosen, store: store, window: window, parameters: values, allowlist: allowed, samples: samples, options: options, now: now)
        }
        if let level = minSeverity.flatMap({ DetectionSeverity(rawValue: $0.lowercased()) }) {
            // Below the level: neither shown nor remembered as reported.
            let before = result.findings.count
            result.findings.removeAll { $0.severity < level }
            result.notes.append("\(before - result.findings.count) findings below \(level.rawValue) severity not shown")
        }
        if state {
            let found = result.findings
            result.findings = try reporting { try Self.reconcile(found, store: store, now: now) }
            result.suppressed += found.count - result.findings.count
        }
        let text = FindingRenderer(format: chosenFormat).render(result)
        if let output {
            do {
                let written = try OutputFile.write(text, to: output, refusingInside: store)
                Terminal.message("wrote \(result.findings.count) findings (\(chosenFormat.rawValue), \(result.window.summary)) to \(written)")
            } catch {
                Terminal.message("error: \(error.localizedDescription)")
                throw ExitStatus.failure
            }
        } else {
            try Terminal.output(text)
        }
        if chosenFormat != .table || output != nil {
            for note in result.notes { Terminal.message("note: " + note) }
        }
        if !result.findings.isEmpty { throw ExitStatus.newFindings }
    }

    /// The built-ins and the rule files, narrowed to `--only` when `selected`.
    private func detections(selected: Bool) throws -> [DetectionDefinition] {
        var all = BuiltInDetections.all
        if let rules {
            for rule in try DetectionFile.loadFolder(rules) {
                if let index = all.firstIndex(where: { $0.id == rule.id }) { all[index] = rule } else { all.append(rule) }
            }
        }
        guard selected, let only else { return all }
        let wanted = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        for id in wanted where !all.contains(where: { $0.id == id }) {
            throw DetectionError(.usage, "--only \(id): there is no detection '\(id)'; they are \(all.map(\.id).joined(separator: ", "))")
        }
        return all.filter { wanted.contains($0.id) }
    }

    /// Runs the detections; untyped throws, since a typed catch in `run()` crashes Swift 6.3.1's SILGen.
    private static func execute(_ detections: [DetectionDefinition], store: FlowStore, window: ReportWindow, parameters: [String: String],
                                allowlist: AddressList, samples: Int, options: ExecutionOptions, now: Date) throws -> DetectionRun {
        try DetectionRunner(store: store).run(detections, window: window, parameters: parameters, allowlist: allowlist, samples: samples,
                                              options: options, now: now)
    }

    private static func reconcile(_ findings: [Finding], store: FlowStore, now: Date) throws -> [Finding] {
        try FindingState(store: store).reconcile(findings, now: now)
    }

    /// Runs `body`, printing an error and turning it into the right exit status.
    private func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let code as ExitCode {
            throw code
        } catch let error as DetectionError {
            Terminal.message(error.rendered())
            switch error.kind {
            case .usage: throw ExitCode.validationFailure
            case .definition, .invalidQuery: throw ExitStatus.invalidQuery
            case .execution: throw ExitStatus.failure
            case .interrupted: throw ExitStatus.interrupted
            }
        } catch let error as ReportError {
            Terminal.message(error.rendered())
            throw error.kind == .usage ? ExitCode.validationFailure : ExitStatus.failure
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
    }

    /// The `--list` text.
    static func listing(_ detections: [DetectionDefinition]) -> String {
        let width = (detections.map(\.id.count).max() ?? 0) + 2
        let pad = String(repeating: " ", count: width)
        var out = "Detections (run with: flowq detect [--since 24h | --from DATE --to DATE] [--only ID,...]):\n\n"
        for detection in detections {
            out += detection.id.padding(toLength: width, withPad: " ", startingAt: 0) + detection.title
                + " [\(detection.severity.rawValue); \(detection.techniques.joined(separator: ", "))]\n"
            let summary = detection.summary.split(whereSeparator: \.isNewline).joined(separator: " ")
            if !summary.isEmpty { out += pad + summary + "\n" }
            for parameter in detection.parameters {
                let value = parameter.defaultValue.map { "default \($0)" } ?? "no default: skipped without it"
                out += pad + "--param \(parameter.name)=... (\(parameter.kind.rawValue), \(value)): \(parameter.summary)\n"
            }
            if detection.baseline != nil { out += pad + "compares each source with its own history (z-score)\n" }
            out += "\n"
        }
        out += "Your own: flowq detect --rules DIR (YAML files; flowq detect --show port-scan prints one to start from).\n"
        return out
    }
}
