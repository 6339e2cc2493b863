import FlowModel
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowStore

/// A corpus of every kind of bad input beside good ones, ingested twice: the store must hold
/// exactly the valid records, each once, and every bad file and line must be reported.
@Suite("A hostile corpus", .serialized)
struct HostileCorpusTests {
    /// One valid record's identity as the test knows it: start, srcport, bytes.
    struct Expected: Hashable { var start: Int64; var srcport: Int64?; var bytes: Int64? }

    static func v2(_ srcport: Int, start: Int64, bytes: Int = 100, account: String = "123456789012", src: String = "10.0.0.1", action: String = "ACCEPT") -> String {
        "2 \(account) eni-1 \(src) 10.0.0.2 \(srcport) 443 6 1 \(bytes) \(start) \(start + 60) \(action) OK"
    }

    /// Writes the corpus and returns (paths, the valid records, the paths that must be rejected).
    static func build(_ folder: TemporaryFolder) throws -> (paths: [String], valid: Set<Expected>, rejected: [String: String]) {
        var valid = Set<Expected>()
        var rejected: [String: String] = [:]
        let day: Int64 = 1_704_412_800 // 2024-01-05
        func add(_ start: Int64, _ srcport: Int64?, _ bytes: Int64?) { valid.insert(Expected(start: start, srcport: srcport, bytes: bytes)) }

        // Good files in every shape.
        try folder.writeGzip("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05/multi.log.gz",
                             members: [defaultHeader + "\n" + v2(1, start: day) + "\n", v2(2, start: day + 1) + "\n", v2(3, start: day + 2)])
        add(day, 1, 100); add(day + 1, 2, 100); add(day + 2, 3, 100)
        try folder.write("plain/crlf.log", defaultHeader + "\r\n" + v2(4, start: day + 3) + "\r\n" + v2(5, start: day + 4))
        add(day + 3, 4, 100); add(day + 4, 5, 100)
        try folder.write("plain/spaces.log", defaultHeader + "\n2  unknown  eni-9\t10.0.0.1 10.0.0.2 6 443 6 1 100 \(day + 5)000 \(day + 65)000 REJECT OK  \n")
        add(day + 5, 6, 100) // milliseconds become seconds; "unknown" account kept
        try folder.write("plain/nodata.log", defaultHeader + "\n2 1 eni-1 - - - - - - - \(day + 6) \(day + 66) - NODATA\n2 1 eni-1 - - - - - - - \(day + 7) \(day + 67) - SKIPDATA\n")
        add(day + 6, nil, nil); add(day + 7, nil, nil)
        try folder.write("plain/ipv6.log", defaultHeader + "\n" + v2(8, start: day + 8, src: "2001:db8::8") + "\n")
        add(day + 8, 8, 100)
        // Versions 3 to 8 and a field newer than flowq, in a custom order.
        let custom = "start srcport bytes version vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path ecs-cluster-arn ecs-cluster-name ecs-container-instance-arn ecs-container-instance-id ecs-container-id ecs-second-container-id ecs-service-name ecs-task-definition-arn ecs-task-arn ecs-task-id reject-reason resource-id encryption-status quantum-field"
        try folder.write("plain/v8.log", custom + "\n\(day + 9) 9 900 8 vpc-1 subnet-1 i-1 18 IPv4 10.0.0.1 10.0.0.2 eu-west-1 euw1-az1 - - S3 - egress 2 arn:c c1 arn:ci ci1 cid1 - svc arn:td arn:t t1 BPA res-1 1 extra\n")
        add(day + 9, 9, 900)
        // Malformed lines among good ones: the good ones are stored, the bad ones counted.
        let badLines = [
            "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 100 \(day) \(day + 60) ACCEPT",
            "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 100 \(day) \(day + 60) ACCEPT OK extra",
            "2 1 eni-1 10.0.0.1 10.0.0.2 99999 443 6 1 100 \(day) \(day + 60) ACCEPT OK",
            "2 1 eni-1 10.0.0.1 10.0.0.2 http 443 6 1 100 \(day) \(day + 60) ACCEPT OK",
            "2 1 eni-1 10.0.0.300 10.0.0.2 1 443 6 1 100 \(day) \(day + 60) ACCEPT OK",
            "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 100 \(day) \(day + 60) MAYBE OK",
            "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 100 \(day) \(day + 60) ACCEPT WEIRD",
            "2 1 eni-1 10.0.0.1 10.0.0.2 1 443 6 1 100 \(day) \(day + 60) ACCEPT OK\u{0}",
            "2 1 eni-\u{FF}1 10.0.0.1 10.0.0.2 1 443 6 1 100 \(day) \(day + 60) ACCEPT OK",
            String(repeating: "z", count: 70_000),
        ]
        try folder.write("plain/mixed.log", defaultHeader + "\n" + v2(10, start: day + 10) + "\n" + badLines.joined(separator: "\n") + "\n" + v2(11, start: day + 11) + "\n")
        add(day + 10, 10, 100); add(day + 11, 11, 100)
        try folder.write("plain/header-only.log", defaultHeader + "\n")

        // Files that store nothing.
        let text = defaultHeader + "\n" + (0..<3000).map { v2(100 + $0, start: day + 100 + Int64($0)) }.joined(separator: "\n")
        let whole = try folder.writeGzip("broken/whole.log.gz", members: [text])
        let data = try Data(contentsOf: URL(fileURLWithPath: whole))
        try FileManager.default.removeItem(atPath: whole)
        let truncated = folder.path("broken/truncated.log.gz")
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: truncated))
        rejected[truncated] = "gzip stream ends early"
        let binary = folder.path("broken/picture.log")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x01, 0xFF]).write(to: URL(fileURLWithPath: binary))
        rejected[binary] = "cannot be a field name"
        rejected[try folder.write("broken/empty.log", "")] = "the file is empty"
        rejected[try folder.write("broken/headless.log", v2(1, start: day) + "\n")] = "no header line"
        let tgw = try folder.write("transit/tgw.log", "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status\n6 TransitGateway 123 tgw-1 tgw-attach-1 123 10.0.0.1 10.0.0.2 1 2 6 1 40 \(day) \(day + 60) OK\n")
        _ = tgw
        let paths = [folder.path("AWSLogs"), folder.path("plain"), folder.path("broken"), folder.path("transit")]
        return (paths, valid, rejected)
    }

    static func stored(_ store: FlowStore) throws -> [Expected] {
        var rows: [Expected] = []
        for partition in try store.openCatalogForReading().partitions() where partition.table == .vpc {
            for row in try SegmentDump.rows(store: store, day: partition.day, columns: ["start", "srcport", "bytes"]) {
                rows.append(Expected(start: Int64(row[0]) ?? -1, srcport: Int64(row[1]), bytes: Int64(row[2])))
            }
        }
        return rows
    }

    @Test("ingested twice, the store holds exactly the valid records, once each")
    func exactlyTheValidRecords() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (paths, valid, rejected) = try Self.build(folder)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))

        let first = try Ingestor(store: store).ingest(paths: paths)
        let rows = try Self.stored(store)
        #expect(rows.count == valid.count)
        #expect(Set(rows) == valid)
        #expect(first.recordsStored == Int64(valid.count) + 1) // and the Transit Gateway record
        for (path, reason) in rejected {
            let outcome = first.files.first { $0.path == path }
            guard case .rejected(let why)? = outcome?.status else { Issue.record("\(path) was not rejected"); continue }
            #expect(why.contains(reason), "\(path): \(why)")
        }
        let mixed = try #require(first.files.first { $0.path.hasSuffix("mixed.log") })
        #expect(mixed.skippedLines == 10)
        #expect(mixed.lineErrors.count == 5)
        #expect(mixed.lineErrors.first?.hasSuffix("mixed.log:3: expected 14 fields as the header says, found 13") == true)
        // Transit Gateway logs go to their own table, never into VPC columns (`stored` reads VPC's).
        let tgw = try #require(first.files.first { $0.path.hasSuffix("tgw.log") })
        #expect(tgw.status == .stored)
        #expect(tgw.records == 1)
        let tgwPartitions = try store.openCatalogForReading().partitions().filter { $0.table == .transitGateway }
        #expect(tgwPartitions.map(\.day) == [PartitionDay("2024-01-05")!])
        #expect(try SegmentDump.rows(store: store, day: PartitionDay("2024-01-05")!, table: .transitGateway,
                                     columns: ["tgw_attachment_id", "srcport", "bytes"]) == [["tgw-attach-1", "1", "40"]])
        let v8 = try #require(first.files.first { $0.path.hasSuffix("v8.log") })
        #expect(v8.unknownFields == ["quantum-field"])

        let second = try Ingestor(store: store).ingest(paths: paths)
        #expect(second.recordsStored == 0)
        #expect(second.storedCount == 0)
        // Every file is known: stored before, or rejected before and unchanged.
        #expect(second.alreadyPresentCount + second.stillRejected.count == second.files.count)
        #expect(try Self.stored(store).count == valid.count)
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    @Test("a file that changed since it was stored is reported, not doubled")
    func changedFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("a.log", defaultHeader + "\n" + Self.v2(1, start: 1_704_412_800) + "\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        _ = try Ingestor(store: store).ingest(paths: [path])
        try folder.write("a.log", defaultHeader + "\n" + Self.v2(1, start: 1_704_412_800) + "\n" + Self.v2(2, start: 1_704_412_801) + "\n")
        let again = try Ingestor(store: store).ingest(paths: [path])
        guard case .rejected(let reason)? = again.files.first?.status else { Issue.record("not rejected"); return }
        #expect(reason.contains("the file changed since it was stored"))
        #expect(try Self.stored(store).count == 1)
    }
}
