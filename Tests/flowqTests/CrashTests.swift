import Foundation
import Testing

/// Kills real `flowq ingest` processes part-way, queries while they run, and proves the store
/// ends up holding every valid record exactly once.
@Suite("Crashes and concurrency", .serialized)
struct CrashTests {
    /// A corpus of plain files, with each file's record count and the total of `bytes`.
    private static func corpus(_ scratch: Scratch) throws -> (folder: String, counts: [Int], bytes: Int64) {
        let folder = scratch.path("logs")
        let sample = try CommandRunner.run(["sample", "--records", "160000", "--days", "4", "--files-per-day", "8", "--plain", "--out", folder])
        precondition(sample.status == 0, sample.stderr)
        let files = (FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".log") }.sorted()
        var counts: [Int] = []
        var bytes: Int64 = 0
        for file in files {
            let lines = try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(separator: "\n").dropFirst()
            counts.append(lines.count)
            for line in lines {
                let field = line.split(separator: " ")[9]
                bytes += Int64(field) ?? 0
            }
        }
        return (folder, counts, bytes)
    }

    private static func launchIngest(store: String, folder: String) throws -> Process {
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["ingest", "--quiet", "--store", store, folder]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func count(_ store: String) throws -> (Int64, Int64) {
        let result = try CommandRunner.run(["query", "--store", store, "--format", "csv", "SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM flows"])
        let values = result.stdout.split(separator: "\r\n").last?.split(separator: ",").compactMap { Int64($0) } ?? []
        return values.count == 2 ? (values[0], values[1]) : (-1, -1)
    }

    @Test("kill -9 at several points, then ingest again: every record exactly once")
    func killAndResume() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (folder, counts, bytes) = try Self.corpus(scratch)
        let store = scratch.path("store")
        let prefixSums = Set(counts.indices.map { Int64(counts[...$0].reduce(0, +)) } + [0])
        for delay in [0.05, 0.2, 0.4, 0.1] {
            let process = try Self.launchIngest(store: store, folder: folder)
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // After the kill: consistent, and only whole files visible.
            if FileManager.default.fileExists(atPath: store + "/catalog.db") {
                let check = try CommandRunner.run(["check", "--store", store])
                #expect(check.status == 0, "after kill at \(delay)s: \(check.stderr)")
                let (n, _) = try Self.count(store)
                #expect(prefixSums.contains(n), "after kill at \(delay)s the store shows \(n) records, not a whole number of files")
            }
        }
        let final = try CommandRunner.run(["ingest", "--store", store, folder])
        #expect(final.status == 0, "\(final.stderr)")
        let (n, b) = try Self.count(store)
        #expect(n == Int64(counts.reduce(0, +)))
        #expect(b == bytes)
        let check = try CommandRunner.run(["check", "--store", store])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("consistent"))
    }

    @Test("queries during an ingest never fail and never see part of a file")
    func queryWhileIngesting() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (folder, counts, _) = try Self.corpus(scratch)
        let store = scratch.path("store")
        // Create the store first so queries have something to open.
        let first = try CommandRunner.run(["ingest", "--store", store, folder + "/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/01"])
        #expect(first.status == 0)
        let prefixSums = Set(counts.indices.map { Int64(counts[...$0].reduce(0, +)) })
        let process = try Self.launchIngest(store: store, folder: folder)
        var observed: [Int64] = []
        while process.isRunning {
            let (n, _) = try Self.count(store)
            observed.append(n)
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(!observed.isEmpty)
        for n in observed {
            #expect(prefixSums.contains(n), "a query saw \(n) records: not a whole number of files")
        }
        #expect(observed == observed.sorted())
    }

    @Test("a second ingest into a busy store is refused with a clear message")
    func twoWriters() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (folder, _, _) = try Self.corpus(scratch)
        let store = scratch.path("store")
        let process = try Self.launchIngest(store: store, folder: folder)
        defer { process.waitUntilExit() }
        // Wait until the first holds the lock.
        let lock = store + "/.lock"
        for _ in 0..<200 where !(FileManager.default.contents(atPath: lock).map { !$0.isEmpty } ?? false) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        let second = try CommandRunner.run(["ingest", "--store", store, folder])
        if process.isRunning {
            #expect(second.status == 1)
            #expect(second.stderr.contains("the store is busy: flowq ingest (pid \(process.processIdentifier))"))
        }
    }
}
