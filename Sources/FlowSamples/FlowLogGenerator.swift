import FlowModel
import Foundation

/// Writes realistic VPC flow-log corpora in the S3 export layout, of any size, from a seed.
///
/// Files land at `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/<account>_vpcflowlogs_
/// <region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz`, one per 5-minute window used, each
/// starting with its header line. Traffic is skewed like real traffic (a few talkers and ports
/// dominate), about 12% is rejected, and NODATA, SKIPDATA and IPv6 rows appear in every file of
/// 50 records or more. Records near midnight start on the day before the folder's day, as AWS's
/// do, so partitioning by `start` is exercised. With `Options.inventory` the world also has NAT
/// gateways and cross-zone traffic, `inventory/` holds its `aws ec2 describe-*` output, and
/// `Corpus.groundTruth` says what was written.
public struct FlowLogGenerator: Sendable {
    /// What to generate.
    public struct Options: Sendable {
        /// Records in all (spread evenly over the files).
        public var records = 10_000
        /// Days covered.
        public var days = 1
        /// The first day.
        public var firstDay = PartitionDay("2024-01-01") ?? PartitionDay(dayNumber: 19_723)
        /// Record layout of the files.
        public var layout = SampleLayout.default
        /// Seed: the same seed gives the same files.
        public var seed: UInt64 = 42
        /// Files per day; nil picks about one file per 15,000 records (at most 288: one per 5 minutes).
        public var filesPerDay: Int? = nil
        /// Write `.log.gz` (true) or plain `.log` files.
        public var compress = true
        /// Gzip level.
        public var compressionLevel: Int32 = 6
        /// The account id in keys and records.
        public var accountID = "123456789012"
        /// The region in keys (and records of the custom layout).
        public var region = "us-east-1"
        /// Also describe the world (`flowq sample --inventory`): NAT gateways carry the private
        /// instances' internet and AWS traffic, instances talk across Availability Zones, and
        /// `inventory/` beside `AWSLogs/` holds the `aws ec2 describe-*` output and an
        /// `ip-ranges.json` excerpt for that world. Off, the files are what they always were.
        public var inventory = false

        /// Default options.
        public init() {}
    }

    /// What was written.
    public struct Corpus: Sendable {
        /// Paths of the files, in time order.
        public var files: [String]
        /// Records written (not counting headers).
        public var records: Int
        /// Uncompressed bytes written.
        public var bytes: Int
        /// With `Options.inventory`: the inventory files written (`inventory/*.json`), else empty.
        public var inventoryFiles: [String] = []
        /// With `Options.inventory`: the NAT hops and internal flows written, each once, for
        /// tests to check reports against; nil without.
        public var groundTruth: SampleGroundTruth? = nil
    }

    /// The options.
    public let options: Options

    /// A generator for `options`.
    public init(options: Options) {
        self.options = options
    }

    /// Writes the corpus under `folder` (created when missing).
    public func write(to folder: URL) throws -> Corpus {
        let days = max(1, options.days)
        let perDay = min(288, max(1, options.filesPerDay ?? Int((Double(options.records) / Double(days) / 15_000).rounded(.up))))
        let fileCount = days * perDay
        var random = SplitMix64(seed: options.seed)
        let world = World(random: &random, accountID: options.accountID, region: options.region)
        // Drawn from a stream of its own: without `--inventory` nothing below changes.
        let network = options.inventory ? SampleNetwork(world: world, seed: options.seed) : nil
        var truth = SampleGroundTruth()
        var corpus = Corpus(files: [], records: 0, bytes: 0)
        for index in 0..<fileCount {
            let day = options.firstDay.adding(days: Int32(index / perDay))
            // Windows spread over the day; the file time is the window's end.
            let slot = (index % perDay) * (288 / perDay)
            let windowEnd = day.startSeconds + Int64(slot) * 300 + 300
            let count = options.records / fileCount + (index < options.records % fileCount ? 1 : 0)
            let layout: [FlowField]
            switch options.layout {
            case .default: layout = SampleLayout.defaultFields
            case .custom: layout = SampleLayout.customFields
            case .mixed: layout = index % 2 == 0 ? SampleLayout.defaultFields : SampleLayout.customFields
            }
            let path = folder.appendingPathComponent(key(day: day, windowEnd: windowEnd, random: &random)).path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            corpus.bytes += try writeFile(path: path, layout: layout, records: count, windowEnd: windowEnd, world: world,
                                          network: network, truth: &truth, random: &random)
            corpus.files.append(path)
            corpus.records += count
        }
        if let network {
            corpus.inventoryFiles = try SampleInventory(network: network, createDate: options.firstDay.startSeconds)
                .write(to: folder.appendingPathComponent("inventory"))
            corpus.groundTruth = truth
        }
        return corpus
    }

    private func key(day: PartitionDay, windowEnd: Int64, random: inout SplitMix64) -> String {
        let (y, m, d) = day.civil
        let time = Self.compactTime(windowEnd)
        let hash = String(random.next() & 0xFFFF_FFFF, radix: 16)
        let name = "\(options.accountID)_vpcflowlogs_\(options.region)_fl-0a1b2c3d4e5f60718_\(time)_\(hash)" + (options.compress ? ".log.gz" : ".log")
        return String(format: "AWSLogs/%@/vpcflowlogs/%@/%04d/%02d/%02d/%@", options.accountID, options.region, y, m, d, name)
    }

    /// `20240105T0005Z`.
    static func compactTime(_ seconds: Int64) -> String {
        let day = PartitionDay(unixSeconds: seconds)
        let (y, m, d) = day.civil
        let minutes = Int((seconds - day.startSeconds) / 60)
        return String(format: "%04d%02d%02dT%02d%02dZ", y, m, d, minutes / 60, minutes % 60)
    }

    private func writeFile(
        path: String, layout: [FlowField], records: Int, windowEnd: Int64, world: World, network: SampleNetwork?,
        truth: inout SampleGroundTruth, random: inout SplitMix64
    ) throws -> Int {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        buffer.append(contentsOf: layout.map(\.headerName).joined(separator: " ").utf8)
        buffer.append(0x0A)
        var total = 0
        let gzip = options.compress ? try GzipWriter(path: path, level: options.compressionLevel) : nil
        var plain = Data()
        func flush() throws {
            total += buffer.count
            if let gzip {
                try gzip.write(buffer)
            } else {
                plain.append(contentsOf: buffer)
            }
            buffer.removeAll(keepingCapacity: true)
        }
        if let network {
            var index = 0
            while index < records {
                let flow = network.nextFlow(index: index, of: records, windowEnd: windowEnd, random: &random, truth: &truth)
                for record in flow { record.append(layout, to: &buffer) }
                index += flow.count
                if buffer.count > 900_000 { try flush() }
            }
        } else {
            var record = SampleRecord()
            for index in 0..<records {
                world.fill(&record, index: index, of: records, windowEnd: windowEnd, random: &random)
                record.append(layout, to: &buffer)
                if buffer.count > 900_000 { try flush() }
            }
        }
        try flush()
        if let gzip { try gzip.close() } else { try plain.write(to: URL(fileURLWithPath: path)) }
        return total
    }
}
