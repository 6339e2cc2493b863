import FlowModel
import Foundation

/// Writes Transit Gateway flow-log files in AWS's default TGW format and S3 layout, from a
/// seed (the same seed writes the same bytes): what the tests ingest beside VPC samples to
/// prove a mixed bucket fills both tables.
///
/// Records flow between a few attachments of one transit gateway; about one in twenty is a
/// NODATA record (`-` in every field but the ids, times and status), and a few count lost
/// packets. Times lie in the file's delivery day, some in the last minutes before it.
public struct TransitGatewaySample: Sendable {
    /// Files to write.
    public var files = 4
    /// Records in each file.
    public var recordsPerFile = 250
    /// The first delivery day; file `i` is delivered on day `firstDay + i % days`.
    public var firstDay = PartitionDay(dayNumber: 19_727)
    /// Days the files spread over.
    public var days = 2
    /// Write `.log.gz` (true) or plain `.log` files.
    public var compress = false
    /// Seed: the same seed gives the same files.
    public var seed: UInt64 = 7

    /// A writer with the defaults above.
    public init() {}

    static let account = "111122223333"
    static let region = "eu-west-1"
    static let attachments = ["tgw-attach-0a1b2c3d4e5f60001", "tgw-attach-0a1b2c3d4e5f60002", "tgw-attach-0a1b2c3d4e5f60003"]

    /// Writes the files under `folder` (`AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/...`);
    /// returns each file's path with the records it holds, as the fields' text in the default
    /// format's order (`-` for NULL).
    public func write(to folder: URL) throws -> [(path: String, records: [[String]])] {
        var random = SplitMix64(seed: seed)
        let header = FlowLayout.transitGatewayDefaultFields.map(\.headerName).joined(separator: " ")
        var written: [(path: String, records: [[String]])] = []
        for index in 0..<files {
            let day = PartitionDay(dayNumber: firstDay.dayNumber + Int32(index % max(1, days)))
            let (y, m, d) = day.civil
            let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
            let dayStart = Int64(day.dayNumber) * 86_400
            let directory = folder.appendingPathComponent("AWSLogs/\(Self.account)/vpcflowlogs/\(Self.region)/\(y)/\(two(m))/\(two(d))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let name = "\(Self.account)_vpcflowlogs_\(Self.region)_fl-0tgw\(index)_\(y)\(two(m))\(two(d))T\(two(index % 24))00Z_\(String(random.next() % 0xFFFF_FFFF, radix: 16)).log"
            var records: [[String]] = []
            for _ in 0..<recordsPerFile {
                // Mostly inside the day; one in ten starts minutes before it (the previous day's partition).
                let start = random.chance(0.1) ? dayStart - Int64(1 + random.below(600)) : dayStart + Int64(random.below(86_000))
                let end = start + 60
                let from = random.below(Self.attachments.count)
                let to = (from + 1 + random.below(Self.attachments.count - 1)) % Self.attachments.count
                let ids = ["6", "TransitGateway", Self.account, "tgw-0a1b2c3d4e5f60000", Self.attachments[from]]
                if random.chance(0.05) {
                    records.append(ids + Array(repeating: "-", count: 18) + ["\(start)", "\(end)", "NODATA"] + Array(repeating: "-", count: 10))
                    continue
                }
                let packets = 1 + random.skewed(500)
                let lost = { (p: Double) -> String in random.chance(p) ? String(1 + random.below(9)) : "0" }
                records.append(ids + [
                    "22223333444\(from)", "22223333444\(to)", "vpc-0\(from)", "vpc-0\(to)", "subnet-0\(from)", "subnet-0\(to)",
                    "eni-0\(from)", "eni-0\(to)", "euw1-az\(from + 1)", "euw1-az\(to + 1)", Self.attachments[to],
                    "10.\(from).\(random.below(4)).\(1 + random.below(200))", "10.\(to).\(random.below(4)).\(1 + random.below(200))",
                    String(1024 + random.below(60_000)), ["443", "80", "53", "22"][random.below(4)], random.chance(0.8) ? "6" : "17",
                    String(packets), String(packets * (40 + random.below(1400))), "\(start)", "\(end)", "OK", "IPv4",
                    lost(0.05), lost(0.05), lost(0.02), lost(0.02), random.chance(0.5) ? "18" : "3", Self.region,
                    random.chance(0.5) ? "ingress" : "egress", random.chance(0.1) ? "S3" : "-", "-",
                ])
            }
            let text = ([header] + records.map { $0.joined(separator: " ") }).joined(separator: "\n") + "\n"
            var path = directory.appendingPathComponent(name).path
            if compress {
                path += ".gz"
                let writer = try GzipWriter(path: path)
                try writer.write(text)
                try writer.close()
            } else {
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            }
            written.append((path, records))
        }
        return written
    }
}
