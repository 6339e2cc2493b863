import FlowInventory
import FlowModel
import Foundation

/// `security-groups`: for each rule of each group, the flows of the window it would admit; the
/// rules that admitted nothing; and for wide rules, the narrowest rule that admits the same flows.
///
/// **Matching.** A group's interfaces are those whose newest `describe-network-interfaces`
/// snapshot lists the group. An ingress rule admits an accepted flow recorded on one of them
/// whose destination is that interface's own address, when the protocol matches (`all` matches
/// any), the destination port is in the rule's range (TCP and UDP; other protocols have no
/// ports in flow logs), and the source is in the rule's CIDR or is an address of an interface in
/// the referenced group. Egress rules likewise for flows whose source is the interface's address,
/// by destination port and destination. Security groups are stateful, so the answers to a
/// connection are admitted without a rule: a TCP or UDP record from a lower port to a port of
/// 1024 or more is taken for such an answer and matched by no rule. Prefix-list rules are not
/// evaluated (prefix lists are not in the inventory).
struct SecurityGroupReport: ComputedReport {
    /// The report's definition.
    static let definition = ReportDefinition(
        name: "security-groups", title: "Security group rules against observed traffic",
        summary: "For each rule of each security group, the accepted flows of the window it would admit (flows, bytes, distinct peers, last seen); the rules that admitted nothing; and for wide rules (0.0.0.0/0, ::/0, all protocols, large port ranges) the narrowest rule that still admits every observed flow.",
        parameters: [
            ReportParameter(name: "max_prefixes", summary: "most prefixes or port ranges a suggestion lists before it falls back to one covering prefix or range", defaultValue: "10"),
        ],
        computation: SecurityGroupReport())

    static let rulesTitle = "Flows each rule would admit"
    static let unusedTitle = "Rules that admitted nothing in the window"
    static let wideTitle = "Wide rules and the narrowest rule that admits the same flows"

    var sectionNames: [String] { [Self.rulesTitle, Self.unusedTitle, Self.wideTitle] }

    /// An IPv4 CIDR shorter than this is wide (so 0.0.0.0/0 is, 10.0.0.0/8 is not).
    static let wideIPv4Length = 8
    /// An IPv6 CIDR shorter than this is wide (so ::/0 is, a VPC's /56 is not).
    static let wideIPv6Length = 32
    /// A TCP or UDP port range of more ports than this is wide.
    static let widePortCount: Int64 = 100

    /// What one rule admitted.
    struct Evidence {
        var flows: Int64 = 0
        var bytes: Int64 = 0
        var peers: Set<NetworkAddress> = []
        var ports: [Int64: Set<Int64>] = [:]
        var lastSeen: Int64?
    }

    /// One rule with its place.
    struct Rule {
        var group: SecurityGroupRow
        var rule: SecurityGroupRuleRow
        var interfaces: Int
    }

    func sections(in context: ComputedReportContext) throws(ReportError) -> [ReportSection] {
        let inventory = try context.inventory(needing: [.securityGroups, .networkInterfaces])
        let maxPrefixes = try context.count("max_prefixes")

        var rules: [Rule] = []
        var groupsOfInterface: [String: [String]] = [:]
        var localAddresses: [String: Set<NetworkAddress>] = [:]
        for (groupID, group) in inventory.groups.sorted(by: { $0.key < $1.key }) {
            let interfaces = inventory.interfaces(inGroup: groupID)
            for interface in interfaces {
                groupsOfInterface[interface, default: []].append(groupID)
                localAddresses[interface] = Set((inventory.interfaces[interface] ?? []).compactMap { $0.address.flatMap(NetworkAddress.init) })
            }
            for rule in inventory.rules[groupID] ?? [] {
                rules.append(Rule(group: group, rule: rule, interfaces: interfaces.count))
            }
        }
        let ruleIndexes = Dictionary(grouping: rules.indices, by: { rules[$0].group.groupID })

        let reply = "protocol IN (6, 17) AND srcport < dstport AND dstport >= 1024"
        let sql = """
            SELECT interface_id, srcaddr, dstaddr, protocol, CASE WHEN \(reply) THEN 1 ELSE 0 END AS reply, \
            CASE WHEN \(reply) THEN NULL ELSE dstport END AS port, count(*) AS flows, sum(bytes) AS bytes, max("end") AS last_seen \
            FROM vpc_flow_logs WHERE \(context.window.condition) AND action = 'ACCEPT' AND srcaddr IS NOT NULL \
            AND interface_id \(ComputedReportContext.inList(groupsOfInterface.keys.sorted())) \
            GROUP BY 1, 2, 3, 4, 5, 6
            """
        var evidence = [Evidence](repeating: Evidence(), count: rules.count)
        var replies: Int64 = 0, unmatched: Int64 = 0
        if !groupsOfInterface.isEmpty {
            for record in try context.aggregate(sql, purpose: "security group interface").records {
                guard let interface = record.text("interface_id"), let local = localAddresses[interface],
                      let src = record.address("srcaddr"), let dst = record.address("dstaddr") else { continue }
                let flows = record.integer("flows")
                if record.integer("reply") == 1 { replies += flows; continue }
                let direction: SecurityGroupRuleRow.Direction
                switch (local.contains(src), local.contains(dst)) {
                case (false, true): direction = .ingress
                case (true, false): direction = .egress
                default: continue
                }
                let peer = direction == .ingress ? src : dst
                let protocolNumber = record.integer("protocol")
                let port = record.text("port").flatMap { Int64($0) }
                var admitted = false
                for groupID in groupsOfInterface[interface] ?? [] {
                    for index in ruleIndexes[groupID] ?? [] where rules[index].rule.direction == direction {
                        guard Self.admits(rules[index].rule, protocol: protocolNumber, port: port, peer: peer, inventory: inventory) else { continue }
                        admitted = true
                        evidence[index].flows += flows
                        evidence[index].bytes += record.integer("bytes")
                        evidence[index].peers.insert(peer)
                        if let port {
                            evidence[index].ports[protocolNumber, default: []].insert(port)
                        } else if evidence[index].ports[protocolNumber] == nil {
                            evidence[index].ports[protocolNumber] = []
                        }
                        let seen = record.integer("last_seen")
                        evidence[index].lastSeen = max(evidence[index].lastSeen ?? seen, seen)
                    }
                }
                if !admitted { unmatched += flows }
            }
        }

        var all = ReportTable(Self.rulesTitle, sql: sql, columns: [
            ("group_id", .varchar), ("group_name", .varchar), ("direction", .varchar), ("protocol", .varchar), ("ports", .varchar),
            ("peer", .varchar), ("flows", .integer), ("bytes", .integer), ("peers", .integer), ("last_seen", .timestamp), ("status", .varchar),
        ])
        all.notes.append("A rule admits an accepted flow on an interface of its group: ingress into the interface's own address, egress out of it, by protocol, port range and peer (CIDR, or an address of the referenced group's interfaces). Answers to connections (a TCP/UDP record from a lower port to a port of 1024 or more) pass by connection tracking and match no rule: \(ReportText.grouped(replies)) such flow record(s) left out.")
        if unmatched > 0 {
            all.notes.append("\(ReportText.grouped(unmatched)) accepted flow record(s) on these interfaces match no rule of their groups in the newest snapshot (rules changed since, or traffic the groups do not govern).")
        }
        var unused = ReportTable(Self.unusedTitle, sql: sql, columns: [
            ("group_id", .varchar), ("group_name", .varchar), ("direction", .varchar), ("protocol", .varchar), ("ports", .varchar),
            ("peer", .varchar), ("interfaces", .integer), ("description", .varchar),
        ])
        var wide = ReportTable(Self.wideTitle, sql: sql, columns: [
            ("group_id", .varchar), ("direction", .varchar), ("protocol", .varchar), ("ports", .varchar), ("peer", .varchar),
            ("flows", .integer), ("peers", .integer), ("suggested_protocol", .varchar), ("suggested_ports", .varchar),
            ("suggested_peers", .varchar), ("why", .varchar),
        ])
        wide.notes.append("Wide: a CIDR shorter than /\(Self.wideIPv4Length) (IPv6 /\(Self.wideIPv6Length)), such as 0.0.0.0/0 and ::/0, all protocols, or more than \(Self.widePortCount) ports. The suggestion is the exact set of observed peers as the fewest CIDR blocks, and the observed ports as ranges; past \(maxPrefixes) blocks or ranges, one covering prefix per family or one covering range.")

        for (index, entry) in rules.enumerated() {
            let rule = entry.rule
            let seen = evidence[index]
            let evaluated = rule.prefixListID == nil
            let isWide = Self.isWide(rule)
            let status = !evaluated ? "not evaluated (prefix list)" : seen.flows == 0 ? "unused" : isWide ? "wide" : "used"
            all.append([.text(rule.groupID), .text(entry.group.groupName), .text(rule.direction.rawValue), .text(rule.ipProtocol),
                        .text(Self.portsText(rule)), .text(Self.peerText(rule)), .integer(evaluated ? seen.flows : nil),
                        .integer(evaluated ? seen.bytes : nil), .integer(evaluated ? Int64(seen.peers.count) : nil),
                        .text(seen.lastSeen.map(Self.timeText)), .text(status)])
            if evaluated && seen.flows == 0 {
                unused.append([.text(rule.groupID), .text(entry.group.groupName), .text(rule.direction.rawValue), .text(rule.ipProtocol),
                               .text(Self.portsText(rule)), .text(Self.peerText(rule)), .integer(Int64(entry.interfaces)), .text(rule.ruleDescription)])
            }
            if evaluated && isWide && seen.flows > 0 {
                let suggestion = Self.suggestion(for: rule, evidence: seen, maxPrefixes: maxPrefixes)
                wide.append([.text(rule.groupID), .text(rule.direction.rawValue), .text(rule.ipProtocol), .text(Self.portsText(rule)),
                             .text(Self.peerText(rule)), .integer(seen.flows), .integer(Int64(seen.peers.count)),
                             .text(suggestion.protocols), .text(suggestion.ports), .text(suggestion.peers), .text(suggestion.why)])
            }
        }
        if inventory.groups.isEmpty { all.notes.append("The inventory lists no security groups.") }
        return [all.section, unused.section, wide.section]
    }

    // MARK: Matching

    /// Whether `rule` admits a flow of `protocol` to `port` with `peer` at the other end.
    static func admits(_ rule: SecurityGroupRuleRow, protocol number: Int64, port: Int64?, peer: NetworkAddress,
                       inventory: ReportInventory) -> Bool {
        if let wanted = rule.protocolNumber, wanted != number { return false }
        if rule.protocolNumber == 6 || rule.protocolNumber == 17, let from = rule.fromPort, let to = rule.toPort, from >= 0 {
            guard let port, from <= port, port <= to else { return false }
        }
        if let cidr = rule.cidr {
            return NetworkPrefix(cidr)?.contains(peer) ?? false
        }
        if let group = rule.peerGroupID {
            return inventory.interface(for: peer, at: nil)?.securityGroupIDs.contains(group) ?? false
        }
        return false
    }

    /// Whether `rule` is wide: a short CIDR, all protocols, or a large port range.
    static func isWide(_ rule: SecurityGroupRuleRow) -> Bool {
        if rule.protocolNumber == nil { return true }
        if let cidr = rule.cidr.flatMap(NetworkPrefix.init) {
            if cidr.length < (cidr.network.isIPv6 ? wideIPv6Length : wideIPv4Length) { return true }
        }
        if rule.protocolNumber == 6 || rule.protocolNumber == 17 {
            guard let from = rule.fromPort, let to = rule.toPort, from >= 0 else { return true }
            return to - from + 1 > widePortCount
        }
        return false
    }

    // MARK: Suggestions

    /// The narrowest rule that admits what `evidence` saw.
    static func suggestion(for rule: SecurityGroupRuleRow, evidence: Evidence, maxPrefixes: Int)
        -> (protocols: String, ports: String, peers: String, why: String) {
        let protocols = evidence.ports.keys.sorted()
        let protocolText = protocols.map(protocolName).joined(separator: ", ")
        var portParts: [String] = []
        var portWhy = ""
        for number in protocols where number == 6 || number == 17 {
            var ranges = PortRanges.ranges(evidence.ports[number] ?? [])
            if ranges.count > maxPrefixes, let low = ranges.first?.lowerBound, let high = ranges.last?.upperBound {
                ranges = [low...high]
                portWhy = "; \(evidence.ports[number]?.count ?? 0) \(protocolName(number)) ports seen, one covering range shown"
            }
            let text = PortRanges.text(ranges)
            portParts.append(protocols.count > 1 ? "\(protocolName(number)) \(text)" : text)
        }
        let portsText = portParts.isEmpty ? "all" : portParts.joined(separator: "; ")

        let peersText: String
        var why: String
        if let group = rule.peerGroupID {
            peersText = group
            why = "the referenced group is kept; only the ports narrow"
        } else {
            let exact = NetworkPrefix.exactCover(evidence.peers)
            if exact.count <= maxPrefixes {
                peersText = exact.map(\.text).joined(separator: ", ")
                why = "exactly the \(evidence.peers.count) peer(s) seen"
            } else {
                let covering = NetworkPrefix.smallestCovering(evidence.peers)
                peersText = covering.map(\.text).joined(separator: ", ")
                why = "the \(evidence.peers.count) peers seen need \(exact.count) CIDR blocks; one covering prefix per family shown"
            }
        }
        why += portWhy
        return (protocolText, portsText, peersText, why)
    }

    // MARK: Text

    static func protocolName(_ number: Int64) -> String {
        switch number {
        case 6: return "tcp"
        case 17: return "udp"
        case 1: return "icmp"
        case 58: return "icmpv6"
        default: return String(number)
        }
    }

    /// `443`, `8000-8999`, `all`; for ICMP the type and code.
    static func portsText(_ rule: SecurityGroupRuleRow) -> String {
        guard rule.protocolNumber != nil, let from = rule.fromPort, let to = rule.toPort else { return "all" }
        if rule.protocolNumber == 1 || rule.protocolNumber == 58 {
            if from < 0 { return "all" }
            return "type \(from)" + (to >= 0 ? " code \(to)" : "")
        }
        if from < 0 { return "all" }
        return from == to ? String(from) : "\(from)-\(to)"
    }

    /// The rule's CIDR, referenced group or prefix list.
    static func peerText(_ rule: SecurityGroupRuleRow) -> String {
        rule.cidr ?? rule.peerGroupID ?? rule.prefixListID ?? "-"
    }

    /// `2024-01-05 10:01:00.000` for Unix seconds, as query results show timestamps.
    static func timeText(_ seconds: Int64) -> String {
        let day = PartitionDay(unixSeconds: seconds)
        let second = seconds - day.startSeconds
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(day.isoText) \(two(second / 3_600)):\(two(second / 60 % 60)):\(two(second % 60)).000"
    }
}
