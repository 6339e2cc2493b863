import FlowModel
import FlowSQLite
import FlowSamples
import Foundation
import Testing

/// Transit Gateway logs through the built binary: a mixed bucket, `status` for both tables,
/// and a kill -9 in the middle of a Transit Gateway file.
@Suite("Transit Gateway end to end", .serialized)
struct TransitGatewayCommandTests {
    /// Transit Gateway files, with their record counts by absolute path.
    private static func transitGateway(_ folder: String, files: Int, records: Int) throws -> [String: Int64] {
        var sample = TransitGatewaySample()
        sample.files = files
        sample.recordsPerFile = records
        sample.firstDay = PartitionDay("2024-01-01")!
        sample.days = 3
        sample.compress = true
        var counts: [String: Int64] = [:]
        for file in try sample.write(to: URL(fileURLWithPath: folder)) {
            counts[URL(fileURLWithPath: file.path).standardizedFileURL.path] = Int64(file.records.count)
        }
        return counts
    }

    private static func count(_ store: String, _ sql: String) throws -> Int64 {
        let result = try CommandRunner.run(["query", "--store", store, "--format", "csv", sql])
        return result.stdout.split(separator: "\r\n").last.flatMap { Int64($0) } ?? -1
    }

    @Test("a mixed bucket: both tables queried, status lists both (table and JSON)")
    func mixedBucketStatus() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bucket = scratch.path("bucket")
        let sample = try CommandRunner.run(["sample", "--records", "5000", "--days", "2", "--out", bucket])
        #expect(sample.status == 0, "\(sample.stderr)")
        let tgw = try Self.transitGateway(bucket, files: 3, records: 400)
        let store = scratch.path("store")
        let ingest = try CommandRunner.run(["ingest", "--store", store, bucket])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try Self.count(store, "SELECT count(*) FROM flows") == 5000)
        #expect(try Self.count(store, "SELECT count(*) FROM tgw_flow_logs") == tgw.values.reduce(0, +))

        let status = try CommandRunner.run(["status", "--store", store])
        #expect(status.status == 0)
        let lines = status.stdout.split(separator: "\n").map(String.init)
        let vpcHeading = try #require(lines.firstIndex(of: "vpc_flow_logs (VPC flow logs)"), "\(status.stdout)")
        let tgwHeading = try #require(lines.firstIndex(of: "tgw_flow_logs (Transit Gateway flow logs)"), "\(status.stdout)")
        #expect(vpcHeading < tgwHeading)
        #expect(lines[vpcHeading..<tgwHeading].contains { $0.hasSuffix("partition(s), 5,000 rows") || $0.contains("partition(s), 5,000 rows,") })
        #expect(lines[tgwHeading...].contains { $0.hasPrefix("4 partition(s), 1,200 rows,") }, "\(status.stdout)")

        let json = try CommandRunner.run(["status", "--store", store, "--format", "json"])
        struct Status: Decodable {
            struct Table: Decodable { var name: String; var partitions: Int; var rows: Int64 }
            struct Partition: Decodable { var table: String; var day: String; var rows: Int64 }
            var tables: [Table]
            var partitions: [Partition]
            var rows: Int64
        }
        let decoded = try JSONDecoder().decode(Status.self, from: Data(json.stdout.utf8))
        #expect(decoded.tables.map(\.name) == ["vpc_flow_logs", "tgw_flow_logs"])
        #expect(decoded.tables.map(\.rows) == [5000, 1200])
        #expect(decoded.tables[1].partitions == 4)
        #expect(decoded.partitions.filter { $0.table == "tgw_flow_logs" }.map(\.day) == ["2023-12-31", "2024-01-01", "2024-01-02", "2024-01-03"])
        #expect(decoded.rows == 6200)

        // A store with only VPC logs still names the other table.
        let empty = scratch.path("vpc-only")
        _ = try CommandRunner.run(["ingest", "--store", empty, bucket + "/AWSLogs/123456789012"])
        #expect(try CommandRunner.run(["status", "--store", empty]).stdout.contains("tgw_flow_logs (Transit Gateway flow logs): no partitions"))

        let wrong = try CommandRunner.run(["query", "--store", store, "SELECT action FROM tgw_flow_logs"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("unknown column 'action'") && wrong.stderr.contains("a column of vpc_flow_logs"), "\(wrong.stderr)")
        let check = try CommandRunner.run(["check", "--store", store])
        #expect(check.status == 0 && check.stdout.contains("consistent"), "\(check.stdout)\(check.stderr)")
    }

    @Test("kill -9 inside a Transit Gateway segment, then ingest again: its rows invisible, then every record once")
    func killInTransitGatewayFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let folder = scratch.path("tgw")
        let files = try Self.transitGateway(folder, files: 8, records: 3000)
        let store = scratch.path("store")
        // 36 columns a segment, about 16 segments: stall in the first segment, then later in each run.
        for blobs in [20, 150, 250] {
            let marker = scratch.path("stalled-\(blobs)")
            let process = Process()
            process.executableURL = CommandRunner.executable
            process.arguments = ["ingest", "--quiet", "--commit-every", "2000", "--store", store, folder]
            var environment = ProcessInfo.processInfo.environment
            environment["FLOWQ_TEST_STALL_AFTER_BLOBS"] = String(blobs)
            environment["FLOWQ_TEST_STALL_MARKER"] = marker
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: marker) && process.isRunning && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            let stalled = FileManager.default.fileExists(atPath: marker)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(stalled, "the ingest never reached blob \(blobs)")
            let check = try CommandRunner.run(["check", "--store", store])
            #expect(check.status == 0, "after a kill at blob \(blobs): \(check.stdout)\(check.stderr)")
            // Exactly the records of the files the catalog calls stored; a pending file shows nothing.
            let catalog = try Database(path: store + "/catalog.db", mode: .readOnly)
            let stored = try catalog.rows("SELECT path FROM files WHERE state = 'stored'").compactMap { $0[0].textValue }
            let pending = try catalog.scalar("SELECT count(*) FROM files WHERE state = 'pending'")?.integerValue ?? 0
            #expect(pending > 0, "a kill at blob \(blobs) left no pending file")
            #expect(try Self.count(store, "SELECT count(*) FROM tgw_flow_logs") == stored.reduce(0) { $0 + (files[$1] ?? -1_000_000) })
        }
        let final = try CommandRunner.run(["ingest", "--store", store, folder])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try Self.count(store, "SELECT count(*) FROM tgw_flow_logs") == files.values.reduce(0, +))
        #expect(try Self.count(store, "SELECT count(*) FROM flows") == 0)
        let check = try CommandRunner.run(["check", "--store", store])
        #expect(check.status == 0 && check.stdout.contains("consistent"), "\(check.stdout)\(check.stderr)")
        let catalog = try Database(path: store + "/catalog.db", mode: .readOnly)
        #expect(try catalog.scalar("SELECT count(*) FROM files WHERE state = 'pending'")?.integerValue == 0)
    }
}
