import ArgumentParser
import FlowModel
import FlowSamples
import Foundation

/// `flowq sample`: writes a generated corpus in the S3 export layout.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate realistic flow-log files in the S3 export layout (for tests and benchmarks).",
        discussion: """
            Examples:
              flowq sample --records 1000000 --days 7 --out /tmp/corpus
              flowq sample --records 5000 --layout mixed --start 2024-03-01 --out ./logs
              flowq sample --records 5000 --inventory --out ./logs && flowq inventory add ./logs/inventory/*.json
              flowq sample --records 50000 --days 3 --attacks --out ./logs

            With --inventory the world gains NAT gateways (private instances reach the internet and \
            AWS's S3, DynamoDB and EC2 addresses through them, logged on both interfaces as AWS does) \
            and traffic across Availability Zones, and <out>/inventory/ holds what `aws ec2 \
            describe-vpcs`, `describe-subnets`, `describe-instances`, `describe-network-interfaces`, \
            `describe-nat-gateways`, `describe-security-groups` and `describe-vpc-endpoints` would print \
            for it, with an ip-ranges.json excerpt. Without it the files are byte for byte what they were.

            --attacks adds files holding a port scan (03:10 UTC), a network sweep (05:20), an \
            exfiltration burst (14:00-14:45) and a capture gap (20:00-21:00) on the last day, for \
            trying `flowq detect`; the other files are unchanged.
            """
    )

    @Option(help: "Records in all.") var records: Int = 10_000
    @Option(help: "Days covered.") var days: Int = 1
    @Option(help: ArgumentHelp("The first day (YYYY-MM-DD).", valueName: "date")) var start: String = "2024-01-01"
    @Option(help: "Layout: default, custom (v5 fields, reordered) or mixed.") var layout: String = "default"
    @Option(help: "Files per day (default: about one per 15,000 records).") var filesPerDay: Int?
    @Option(help: "Random seed; the same seed writes the same files.") var seed: UInt64 = 42
    @Flag(help: "Write plain .log files instead of .log.gz.") var plain = false
    @Flag(help: "Add NAT gateways and cross-zone traffic, and write the world's inventory under <out>/inventory/.")
    var inventory = false
    @Flag(help: "Also inject attacks on the last day (see below).") var attacks = false
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir")) var out: String

    func validate() throws {
        guard records >= 0 else { throw ValidationError("--records must be 0 or more") }
        guard days >= 1 else { throw ValidationError("--days must be 1 or more") }
        guard PartitionDay(start) != nil else { throw ValidationError("--start must be a date like 2024-01-05, not '\(start)'") }
        guard SampleLayout(rawValue: layout) != nil else { throw ValidationError("--layout must be default, custom or mixed, not '\(layout)'") }
    }

    func run() throws {
        var options = FlowLogGenerator.Options()
        options.records = records
        options.days = days
        options.firstDay = PartitionDay(start) ?? options.firstDay
        options.layout = SampleLayout(rawValue: layout) ?? .default
        options.filesPerDay = filesPerDay
        options.seed = seed
        options.compress = !plain
        options.inventory = inventory
        let corpus = try FlowLogGenerator(options: options).write(to: URL(fileURLWithPath: out))
        if attacks {
            let injected = try SampleAttacks.write(to: URL(fileURLWithPath: out), options: options)
            for attack in injected.attacks {
                let who = [attack.srcaddr, attack.dstaddr].compactMap { $0 }.joined(separator: " -> ")
                Terminal.message("injected \(attack.kind.rawValue): \(who.isEmpty ? attack.interfaceID : who) from \(FlowLogGenerator.isoTime(attack.start)) to \(FlowLogGenerator.isoTime(attack.end)) (\(attack.records) records)")
            }
        }
        Terminal.message("wrote \(corpus.records.formatted()) records in \(corpus.files.count) files (\(corpus.bytes.formatted()) bytes uncompressed) under \(out)")
        if let truth = corpus.groundTruth {
            let folder = (out as NSString).appendingPathComponent("inventory")
            Terminal.message("wrote \(corpus.inventoryFiles.count) inventory files under \(folder): \(truth.natHops.count.formatted()) NAT hops " +
                             "(\(truth.natBytes.formatted()) bytes), \(truth.crossZoneFlows.count.formatted()) flows across zones; " +
                             "add them with: flowq inventory add \(folder)/*.json")
        }
    }
}
