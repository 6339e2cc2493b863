import FlowModel
import Foundation

/// Attacks injected into a sample corpus at known times (`flowq sample --attacks`), so tests
/// can check that detections find each one with the right source, destination and times.
///
/// The attacks go into files of their own beside the generator's (same layout, same folders,
/// names ending `_attack-<kind>`), so a corpus written without them is unchanged byte for
/// byte. They happen on the corpus's last day, leaving the days before as a clean baseline:
/// a port scan at 03:10 UTC, a network sweep at 05:20, an exfiltration burst from 14:00 to
/// 14:45 and a capture gap from 20:00 to 21:00. Addresses come from the generator's world
/// (the same seed gives the same interfaces); outside parties use documentation addresses
/// (203.0.113.0/24, 198.51.100.0/24), which the clean corpus never uses.
public enum SampleAttacks {
    /// What was written.
    public struct Written: Sendable {
        /// The attacks, with their ground truth.
        public var attacks: [InjectedAttack]
        /// The files written.
        public var files: [String]
        /// Records written.
        public var records: Int
    }

    /// The outside address that scans.
    public static let scanner = "203.0.113.66"
    /// The outside address that receives the exfiltrated data.
    public static let dropSite = "198.51.100.77"

    /// Writes the attacks for a corpus generated with `options` under `folder`.
    public static func write(to folder: URL, options: FlowLogGenerator.Options) throws -> Written {
        var random = SplitMix64(seed: options.seed)
        // The generator's world: the same seed draws the same interfaces first.
        let world = World(random: &random, accountID: options.accountID, region: options.region)
        let day = options.firstDay.adding(days: Int32(max(1, options.days) - 1))
        let layout = options.layout == .custom ? SampleLayout.customFields : SampleLayout.defaultFields
        var written = Written(attacks: [], files: [], records: 0)

        func base(_ interface: World.Interface) -> SampleRecord {
            var record = SampleRecord()
            record.account = world.accountID
            record.region = world.region
            record.interface = interface.id
            record.vpc = interface.vpc
            record.subnet = interface.subnet
            record.instance = interface.instance
            record.az = interface.az
            record.type = "IPv4"
            return record
        }

        // A port scan: 250 ports of one internal address in about four minutes, all rejected SYNs.
        let scanned = world.interfaces[5]
        let scanStart = day.startSeconds + 3 * 3_600 + 10 * 60
        var scan: [SampleRecord] = []
        for port in 1...250 {
            var record = base(scanned)
            record.src = scanner
            record.dst = scanned.address
            record.srcport = 40_000 + port
            record.dstport = port
            record.proto = 6
            record.packets = 1
            record.bytes = 44
            record.start = scanStart + Int64(port)
            record.end = record.start + 2
            record.reject = true
            record.tcpFlags = 2
            record.direction = "ingress"
            scan.append(record)
        }
        written.attacks.append(attack(.portScan, scan, srcaddr: scanner, dstaddr: scanned.address, dstport: nil, interface: scanned.id, targets: 250))

        // A sweep: one internal host tries SMB on 60 addresses of its VPC in five minutes; 9 in 10 rejected.
        let sweeper = world.interfaces[7]
        let sweepStart = day.startSeconds + 5 * 3_600 + 20 * 60
        var sweep: [SampleRecord] = []
        for index in 0..<60 {
            var record = base(sweeper)
            record.src = sweeper.address
            record.dst = "172.31.40.\(10 + index)"
            record.srcport = 50_000 + index
            record.dstport = 445
            record.proto = 6
            record.packets = index % 10 == 0 ? 6 : 1
            record.bytes = record.packets * 60
            record.start = sweepStart + Int64(index * 5)
            record.end = record.start + 3
            record.reject = index % 10 != 0
            record.tcpFlags = record.reject ? 2 : 19
            record.direction = "egress"
            record.trafficPath = 1
            sweep.append(record)
        }
        written.attacks.append(attack(.networkSweep, sweep, srcaddr: sweeper.address, dstaddr: nil, dstport: 445, interface: sweeper.id, targets: 60))

        // Exfiltration: the busiest interface sends 3 GB to one public address over 45 minutes.
        let leaker = world.interfaces[0]
        let leakStart = day.startSeconds + 14 * 3_600
        var leak: [SampleRecord] = []
        for index in 0..<45 {
            var record = base(leaker)
            record.src = leaker.address
            record.dst = dropSite
            record.srcport = 45_000 + index
            record.dstport = 443
            record.proto = 6
            record.packets = 50_000
            record.bytes = 66_666_667
            record.start = leakStart + Int64(index * 60)
            record.end = record.start + 59
            record.tcpFlags = 27
            record.direction = "egress"
            record.trafficPath = 8
            leak.append(record)
        }
        written.attacks.append(attack(.exfiltration, leak, srcaddr: leaker.address, dstaddr: dropSite, dstport: 443, interface: leaker.id, targets: 1))

        // A capture gap: twelve SKIPDATA records, one per 5-minute window of an hour.
        let blind = world.interfaces[11]
        let gapStart = day.startSeconds + 20 * 3_600
        var gap: [SampleRecord] = []
        for index in 0..<12 {
            var record = base(blind)
            record.setEmpty(status: "SKIPDATA")
            record.start = gapStart + Int64(index * 300)
            record.end = record.start + 299
            gap.append(record)
        }
        written.attacks.append(attack(.captureGap, gap, srcaddr: nil, dstaddr: nil, dstport: nil, interface: blind.id, targets: 12))

        for (kind, records) in [(InjectedAttack.Kind.portScan, scan), (.networkSweep, sweep), (.exfiltration, leak), (.captureGap, gap)] {
            let path = folder.appendingPathComponent(key(day: day, windowEnd: (records.last?.end ?? day.startSeconds) + 60, kind: kind, options: options)).path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var buffer = Array(layout.map(\.headerName).joined(separator: " ").utf8) + [0x0A]
            for record in records { record.append(layout, to: &buffer) }
            if options.compress {
                let gzip = try GzipWriter(path: path, level: options.compressionLevel)
                try gzip.write(buffer)
                try gzip.close()
            } else {
                try Data(buffer).write(to: URL(fileURLWithPath: path))
            }
            written.files.append(path)
            written.records += records.count
        }
        return written
    }

    private static func attack(_ kind: InjectedAttack.Kind, _ records: [SampleRecord], srcaddr: String?, dstaddr: String?, dstport: Int?,
                               interface: String, targets: Int) -> InjectedAttack {
        InjectedAttack(kind: kind, srcaddr: srcaddr, dstaddr: dstaddr, dstport: dstport, interfaceID: interface,
                       start: records.map(\.start).min() ?? 0, end: records.map(\.end).max() ?? 0,
                       records: records.count, bytes: records.reduce(0) { $0 + max(0, $1.bytes) }, targets: targets)
    }

    /// The S3 key of an attack's file: the generator's layout, named after the attack.
    private static func key(day: PartitionDay, windowEnd: Int64, kind: InjectedAttack.Kind, options: FlowLogGenerator.Options) -> String {
        let (y, m, d) = day.civil
        let name = "\(options.accountID)_vpcflowlogs_\(options.region)_fl-0a1b2c3d4e5f60718_\(FlowLogGenerator.compactTime(windowEnd))_attack-\(kind.rawValue)"
            + (options.compress ? ".log.gz" : ".log")
        return String(format: "AWSLogs/%@/vpcflowlogs/%@/%04d/%02d/%02d/%@", options.accountID, options.region, y, m, d, name)
    }
}
