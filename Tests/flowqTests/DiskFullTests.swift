import FlowSQLite
import Foundation
import Testing

/// Runs a shell command, returning its exit status.
@discardableResult
private func shell(_ command: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}

/// True where this process may mount a small tmpfs (root on Linux): the only honest way to
/// fill a disk or make it read-only in a test.
private let canMountTmpfs: Bool = {
    let probe = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-mount-probe-\(getpid())").path
    guard shell("mkdir -p '\(probe)' && mount -t tmpfs -o size=1m tmpfs '\(probe)'") == 0 else { return false }
    shell("umount '\(probe)'; rmdir '\(probe)'")
    return true
}()

@Suite("A full or read-only disk", .serialized, .enabled(if: canMountTmpfs, "needs permission to mount a tmpfs"))
struct DiskFullTests {
    @Test("a full disk stops the run with a clear error and leaves the store consistent")
    func diskFull() throws {
        let scratch = try Scratch()
        let mountPoint = scratch.path("tiny")
        #expect(shell("mkdir -p '\(mountPoint)' && mount -t tmpfs -o size=3m tmpfs '\(mountPoint)'") == 0)
        defer {
            shell("umount '\(mountPoint)'")
            scratch.remove()
        }
        _ = try CommandRunner.run(["sample", "--records", "400000", "--days", "2", "--files-per-day", "13", "--out", scratch.path("logs")])
        let store = mountPoint + "/store"
        let ingest = try CommandRunner.run(["ingest", "--store", store, scratch.path("logs")])
        #expect(ingest.status == 1)
        #expect(ingest.stderr.contains("the disk is full"))
        #expect(ingest.stderr.contains("files not yet stored were not kept"))
        let check = try CommandRunner.run(["check", "--store", store])
        #expect(check.status == 0, "\(check.stderr)")
        // Only whole files are visible: exactly the records of the files the catalog calls stored.
        let count = try CommandRunner.run(["query", "--store", store, "--format", "csv", "SELECT count(*) AS n FROM flows"])
        let n = Int64(count.stdout.split(separator: "\r\n").last ?? "") ?? -1
        let stored = try Database(path: store + "/catalog.db", mode: .readOnly)
            .scalar("SELECT coalesce(sum(records), 0) FROM files WHERE state = 'stored'")?.integerValue ?? -2
        #expect(n == stored && n < 400_000, "\(count.stdout)")
        // Read-only: a clear error, nothing written; queries still answer.
        #expect(shell("mount -o remount,ro '\(mountPoint)'") == 0)
        let readOnly = try CommandRunner.run(["ingest", "--store", store, scratch.path("logs")])
        #expect(readOnly.status == 1)
        #expect(readOnly.stderr.contains("Read-only file system"))
        let again = try CommandRunner.run(["query", "--store", store, "--format", "csv", "SELECT count(*) AS n FROM flows"])
        #expect(again.stdout == count.stdout)
    }
}

/// The disk-full path on every run: a page limit (`FLOWQ_TEST_MAX_PAGE_COUNT`, a test hook)
/// makes SQLite fail with SQLITE_FULL part-way through an ingest, as a full disk does.
@Suite("A partition that cannot grow", .serialized)
struct PageLimitTests {
    @Test("SQLITE_FULL part-way stops the run with the disk-full message; only whole files are visible")
    func pageLimit() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try CommandRunner.run(["sample", "--records", "60000", "--days", "1", "--files-per-day", "4", "--out", scratch.path("logs")])
        let store = scratch.path("store")
        let ingest = try CommandRunner.run(["ingest", "--store", store, "--commit-every", "15000", scratch.path("logs")],
                                           environment: ["FLOWQ_TEST_MAX_PAGE_COUNT": "60"])
        #expect(ingest.status == 1, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("the disk is full"))
        #expect(ingest.stderr.contains("files not yet stored were not kept"))
        let check = try CommandRunner.run(["check", "--store", store])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let count = try CommandRunner.run(["query", "--store", store, "--format", "csv", "SELECT count(*) AS n FROM flows"])
        let n = Int(count.stdout.split(separator: "\r\n").last ?? "") ?? -1
        #expect(n >= 0 && n % 15_000 == 0, "\(count.stdout)")
        // With room again, the same command stores everything exactly once.
        let again = try CommandRunner.run(["ingest", "--store", store, scratch.path("logs")])
        #expect(again.status == 0, "\(again.stderr)")
        let total = try CommandRunner.run(["query", "--store", store, "--format", "csv", "SELECT count(*) AS n FROM flows"])
        #expect(total.stdout.hasSuffix("60000\r\n"), "\(total.stdout)")
    }
}
