import FlowInventory
import FlowModel
import FlowQuery
import Foundation

/// `cross-az`: bytes that crossed from one availability zone to another, per pair of zones and
/// per pair of talkers, priced per GB in each direction.
///
/// Each end's zone is its subnet's (the subnet of the interface that has the address, else the
/// subnet whose block holds it). A flow between two logged interfaces shows on both; it is
/// counted once, from the sender's interface (the one that has the source address), and from
/// the receiver's only when no record of the sender's side exists for that pair on that day.
struct CrossAZReport: ComputedReport {
    /// The report's definition.
    static let definition = ReportDefinition(
        name: "cross-az", title: "Traffic between availability zones",
        summary: "Bytes sent from one availability zone to another (each end's zone from the subnet inventory; each flow counted once), per pair of zones and per pair of talkers, priced per GB in each direction.",
        parameters: [
            ReportParameter(name: "price_per_gb", summary: "US dollars per GB (2^30 bytes) in each direction: charged leaving one zone and again entering the other", defaultValue: "0.01"),
            ReportParameter(name: "top", summary: "how many talker pairs to list", defaultValue: "50"),
        ],
        computation: CrossAZReport())

    static let zonePairs = "Bytes from zone to zone"
    static let talkers = "Top talker pairs across zones"

    /// Past this many subnet blocks the query reads every pair and the blocks are applied here.
    static let maxBlocksInQuery = 256

    var sectionNames: [String] { [Self.zonePairs, "Top {top} talker pairs across zones"] }

    /// One directed pair of addresses on one day.
    private struct Pair: Hashable {
        var day: String
        var source: NetworkAddress
        var destination: NetworkAddress
    }

    /// Bytes of a pair, by which side's interface logged them.
    private struct Sides {
        var sender: Int64 = 0
        var receiver: Int64 = 0
        var flows: Int64 = 0
        var receiverFlows: Int64 = 0
    }

    private struct ZonePair: Hashable {
        var from: ReportInventory.Zone
        var to: ReportInventory.Zone
    }

    func sections(in context: ComputedReportContext) throws(ReportError) -> [ReportSection] {
        let inventory = try context.inventory(needing: [.networkInterfaces, .subnets])
        let price = try context.number("price_per_gb")
        let top = try context.count("top")
        // Only ends inside the inventory's subnets can have a zone: the engine leaves out the
        // rest (the internet's addresses, most of the pairs) before it groups.
        let blocks = Set(inventory.subnetBlocks.map(\.prefix.text)).sorted()
        var inside = ""
        if !blocks.isEmpty && blocks.count <= Self.maxBlocksInQuery {
            func within(_ column: String) -> String {
                "(" + blocks.map { "contains('\($0)', \(column))" }.joined(separator: " OR ") + ")"
            }
            inside = "AND \(within("srcaddr")) AND \(within("dstaddr")) "
        }
        let sql = """
            SELECT interface_id, date, srcaddr, dstaddr, sum(bytes) AS bytes, count(*) AS flows \
            FROM vpc_flow_logs WHERE \(context.window.condition) AND action = 'ACCEPT' AND srcaddr IS NOT NULL \
            \(inside)GROUP BY 1, 2, 3, 4
            """
        var pairs: [Pair: Sides] = [:]
        var unplaced: Int64 = 0
        for record in try context.aggregate(sql, purpose: "address pair").records {
            guard let interface = record.text("interface_id"), let day = record.text("date"),
                  let src = record.address("srcaddr"), let dst = record.address("dstaddr") else { continue }
            let time = PartitionDay(day).map { $0.startSeconds + 86_399 }
            let key = Pair(day: day, source: src, destination: dst)
            if inventory.interface(for: src, at: time)?.interfaceID == interface {
                pairs[key, default: Sides()].sender += record.integer("bytes")
                pairs[key, default: Sides()].flows += record.integer("flows")
            } else if inventory.interface(for: dst, at: time)?.interfaceID == interface {
                pairs[key, default: Sides()].receiver += record.integer("bytes")
                pairs[key, default: Sides()].receiverFlows += record.integer("flows")
            } else {
                // An interface in the middle (a record whose addresses are neither its own): the
                // ends' own interfaces, or the gateway's, count the traffic.
                unplaced += record.integer("bytes")
            }
        }

        var zoneBytes: [ZonePair: (bytes: Int64, flows: Int64)] = [:]
        var talkerBytes: [(source: NetworkAddress, destination: NetworkAddress, from: ReportInventory.Zone, to: ReportInventory.Zone, bytes: Int64)] = []
        var byTalkers: [ZoneTalkers: Int64] = [:]
        var unknownZone: Int64 = 0, sameZone: Int64 = 0, otherRegion: Int64 = 0
        for (pair, sides) in pairs {
            let bytes = sides.sender > 0 || sides.flows > 0 ? sides.sender : sides.receiver
            let flows = sides.sender > 0 || sides.flows > 0 ? sides.flows : sides.receiverFlows
            let time = PartitionDay(pair.day).map { $0.startSeconds + 86_399 }
            guard let from = inventory.zone(for: pair.source, at: time), let to = inventory.zone(for: pair.destination, at: time) else {
                unknownZone += bytes
                continue
            }
            if from.isSame(as: to) { sameZone += bytes; continue }
            if let a = from.region, let b = to.region, a != b { otherRegion += bytes; continue }
            let zones = ZonePair(from: from, to: to)
            zoneBytes[zones, default: (0, 0)].bytes += bytes
            zoneBytes[zones, default: (0, 0)].flows += flows
            byTalkers[ZoneTalkers(source: pair.source, destination: pair.destination, zones: zones), default: 0] += bytes
        }
        for (key, bytes) in byTalkers {
            talkerBytes.append((key.source, key.destination, key.zones.from, key.zones.to, bytes))
        }

        var zonesTable = ReportTable(Self.zonePairs, sql: sql, columns: [
            ("from_az", .varchar), ("to_az", .varchar), ("from_az_id", .varchar), ("to_az_id", .varchar),
            ("bytes", .integer), ("gb", .double), ("flows", .integer), ("cost_usd", .double),
        ], chart: .bar, label: ["from_az", "to_az"], value: ["bytes"])
        let sortedZones = zoneBytes.sorted { a, b in
            (-a.value.bytes, a.key.from.name, a.key.to.name) < (-b.value.bytes, b.key.from.name, b.key.to.name)
        }
        var total: Int64 = 0
        for (zones, value) in sortedZones {
            total += value.bytes
            let gb = ReportMoney.gigabytes(value.bytes)
            zonesTable.append([.text(zones.from.name), .text(zones.to.name), .text(zones.from.id), .text(zones.to.id),
                               .integer(value.bytes), .number(ReportMoney.rounded(gb)), .integer(value.flows),
                               .number(ReportMoney.dollars(gb * price * 2))])
        }
        zonesTable.notes.append("Each flow counted once: from the sender's interface, or the receiver's when the sender's is not logged. cost_usd = GB × \(ValueText.formatDouble(price)) × 2 (out of one zone, into the other); a GB is 2^30 bytes.")
        var counts = ["\(ReportText.grouped(total)) bytes crossed zones", "\(ReportText.grouped(sameZone)) stayed in one zone",
                      "\(ReportText.grouped(unknownZone)) had an end with no zone in the inventory"]
        if otherRegion > 0 { counts.append("\(ReportText.grouped(otherRegion)) went between regions") }
        if unplaced > 0 { counts.append("\(ReportText.grouped(unplaced)) logged on interfaces in the middle were left to the ends' records") }
        if !inside.isEmpty { counts.append("records with an end outside the inventory's \(blocks.count) subnet block(s) were not read") }
        zonesTable.notes.append(counts.joined(separator: "; ") + ".")

        var talkersTable = ReportTable("Top \(top) talker pairs across zones", sql: sql, columns: [
            ("source", .varchar), ("source_owner", .varchar), ("from_az", .varchar), ("destination", .varchar),
            ("destination_owner", .varchar), ("to_az", .varchar), ("bytes", .integer), ("gb", .double), ("cost_usd", .double),
        ], chart: .bar, label: ["source", "destination"], value: ["bytes"])
        let sortedTalkers = talkerBytes.sorted { a, b in (-a.bytes, a.source, a.destination) < (-b.bytes, b.source, b.destination) }
        for talker in sortedTalkers.prefix(top) {
            let gb = ReportMoney.gigabytes(talker.bytes)
            talkersTable.append([.text(talker.source.text), .text(inventory.owner(of: talker.source, at: nil)), .text(talker.from.name),
                                 .text(talker.destination.text), .text(inventory.owner(of: talker.destination, at: nil)), .text(talker.to.name),
                                 .integer(talker.bytes), .number(ReportMoney.rounded(gb)), .number(ReportMoney.dollars(gb * price * 2))])
        }
        return [zonesTable.section, talkersTable.section]
    }

    private struct ZoneTalkers: Hashable {
        var source: NetworkAddress
        var destination: NetworkAddress
        var zones: ZonePair
    }
}
