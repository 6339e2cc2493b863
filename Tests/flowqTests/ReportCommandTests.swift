import Foundation
import Testing

/// `flowq report` through the built binary: the list, a built-in report in every format,
/// `--output`, a custom YAML file, and the exit statuses of mistakes.
@Suite("flowq report end to end")
struct ReportCommandTests {
    /// A store of generated files (2024-01-01 to 2024-01-03), shared by the tests and never written after set-up.
    struct Corpus {
        let scratch: Scratch
        var store: String { scratch.path("store") }
        /// The rejected-records count of each source address in the files, read here.
        let rejectedBySource: [String: Int]
    }

    static let shared: Result<Corpus, any Error> = Result {
        let scratch = try Scratch()
        let logs = scratch.path("logs")
        let sample = try CommandRunner.run(["sample", "--records", "6000", "--days", "3", "--plain", "--out", logs])
        guard sample.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: sample.stderr]) }
        let ingest = try CommandRunner.run(["ingest", "--store", scratch.path("store"), logs])
        guard ingest.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: ingest.stderr]) }
        var rejected: [String: Int] = [:]
        let files = FileManager.default.enumerator(atPath: logs)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".log") } ?? []
        for file in files {
            for line in try String(contentsOfFile: logs + "/" + file, encoding: .utf8).split(separator: "\n").dropFirst() {
                // default layout: srcaddr 3, action 12
                let fields = line.split(separator: " ").map(String.init)
                if fields[12] == "REJECT" { rejected[fields[3], default: 0] += 1 }
            }
        }
        return Corpus(scratch: scratch, rejectedBySource: rejected)
    }

    let corpus: Corpus
    init() throws { corpus = try Self.shared.get() }

    /// Runs `flowq report ...` over the shared store, for the whole corpus.
    func report(_ arguments: [String], window: [String] = ["--from", "2023-12-31", "--to", "2024-01-05"]) throws -> CommandRunner.Result {
        try CommandRunner.run(["report"] + arguments + ["--store", corpus.store] + window)
    }

    /// The top rejected sources as `rejected` lists them: most flows first, ties by address text.
    var expectedTopRejected: [(String, Int)] {
        corpus.rejectedBySource.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .prefix(50).map { ($0.key, $0.value) }
    }

    @Test("--list names every built-in report and its parameters")
    func list() throws {
        let result = try CommandRunner.run(["report", "--list"])
        #expect(result.status == 0, "\(result.stderr)")
        for name in ["top-talkers", "top-interfaces", "accepted-tcp", "rejected", "rejected-tcp", "admin-ports", "ip-families",
                     "pairs", "from-source", "to-destination", "log-status"] {
            #expect(result.stdout.contains("\n" + name + " ") || result.stdout.contains("\n\(name)  "), "\(name)")
        }
        #expect(result.stdout.contains("--param address=... (required)"))
    }

    @Test("table: grouped numbers, the window, and the right top source")
    func table() throws {
        let result = try report(["rejected"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Rejected traffic\n"))
        #expect(result.stdout.contains("Window: 2023-12-31 to 2024-01-04 (UTC days; 2024-01-05 not included)"))
        let (top, flows) = try #require(expectedTopRejected.first)
        let row = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix(top + " ") })
        // Thousands separators, as a person reads them.
        var grouped = String(flows)
        for index in stride(from: grouped.count - 3, to: 0, by: -3) { grouped.insert(",", at: grouped.index(grouped.startIndex, offsetBy: index)) }
        #expect(row.split(separator: " ").dropFirst().first.map(String.init) == grouped)
    }

    @Test("csv: exact values, one block per query")
    func csv() throws {
        let result = try report(["rejected", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let blocks = result.stdout.components(separatedBy: "\r\n\r\n")
        #expect(blocks.count == 2)
        let lines = blocks[0].components(separatedBy: "\r\n")
        #expect(lines[0] == "# Top 50 sources of rejected traffic")
        #expect(lines[1] == "srcaddr,flows,packets,bytes,ports")
        let got = lines.dropFirst(2).filter { !$0.isEmpty }.map { line -> (String, Int) in
            let fields = line.split(separator: ",")
            return (String(fields[0]), Int(fields[1]) ?? -1)
        }
        #expect(got.map(\.0) == expectedTopRejected.map(\.0))
        #expect(got.map(\.1) == expectedTopRejected.map(\.1))
    }

    @Test("json: one object with the window and each query's columns and rows")
    func json() throws {
        let result = try report(["rejected", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["title"] as? String == "Rejected traffic")
        #expect(object["report"] as? String == "rejected")
        let queries = try #require(object["queries"] as? [[String: Any]])
        #expect(queries.count == 2)
        #expect(queries[0]["columns"] as? [String] == ["srcaddr", "flows", "packets", "bytes", "ports"])
        let rows = try #require(queries[0]["rows"] as? [[Any]])
        #expect(rows.map { $0[0] as? String } == expectedTopRejected.map(\.0))
        #expect(rows.map { $0[1] as? Int } == expectedTopRejected.map(\.1))
        let total = (queries[1]["rows"] as? [[Any]])?.compactMap { $0[1] as? Int }.reduce(0, +)
        #expect(total == corpus.rejectedBySource.values.reduce(0, +))
    }

    @Test("markdown: a heading per query and GitHub tables")
    func markdown() throws {
        let result = try report(["rejected", "--format", "markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("# Rejected traffic\n"))
        #expect(result.stdout.contains("## Top 50 sources of rejected traffic\n\n| srcaddr | flows | packets | bytes | ports |\n| --- | ---: | ---: | ---: | ---: |\n"))
        #expect(result.stdout.contains("## Rejected traffic per hour\n\n| hour | flows | bytes | packets |"))
    }

    @Test("html to --output: one self-contained file with SVG charts; the format follows the extension")
    func htmlFile() throws {
        let path = corpus.scratch.path("rejected-\(UUID().uuidString).html")
        let result = try report(["rejected", "--output", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("wrote rejected (html, 2 queries"))
        let page = try String(contentsOfFile: path, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.components(separatedBy: "<svg").count - 1 == 2)
        #expect(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"))
        #expect(page.contains(">\(try #require(expectedTopRejected.first).0)</text>"))

        let forced = corpus.scratch.path("rejected-\(UUID().uuidString).html")
        let markdown = try report(["rejected", "--output", forced, "--format", "markdown"])
        #expect(markdown.status == 0)
        #expect(try String(contentsOfFile: forced, encoding: .utf8).hasPrefix("# Rejected traffic"))
    }

    @Test("a custom YAML report runs with its parameter, and --param overrides it")
    func customFile() throws {
        let (top, flows) = try #require(expectedTopRejected.first)
        let yaml = corpus.scratch.path("custom-\(UUID().uuidString).yaml")
        try """
            title: Nightly security summary
            description: What was rejected
            parameters: { address: 192.0.2.1 }
            queries:
              - name: Rejected by source
                sql: SELECT srcaddr, count(*) AS flows FROM flows WHERE action = 'REJECT' AND {window} GROUP BY srcaddr ORDER BY flows DESC, srcaddr LIMIT 20
                chart: bar
              - name: Rejected from {address}
                sql: SELECT count(*) AS flows FROM flows WHERE action = 'REJECT' AND srcaddr = {address} AND {window}
            output: { format: csv }
            """.write(toFile: yaml, atomically: true, encoding: .utf8)
        let result = try report(["--file", yaml, "--param", "address=\(top)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("# Rejected by source\r\nsrcaddr,flows\r\n\(top),\(flows)\r\n"), "the file's csv format")
        #expect(result.stdout.hasSuffix("# Rejected from \(top)\r\nflows\r\n\(flows)\r\n"))
    }

    @Test("mistakes get a message and their exit status")
    func mistakes() throws {
        let hostile = try report(["from-source", "--param", "address=x' OR '1'='1"])
        #expect(hostile.status == 64)
        #expect(hostile.stderr.contains("--param address: 'x' OR '1'='1' is not an IP address"))

        let missing = try report(["to-destination"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("needs a value for 'address'"))

        let unknown = try report(["top-speakers"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("there is no built-in report 'top-speakers'"))

        let since = try report(["pairs"], window: ["--since", "tomorrow"])
        #expect(since.status == 64)
        #expect(since.stderr.contains("--since tomorrow: not a time span"))

        let none = try CommandRunner.run(["report", "--store", corpus.store])
        #expect(none.status == 64)

        let yaml = corpus.scratch.path("bad-\(UUID().uuidString).yaml")
        try "title: Bad\nqueries:\n  - name: one\n    sql: SELECT 1 FROM flows\n  - name: two\n    chart: bar\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        let bad = try report(["--file", yaml])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("\(yaml):5:5: queries[1].sql: missing"), "\(bad.stderr)")

        let query = corpus.scratch.path("query-\(UUID().uuidString).yaml")
        try "title: Bad\nqueries:\n  - name: one\n    sql: SELECT dst_port FROM flows WHERE {window}\n".write(toFile: query, atomically: true, encoding: .utf8)
        let invalid = try report(["--file", query])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("queries[0].sql ('one') cannot run: unknown column 'dst_port'"))
        #expect(invalid.stderr.contains("^"))

        let unwritable = try report(["rejected", "--output", "/nonexistent-folder/x.html"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("cannot write the report to /nonexistent-folder/x.html"))
    }
}
