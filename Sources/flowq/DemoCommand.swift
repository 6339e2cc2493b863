import ArgumentParser
import FlowIngest
import FlowQuery
import FlowStore
import Foundation

/// `flowq demo`: ingests the bundled samples and runs the example questions.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Ingest the bundled samples into a demo store and run example queries.",
        discussion: """
            The demo store is --store if given, else ${XDG_DATA_HOME:-~/.local/share}/flowq-demo, so
            your own store is never touched. Running it again adds nothing (files are ingested once).
            When the samples folder has an inventory/ (the bundled one does), its files are added to
            the demo store's inventory and the demo asks questions that need one.

            Example:
              swift run flowq demo
            """
    )

    @Option(name: .long, help: ArgumentHelp("The demo store folder.", valueName: "dir")) var store: String?
    @Option(help: ArgumentHelp("The samples folder (default: ./samples, or the one beside the flowq checkout).", valueName: "dir"))
    var samples: String?

    /// The questions the demo asks, with what each shows.
    static let questions: [(title: String, sql: String)] = [
        ("Rejected HTTPS flows after a date (the AWS docs' first example)",
         "SELECT interface_id, srcaddr, dstaddr, srcport, dstport, action, date FROM vpc_flow_logs WHERE (action = 'REJECT' AND dstport = 443) AND date_partition >= '2024-01-02' LIMIT 5"),
        ("Top 5 sources of rejected traffic",
         "SELECT srcaddr, count(*) AS flows, sum(bytes) AS bytes FROM vpc_flow_logs WHERE action = 'REJECT' GROUP BY srcaddr ORDER BY flows DESC, srcaddr LIMIT 5"),
        ("Traffic per day, with an average exact across partitions",
         "SELECT date, count(*) AS records, sum(bytes) AS bytes, avg(packets) AS avg_packets FROM flows GROUP BY date ORDER BY date"),
        ("NODATA and SKIPDATA records per hour",
         "SELECT date_trunc('hour', from_unixtime(start)) AS hour, log_status, count(*) AS records FROM flows WHERE log_status <> 'OK' GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 8"),
        ("IPv6 flows inside 2001:db8::/32",
         "SELECT srcaddr, dstaddr, dstport, action FROM flows WHERE contains('2001:db8::/32', cast(srcaddr AS IPADDRESS)) LIMIT 5"),
    ]

    func run() throws {
        let storeURL: URL
        if let store {
            storeURL = URL(fileURLWithPath: (store as NSString).expandingTildeInPath)
        } else {
            storeURL = FlowStore.resolve(explicit: nil).url.deletingLastPathComponent().appendingPathComponent("flowq-demo")
        }
        let flowStore = FlowStore(url: storeURL)
        guard let samplesPath = SamplesLocator.find(explicit: samples) else {
            Terminal.message("error: cannot find the samples folder; run from the flowq checkout or pass --samples DIR")
            throw ExitStatus.failure
        }
        let summary: IngestSummary
        do {
            summary = try Ingestor(store: flowStore).ingest(paths: [samplesPath])
        } catch StoreError.otherFormat(_, let found) where store == nil {
            // The default demo store holds nothing but the samples: an older flowq's is rebuilt.
            Terminal.message("the demo store at \(storeURL.path) is of store format \(found ?? "unknown"); rebuilding it")
            do {
                try FileManager.default.removeItem(at: storeURL)
                summary = try Ingestor(store: flowStore).ingest(paths: [samplesPath])
            } catch {
                Terminal.message("error: \(error.localizedDescription)")
                throw ExitStatus.failure
            }
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
        try Terminal.output(IngestReport(summary: summary, store: flowStore).text + "\n")
        let engine = QueryEngine(store: flowStore)
        for (title, sql) in Self.questions {
            try Terminal.output("\n== \(title)\n\(sql)\n\n")
            try QueryText.reportingErrors(sql) {
                try engine.run(sql, format: .table, style: Terminal.tableStyle, output: { try Terminal.output($0) })
            }
        }
        let inventoryFolder = (samplesPath as NSString).appendingPathComponent("inventory")
        if FileManager.default.fileExists(atPath: inventoryFolder) {
            let added: Int
            do {
                added = try Self.addInventory(from: inventoryFolder, to: flowStore)
            } catch {
                Terminal.message("error: \(error.localizedDescription)")
                throw ExitStatus.failure
            }
            try Terminal.output("\n== With an inventory\nflowq inventory add \(inventoryFolder)/*.json  (\(added) files: the sample world's aws ec2 describe-* output and an ip-ranges.json excerpt)\n")
            // A new engine: the first one may have looked for an inventory before there was one.
            let engine = QueryEngine(store: flowStore)
            for (title, sql) in Self.inventoryQuestions {
                try Terminal.output("\n== \(title)\n\(sql)\n\n")
                try QueryText.reportingErrors(sql) {
                    try engine.run(sql, format: .table, style: Terminal.tableStyle, output: { try Terminal.output($0) })
                }
            }
        }
        try Terminal.output("""

            Try your own questions:
              swift run flowq query --store \(storeURL.path) "SELECT action, count(*) FROM flows GROUP BY action"
              swift run flowq explain --store \(storeURL.path) "SELECT * FROM flows WHERE date = DATE '2024-01-02'"

            """)
    }
}

/// Finds the bundled samples folder.
enum SamplesLocator {
    static func find(explicit: String?) -> String? {
        var candidates: [String] = []
        if let explicit { candidates.append(explicit) }
        candidates.append(FileManager.default.currentDirectoryPath + "/samples")
        // .build/<config>/flowq -> the checkout's samples/.
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent("samples").path)
            folder = folder.deletingLastPathComponent()
        }
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
