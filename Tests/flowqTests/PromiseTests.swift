import FlowIngest
import FlowSamples
import Foundation
import Testing

/// The README's promises under attack (issue 11), through the built binary.
@Suite("Promises kept under attack", .serialized)
struct PromiseTests {
    static let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"

    static func record(_ port: Int, start: Int64 = 1_704_412_800) -> String {
        "2 123456789012 eni-1 10.0.0.1 10.0.0.2 \(port) 443 6 1 100 \(start) \(start + 60) ACCEPT OK"
    }

    static func count(_ store: String, _ condition: String = "true") throws -> Int64 {
        let result = try CommandRunner.run(["query", "--store", store, "--format", "csv", "SELECT count(*) AS n FROM flows WHERE \(condition)"])
        return Int64(result.stdout.split(separator: "\r\n").last ?? "") ?? -1
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    // MARK: 3. An unreadable folder

    @Test("an unreadable sub-folder is named, the run exits 3, and everything else is stored")
    func unreadableFolder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Root reads every folder whatever its mode: run as nobody there (world-writable scratch).
        let asRoot = geteuid() == 0
        if asRoot && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            Issue.record("running as root without setpriv: cannot meet a permission error")
            return
        }
        chmod(scratch.url.path, 0o777)
        try Self.write(Self.header + "\n" + Self.record(1) + "\n", to: scratch.path("logs/open/a.log"))
        try Self.write(Self.header + "\n" + Self.record(2) + "\n", to: scratch.path("logs/closed/b.log"))
        chmod(scratch.path("logs/closed"), 0)
        defer { chmod(scratch.path("logs/closed"), 0o755) }
        let store = scratch.path("store")
        let result = try CommandRunner.measure(["ingest", "--store", store, scratch.path("logs")], stderr: scratch.path("err.txt"),
                                               asUser: asRoot ? 65534 : nil)
        let stderr = (try? String(contentsOfFile: scratch.path("err.txt"), encoding: .utf8)) ?? ""
        #expect(result.status == 3, "\(stderr)")
        #expect(stderr.contains("rejected \(scratch.path("logs/closed")): cannot read the folder: Permission denied"), "\(stderr)")
        #expect(stderr.contains("1 stored"))
        #expect(try Self.count(store) == 1)
    }

    // MARK: 5. report --output

    @Test("report --output writes through devices and links, refuses the store, replaces files atomically")
    func reportOutput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        try Self.write(Self.header + "\n" + Self.record(1) + "\n", to: scratch.path("a.log"))
        #expect(try CommandRunner.run(["ingest", "--store", store, scratch.path("a.log")]).status == 0)
        let window = ["--from", "2024-01-01", "--to", "2024-02-01", "--store", store]
        let catalogBefore = try Data(contentsOf: URL(fileURLWithPath: store + "/catalog.db"))
        let intoStore = try CommandRunner.run(["report", "top-talkers", "--output", store + "/catalog.db", "--format", "csv"] + window)
        #expect(intoStore.status == 1)
        #expect(intoStore.stderr.contains("inside the flowq store"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: store + "/catalog.db")) == catalogBefore)
        // A link into the store is seen through.
        try FileManager.default.createSymbolicLink(atPath: scratch.path("sneaky.csv"), withDestinationPath: store + "/catalog.db")
        #expect(try CommandRunner.run(["report", "top-talkers", "--output", scratch.path("sneaky.csv"), "--format", "csv"] + window).status == 1)
        // /dev/null stays a device.
        #expect(try CommandRunner.run(["report", "top-talkers", "--output", "/dev/null", "--format", "csv"] + window).status == 0)
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        // A link to a file: the target is written, the link stays a link.
        try Self.write("old", to: scratch.path("reports/target.csv"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("latest.csv"), withDestinationPath: scratch.path("reports/target.csv"))
        #expect(try CommandRunner.run(["report", "top-talkers", "--output", scratch.path("latest.csv"), "--format", "csv"] + window).status == 0)
        #expect(lstat(scratch.path("latest.csv"), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: scratch.path("reports/target.csv"), encoding: .utf8).contains("srcaddr"))
        // A full device is an error.
        let full = try CommandRunner.run(["report", "top-talkers", "--output", "/dev/full", "--format", "csv"] + window)
        #expect(full.status == 1)
        #expect(full.stderr.contains("No space left on device"))
    }

    // MARK: 14. Write errors

    @Test("a full standard output or standard error is an error with status 1; an ingest's work is kept")
    func fullOutput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        try Self.write(Self.header + "\n" + (0..<500).map { Self.record($0) }.joined(separator: "\n") + "\n", to: scratch.path("a.log"))
        let ingest = try CommandRunner.measure(["ingest", "--store", store, scratch.path("a.log")], stderr: "/dev/full")
        #expect(ingest.status == 1, "a summary that cannot be written is a failure")
        #expect(try Self.count(store) == 500, "but the records are stored")
        for arguments in [["query", "--format", "csv", "SELECT * FROM flows"], ["status"], ["status", "--format", "json"], ["check"],
                          ["report", "top-talkers", "--from", "2024-01-01", "--to", "2024-02-01", "--format", "csv"]] {
            let result = try CommandRunner.measure(arguments + ["--store", store], stdout: "/dev/full", stderr: scratch.path("err.txt"))
            let stderr = (try? String(contentsOfFile: scratch.path("err.txt"), encoding: .utf8)) ?? ""
            #expect(result.status == 1, "\(arguments): \(result.status)")
            #expect(stderr.contains("No space left on device"), "\(arguments): \(stderr)")
        }
        // A reader that goes away is no error: the output just ends.
        let head = Process()
        head.executableURL = URL(fileURLWithPath: "/bin/sh")
        head.arguments = ["-c", "'\(CommandRunner.executable.path)' query --store '\(store)' --format csv 'SELECT * FROM flows' | head -1 >/dev/null; echo ${PIPESTATUS:-0}"]
        head.standardError = FileHandle.nullDevice
        try head.run()
        head.waitUntilExit()
        #expect(head.terminationStatus == 0)
    }

    // MARK: 15. Usage errors, not crashes

    @Test("absurd numbers in options are usage errors (64)", arguments: [
        ["query", "--timeout", "nan", "SELECT 1 FROM flows"], ["query", "--timeout", "inf", "SELECT 1 FROM flows"],
        ["query", "--timeout", "1e300", "SELECT 1 FROM flows"], ["query", "--timeout", "0", "SELECT 1 FROM flows"],
        ["report", "top-talkers", "--timeout", "nan"], ["prune", "--older-than", "99999999999999d"],
        ["query", "--memory-limit", "0", "SELECT 1 FROM flows"], ["query", "--memory-limit", "lots", "SELECT 1 FROM flows"],
        ["query", "--memory-limit", "10KB", "SELECT 1 FROM flows"], ["report", "top-talkers", "--memory-limit", "-5GB"],
    ])
    func absurdOptions(arguments: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try CommandRunner.run(arguments + ["--store", scratch.path("store")])
        #expect(result.status == 64, "\(result.stderr)")
    }

    // MARK: 13. Limits instead of crashes

    @Test("a 50,000-value IN list and YAML nested 5,000 deep fail with a message, not a segfault")
    func limits() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        try Self.write(Self.header + "\n" + Self.record(1) + "\n", to: scratch.path("a.log"))
        #expect(try CommandRunner.run(["ingest", "--store", store, scratch.path("a.log")]).status == 0)
        let list = (0..<50_000).map(String.init).joined(separator: ",")
        try Self.write("SELECT count(*) FROM flows WHERE dstport IN (\(list))", to: scratch.path("q.sql"))
        for command in ["query", "explain"] {
            let result = try CommandRunner.run([command, "--store", store, "--file", scratch.path("q.sql")])
            #expect(result.status == 2, "\(command): \(result.status)")
            #expect(result.stderr.contains("at most 10,000 values"))
            #expect(result.stderr.count < 2000, "the error shows a window of the query, not all of it")
        }
        try Self.write("title: t\nqueries:\n" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n", to: scratch.path("deep.yaml"))
        let report = try CommandRunner.run(["report", "--store", store, "--file", scratch.path("deep.yaml")])
        #expect(report.status == 2, "\(report.stderr)")
        #expect(report.stderr.contains("nested more than"))
    }

    // MARK: 19. Control characters

    @Test("escape sequences from a header never reach the terminal raw, in errors or in status")
    func escapes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        try Self.write("version \u{1B}]0;owned\u{07}\u{1B}[2J start\n2 1704412800\n", to: scratch.path("evil.log"))
        let ingest = try CommandRunner.run(["ingest", "--store", store, scratch.path("evil.log")])
        #expect(ingest.status == 3)
        #expect(!ingest.stderr.contains("\u{1B}"))
        #expect(ingest.stderr.contains("\\x1b]0;owned\\x07"))
        let status = try CommandRunner.run(["status", "--store", store])
        #expect(!status.stdout.contains("\u{1B}") && !status.stdout.contains("\u{07}"), "\(status.stdout)")
    }

    // MARK: 6. Content, whatever the compression

    @Test("zcat into standard input, a gzip -9 copy and a gunzip -k copy add nothing")
    func sameContent() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let store = scratch.path("store")
        let gz = scratch.path("logs/a.log.gz")
        try FileManager.default.createDirectory(atPath: scratch.path("logs"), withIntermediateDirectories: true)
        let writer = try GzipWriter(path: gz, level: 1)
        try writer.write(Self.header + "\n" + (0..<300).map { Self.record($0) }.joined(separator: "\n") + "\n")
        try writer.close()
        #expect(try CommandRunner.run(["ingest", "--store", store, gz]).status == 0)
        let plain = try CommandRunner.run(["ingest", "--store", store, "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: scratch.path("logs/a.log.gz"))))
        #expect(plain.stderr.contains("0 stored, 1 already present"), "\(plain.stderr)")
        let text = String(decoding: try readAll(gz), as: UTF8.self)
        let fromZcat = try CommandRunner.run(["ingest", "--store", store, "-"], stdin: Data(text.utf8))
        #expect(fromZcat.stderr.contains("0 stored, 1 already present"), "\(fromZcat.stderr)")
        try Self.write(text, to: scratch.path("logs/a.log"))
        let best = try GzipWriter(path: scratch.path("logs/a9.log.gz"), level: 9)
        try best.write(text)
        try best.close()
        let copies = try CommandRunner.run(["ingest", "--store", store, scratch.path("logs/a.log"), scratch.path("logs/a9.log.gz")])
        #expect(copies.stderr.contains("0 stored, 2 already present"), "\(copies.stderr)")
        #expect(try Self.count(store) == 300)
    }

    /// The decompressed bytes of a file, read with flowq's own reader.
    private func readAll(_ path: String) throws -> [UInt8] {
        let reader = try DecompressingReader(path: path)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }

    // MARK: 12. Long records, bounded memory

    @Test("records of 60 KB keep ingest memory flat")
    func longRecords() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("long.log.gz")
        let writer = try GzipWriter(path: path, level: 1)
        try writer.write(Self.header + " note\n")
        let filler = String(repeating: "abcdefgh", count: 7_500)
        for index in 0..<2000 { try writer.write(Self.record(index % 60_000) + " " + filler + "\n") }
        try writer.close()
        let result = try CommandRunner.measure(["ingest", "--store", scratch.path("store"), path], stderr: scratch.path("err.txt"))
        #expect(result.status == 0, "\((try? String(contentsOfFile: scratch.path("err.txt"), encoding: .utf8)) ?? "")")
        // 120 MB of records; a batch that grew with them held them all.
        #expect(result.peakKilobytes > 0 && result.peakKilobytes < 120_000, "peak \(result.peakKilobytes) KB")
        #expect(try Self.count(scratch.path("store")) == 2000)
    }
}
