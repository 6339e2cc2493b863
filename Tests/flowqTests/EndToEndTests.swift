import FlowSQLite
import FlowStore
import Foundation
import Testing

/// The built binary, end to end: generate, ingest, query, explain, demo, with exit statuses.
@Suite("flowq end to end", .serialized)
struct EndToEndTests {
    @Test("generated S3-layout files answer the seed question exactly")
    func seedQuestion() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let logs = scratch.path("logs"), store = scratch.path("store")
        let sample = try CommandRunner.run(["sample", "--records", "6000", "--days", "3", "--plain", "--out", logs])
        #expect(sample.status == 0, "\(sample.stderr)")
        let ingest = try CommandRunner.run(["ingest", "--store", store, logs])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("6,000 records"))

        // The expected rows, read from the text files here.
        var expected: [String] = []
        let files = FileManager.default.enumerator(atPath: logs)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".log") } ?? []
        for file in files {
            let lines = try String(contentsOfFile: logs + "/" + file, encoding: .utf8).split(separator: "\n")
            for line in lines.dropFirst() {
                let f = line.split(separator: " ").map(String.init)
                // default layout: srcaddr 3, dstport 6, start 10, action 12
                guard f[12] == "REJECT", f[6] == "443", Int(f[10])! >= 1_704_153_600 else { continue }
                expected.append("\(f[3]),\(f[10])")
            }
        }
        let query = try CommandRunner.run(["query", "--store", store, "--format", "csv",
            "SELECT srcaddr, start FROM vpc_flow_logs WHERE (action = 'REJECT' AND dstport = 443) AND date_partition >= '2024-01-02' ORDER BY start, srcaddr"])
        #expect(query.status == 0, "\(query.stderr)")
        let lines = query.stdout.split(separator: "\r\n").map(String.init)
        #expect(lines.first == "srcaddr,start")
        #expect(!expected.isEmpty)
        #expect(lines.dropFirst().sorted() == expected.sorted())
        #expect(Array(lines.dropFirst()) == lines.dropFirst().sorted { $0.split(separator: ",")[1] < $1.split(separator: ",")[1] || ($0.split(separator: ",")[1] == $1.split(separator: ",")[1] && $0 < $1) })

        // Ingesting again adds nothing and says so.
        let again = try CommandRunner.run(["ingest", "--store", store, logs])
        #expect(again.status == 0)
        #expect(again.stderr.contains("0 stored, \(files.count) already present"))
    }

    @Test("an incremental re-run skips stored files without reading them")
    func incremental() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let logs = scratch.path("logs"), store = scratch.path("store")
        _ = try CommandRunner.run(["sample", "--records", "2000", "--days", "2", "--out", logs])
        #expect(try CommandRunner.run(["ingest", "--store", store, logs]).status == 0)
        // Overwrite one stored file with garbage of the same size and time: a re-run that
        // read it would reject it, one that trusts path, size and time does not open it.
        let files = (FileManager.default.enumerator(atPath: logs)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".gz") }.sorted()
        let victim = logs + "/" + files[0]
        var original = stat()
        #expect(stat(victim, &original) == 0)
        try Data(repeating: 0x41, count: Int(original.st_size)).write(to: URL(fileURLWithPath: victim))
        // The time to the nanosecond, as `cp -p` and rsync keep it.
        var times = [original.st_atim, original.st_mtim]
        #expect(utimensat(AT_FDCWD, victim, &times, 0) == 0)
        _ = try CommandRunner.run(["sample", "--records", "700", "--days", "1", "--start", "2024-02-01", "--out", logs])
        let again = try CommandRunner.run(["ingest", "--store", store, logs])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("1 stored, \(files.count) already present, 0 rejected"))
    }

    @Test("a rejected file gets its own exit status and a reason; the rest is stored")
    func rejectedFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        try Data((header + "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 40 1704412800 1704412860 REJECT OK\n").utf8).write(to: URL(fileURLWithPath: scratch.path("good.log")))
        try Data([0x1f, 0x8b, 0x08, 0x00, 0x00]).write(to: URL(fileURLWithPath: scratch.path("bad.log.gz")))
        let result = try CommandRunner.run(["ingest", "--store", scratch.path("store"), scratch.path("good.log"), scratch.path("bad.log.gz")])
        #expect(result.status == 3)
        #expect(result.stderr.contains("rejected \(scratch.path("bad.log.gz")): gzip stream ends early"))
        #expect(result.stderr.contains("1 stored, 0 already present, 1 rejected"))
        let count = try CommandRunner.run(["query", "--store", scratch.path("store"), "--format", "csv", "SELECT count(*) AS n FROM flows"])
        #expect(count.stdout == "n\r\n1\r\n")
    }

    @Test("quoted globs are expanded by flowq")
    func globs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try CommandRunner.run(["sample", "--records", "900", "--days", "3", "--out", scratch.path("logs")])
        let pattern = scratch.path("logs") + "/AWSLogs/*/vpcflowlogs/*/2024/01/0[12]/*.log.gz"
        let result = try CommandRunner.run(["ingest", "--store", scratch.path("store"), pattern])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("ingested 2 file(s)"))
        let none = try CommandRunner.run(["ingest", "--store", scratch.path("store"), scratch.path("logs") + "/*.nothing"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no file matches"))
    }

    @Test("standard input is read with -, gzip or plain")
    func standardInput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
        let body = header + "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 40 1704412800 1704412860 REJECT OK\n"
        let result = try CommandRunner.run(["ingest", "--store", scratch.path("store"), "-"], stdin: Data(body.utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1 stored"))
        let again = try CommandRunner.run(["ingest", "--store", scratch.path("store"), "-"], stdin: Data(body.utf8))
        #expect(again.stderr.contains("1 already present"))
    }

    @Test("a bad query is refused with its position, a caret and a suggestion")
    func queryErrors() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        _ = try CommandRunner.run(["ingest", "--store", store, CommandRunner.packageRoot.appendingPathComponent("samples").path])
        let typo = try CommandRunner.run(["query", "--store", store, "SELECT * FROM vpc_flow_logs WHERE dst_port = 443"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("unknown column 'dst_port' at 1:35 (did you mean 'dstport'?)"))
        #expect(typo.stderr.contains("\n" + String(repeating: " ", count: 2 + 34) + "^\n"))
        let refused = try CommandRunner.run(["query", "--store", store, "DROP TABLE flows"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("refused"))
        for hostile in ["SELECT load_extension('/tmp/evil.so') FROM flows", "PRAGMA writable_schema = ON", "ATTACH DATABASE '/tmp/x.db' AS x",
                        "SELECT 1 FROM flows; DELETE FROM flows", "SELECT readfile('/etc/passwd') FROM flows"] {
            let result = try CommandRunner.run(["query", "--store", store, hostile])
            #expect(result.status == 2, "\(hostile): \(result.stderr)")
        }
        let type = try CommandRunner.run(["query", "--store", store, "SELECT * FROM flows WHERE dstport = 'abc'"])
        #expect(type.status == 2)
        #expect(type.stderr.contains("cannot compare"))
    }

    @Test("explain shows the partitions kept and skipped")
    func explain() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        _ = try CommandRunner.run(["ingest", "--store", store, CommandRunner.packageRoot.appendingPathComponent("samples").path])
        let result = try CommandRunner.run(["explain", "--store", store, "SELECT count(*) FROM flows WHERE date = DATE '2024-01-02'"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Partitions: 1 of 4 read"))
        #expect(result.stdout.contains("read  2024-01-02"))
        #expect(result.stdout.contains("skip  2024-01-01  date = DATE '2024-01-02' cannot hold for 2024-01-01"))
    }

    @Test("JSON output is valid JSON with typed values")
    func json() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        _ = try CommandRunner.run(["ingest", "--store", store, CommandRunner.packageRoot.appendingPathComponent("samples").path])
        let result = try CommandRunner.run(["query", "--store", store, "--format", "json",
                                            "SELECT action, count(*) AS n, avg(bytes) AS a FROM flows WHERE action IS NOT NULL GROUP BY action ORDER BY action"])
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
        #expect(parsed?.first?["action"] as? String == "ACCEPT")
        #expect(parsed?.first?["n"] is Int)
    }

    @Test("the demo ingests the samples and answers its questions")
    func demo() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CommandRunner.run(["demo", "--store", scratch.path("demo"), "--samples", CommandRunner.packageRoot.appendingPathComponent("samples").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Rejected HTTPS flows"))
        #expect(result.stdout.contains("10 stored"))
        #expect(!result.stdout.contains("error"))
        // The bundled inventory names the sample's NAT gateways and S3 addresses.
        #expect(result.stdout.contains("== With an inventory"))
        #expect(result.stdout.contains("nat-gateway nat-"))
        #expect(result.stdout.contains("S3"))
        let again = try CommandRunner.run(["demo", "--store", scratch.path("demo"), "--samples", CommandRunner.packageRoot.appendingPathComponent("samples").path])
        #expect(again.status == 0, "\(again.stderr)")
        // Run again: nothing new, the inventory not added twice, so the same answers.
        #expect(again.stdout.contains("0 stored, 10 already present"))
        let inventorySection = { (text: String) in text.components(separatedBy: "== With an inventory").last ?? "" }
        #expect(inventorySection(again.stdout) == inventorySection(result.stdout))
    }

    @Test("a store of another format: a clear error for a user's store; the default demo store is rebuilt")
    func otherFormat() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // A store left by an older flowq: its catalog says format 1.
        let old = scratch.path("data/flowq-demo")
        try FileManager.default.createDirectory(atPath: old, withIntermediateDirectories: true)
        let catalog = try Database(path: old + "/catalog.db")
        try catalog.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('format', '1');")
        let query = try CommandRunner.run(["query", "--store", old, "SELECT count(*) FROM flows"])
        #expect(query.status == 1)
        #expect(query.stderr.contains("is a flowq store of format 1, this flowq reads format \(FlowStore.formatVersion): ingest the files again into a new store"))
        let samples = CommandRunner.packageRoot.appendingPathComponent("samples").path
        let explicit = try CommandRunner.run(["demo", "--store", old, "--samples", samples])
        #expect(explicit.status == 1, "a store named by the user is never deleted")
        let demo = try CommandRunner.run(["demo", "--samples", samples], environment: ["XDG_DATA_HOME": scratch.path("data")])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stderr.contains("is of store format 1; rebuilding it"))
        #expect(demo.stdout.contains("10 stored"))
    }
}

/// Stopping queries: --timeout and Ctrl-C.
@Suite("Stopping queries", .serialized)
struct StoppingTests {
    static func bigStore(_ scratch: Scratch) throws -> String {
        let store = scratch.path("store")
        // More partitions than cores: the timeout once waited for every partition query.
        _ = try CommandRunner.run(["sample", "--records", "200000", "--days", "8", "--out", scratch.path("logs")])
        let ingest = try CommandRunner.run(["ingest", "--store", store, scratch.path("logs")])
        precondition(ingest.status == 0, ingest.stderr)
        return store
    }

    static let slowQuery = "SELECT srcaddr, dstaddr, srcport, bytes FROM flows ORDER BY lower(interface_id) || CAST(srcport AS varchar), bytes"
    /// An aggregate over every partition: each partition's query runs for seconds.
    static let slowAggregate = "SELECT lower(interface_id) || CAST(srcport AS varchar) || CAST(bytes AS varchar) AS k, count(*) AS n FROM flows GROUP BY 1 ORDER BY 2 DESC"

    @Test("--timeout stops a runaway query with a clear message")
    func timeout() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = try Self.bigStore(scratch)
        for query in [Self.slowQuery, Self.slowAggregate] {
            let started = Date()
            let result = try CommandRunner.run(["query", "--store", store, "--timeout", "0.3", "--format", "csv", query])
            let elapsed = Date().timeIntervalSince(started)
            #expect(result.status == 1)
            #expect(result.stderr.contains("the query ran longer than its --timeout of 0.3 s"))
            // Half a second past the timeout, and process start, is the most it may take.
            #expect(elapsed < 0.3 + 0.5 + 1.0, "stopped after \(elapsed) s")
        }
    }

    @Test("Ctrl-C cancels cleanly with status 130")
    func interrupt() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = try Self.bigStore(scratch)
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["query", "--store", store, "--format", "csv", Self.slowAggregate]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        Thread.sleep(forTimeInterval: 0.3)
        let signalled = Date()
        kill(process.processIdentifier, SIGINT)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(signalled) < 0.5 + 0.5, "stopped \(Date().timeIntervalSince(signalled)) s after Ctrl-C")
        #expect(process.terminationStatus == 130, "\(message)")
        #expect(message.contains("the query was cancelled (Ctrl-C)"))
        // The store is untouched and answers again.
        let check = try CommandRunner.run(["check", "--store", store])
        #expect(check.status == 0)
    }
}
