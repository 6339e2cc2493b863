import FlowInventory
import FlowModel
import FlowStore
import Foundation

/// The store's inventory as the computed reports read it: the newest snapshot of each resource,
/// and each address's interface, subnet and zone at a given time.
///
/// A resource (subnet, gateway, endpoint, group) is taken from the newest snapshot that lists
/// its id, so snapshots of several accounts or regions all count and a newer snapshot replaces
/// an older one resource by resource. An address is looked up as `addr_owner()` does it: the
/// newest interface snapshot at or before the time that lists it, else the oldest one.
struct ReportInventory: Sendable {
    /// The kinds of snapshot the store has.
    let kinds: Set<InventoryKind>
    /// Subnets by id.
    let subnets: [String: SubnetRow]
    /// VPCs by id.
    let vpcs: [String: VPCRow]
    /// Each NAT gateway's rows (one per address) by id.
    let natGateways: [String: [NATGatewayRow]]
    /// VPC endpoints by id.
    let endpoints: [String: VPCEndpointRow]
    /// Security groups by id.
    let groups: [String: SecurityGroupRow]
    /// Each group's rules, from the snapshot its group row came from, in file order.
    let rules: [String: [SecurityGroupRuleRow]]
    /// Each interface's rows (one per address), from the newest snapshot listing it.
    let interfaces: [String: [NetworkInterfaceRow]]
    /// AWS's address ranges, from the newest `ip-ranges.json`.
    let ipRanges: AWSIPRanges?

    private let sightings: [NetworkAddress: [SnapshotRow<NetworkInterfaceRow>]]
    /// Subnet blocks, longest first, for addresses no interface lists.
    let subnetBlocks: [(prefix: NetworkPrefix, subnetID: String)]

    /// Reads the inventory of `store`; an empty one when it has none.
    init(store: FlowStore) throws {
        guard let inventory = try InventoryStore.open(store, forWriting: false) else {
            self.init(kinds: [], interfaceRows: [], subnets: [], vpcs: [], natGateways: [], endpoints: [], groups: [], rules: [], ipRanges: nil)
            return
        }
        let ranges = try inventory.latestIPRanges().map { try AWSIPRanges(rows: $0.rows) }
        self.init(kinds: try inventory.kinds(), interfaceRows: try inventory.rows(NetworkInterfaceRow.self),
                  subnets: try inventory.rows(SubnetRow.self), vpcs: try inventory.rows(VPCRow.self),
                  natGateways: try inventory.rows(NATGatewayRow.self), endpoints: try inventory.rows(VPCEndpointRow.self),
                  groups: try inventory.rows(SecurityGroupRow.self), rules: try inventory.rows(SecurityGroupRuleRow.self),
                  ipRanges: ranges)
    }

    /// An inventory of these rows (every snapshot's), for tests and for `init(store:)`.
    init(kinds: Set<InventoryKind>, interfaceRows: [SnapshotRow<NetworkInterfaceRow>], subnets: [SnapshotRow<SubnetRow>],
         vpcs: [SnapshotRow<VPCRow>], natGateways: [SnapshotRow<NATGatewayRow>], endpoints: [SnapshotRow<VPCEndpointRow>],
         groups: [SnapshotRow<SecurityGroupRow>], rules: [SnapshotRow<SecurityGroupRuleRow>], ipRanges: AWSIPRanges?) {
        self.kinds = kinds
        self.ipRanges = ipRanges
        self.subnets = Self.newest(subnets, id: \.subnetID).compactMapValues(\.first)
        self.vpcs = Self.newest(vpcs, id: \.vpcID).compactMapValues(\.first)
        self.natGateways = Self.newest(natGateways, id: \.natGatewayID)
        self.endpoints = Self.newest(endpoints, id: \.vpcEndpointID).compactMapValues(\.first)
        self.interfaces = Self.newest(interfaceRows, id: \.interfaceID)
        let groupSnapshots = Self.newestSnapshot(groups, id: \.groupID)
        self.groups = Self.newest(groups, id: \.groupID).compactMapValues(\.first)
        var rulesByGroup: [String: [SecurityGroupRuleRow]] = [:]
        for rule in rules where groupSnapshots[rule.row.groupID] == rule.snapshotID {
            rulesByGroup[rule.row.groupID, default: []].append(rule.row)
        }
        self.rules = rulesByGroup

        var sightings: [NetworkAddress: [SnapshotRow<NetworkInterfaceRow>]] = [:]
        for row in interfaceRows {
            guard let address = row.row.address.flatMap(NetworkAddress.init) else { continue }
            sightings[address, default: []].append(row)
        }
        for key in sightings.keys {
            sightings[key]?.sort { ($0.asOf, $0.snapshotID) < ($1.asOf, $1.snapshotID) }
        }
        self.sightings = sightings

        var blocks: [(prefix: NetworkPrefix, subnetID: String)] = []
        for subnet in self.subnets.values {
            for text in [subnet.cidrBlock].compactMap({ $0 }) + subnet.ipv6CIDRBlocks {
                if let prefix = NetworkPrefix(text) { blocks.append((prefix, subnet.subnetID)) }
            }
        }
        subnetBlocks = blocks.sorted { ($0.prefix.length, $1.prefix) > ($1.prefix.length, $0.prefix) }
    }

    // MARK: Addresses

    /// The interface row listing `address` at `time` (Unix seconds; nil: the newest).
    func interface(for address: NetworkAddress, at time: Int64?) -> NetworkInterfaceRow? {
        guard let list = sightings[address], let first = list.first else { return nil }
        guard let time else { return list[list.count - 1].row }
        return list.last(where: { $0.asOf <= time })?.row ?? first.row
    }

    /// The subnet of `address` at `time`: its interface's, else the subnet whose block holds it.
    func subnet(for address: NetworkAddress, at time: Int64?) -> SubnetRow? {
        if let id = interface(for: address, at: time)?.subnetID, let subnet = subnets[id] { return subnet }
        return subnetBlocks.first { $0.prefix.contains(address) }.flatMap { subnets[$0.subnetID] }
    }

    /// The availability zone of `address` at `time`, from its subnet (or its interface).
    func zone(for address: NetworkAddress, at time: Int64?) -> Zone? {
        let subnet = subnet(for: address, at: time)
        let name = subnet?.availabilityZone ?? interface(for: address, at: time)?.availabilityZone
        guard let name else { return nil }
        return Zone(name: name, id: subnet?.availabilityZoneID, region: Self.region(of: subnet, zone: name))
    }

    /// Whether `address` belongs to VPC `vpcID`: an interface of the VPC lists it, or a block of
    /// the VPC (or of one of its subnets) holds it.
    func isInside(_ address: NetworkAddress, vpc vpcID: String?, at time: Int64?) -> Bool {
        guard let vpcID else { return false }
        if let interface = interface(for: address, at: time), interface.vpcID == vpcID { return true }
        if let subnet = subnet(for: address, at: time), subnet.vpcID == vpcID { return true }
        guard let vpc = vpcs[vpcID] else { return false }
        let blocks = ([vpc.cidrBlock].compactMap { $0 } + vpc.cidrBlocks + vpc.ipv6CIDRBlocks).compactMap(NetworkPrefix.init)
        return blocks.contains { $0.contains(address) }
    }

    /// What is behind `address`, as `addr_owner()` names it (`instance i-...`, `nat-gateway nat-...`),
    /// else its subnet, else nil.
    func owner(of address: NetworkAddress, at time: Int64?) -> String? {
        if let row = interface(for: address, at: time) { return AddressOwners.owner(of: row) }
        return subnet(for: address, at: time).map { "subnet \($0.subnetID)" }
    }

    /// The interfaces (ids) whose newest snapshot lists them in group `groupID`.
    func interfaces(inGroup groupID: String) -> [String] {
        interfaces.filter { $0.value.contains { $0.securityGroupIDs.contains(groupID) } }.keys.sorted()
    }

    // MARK: Regions and zones

    /// An availability zone.
    struct Zone: Hashable, Sendable {
        /// `us-east-1a`.
        var name: String
        /// `use1-az1`, when the subnet inventory says.
        var id: String?
        /// `us-east-1`.
        var region: String?

        /// Whether two zones are the same physical zone: by id when both have one (zone names
        /// differ between accounts), else by name.
        func isSame(as other: Zone) -> Bool {
            if let id, let otherID = other.id { return id == otherID }
            return name == other.name
        }
    }

    /// The region of a subnet: from its ARN, else from its zone's name.
    static func region(of subnet: SubnetRow?, zone: String?) -> String? {
        if let arn = subnet?.subnetARN {
            let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count > 3, !parts[3].isEmpty { return String(parts[3]) }
        }
        return zone.flatMap(region(ofZone:))
    }

    /// `us-east-1` for `us-east-1a`, `us-west-2` for the Local Zone `us-west-2-lax-1a`,
    /// `us-gov-west-1` for `us-gov-west-1a`: the name up to its first number.
    static func region(ofZone zone: String) -> String? {
        let parts = zone.split(separator: "-")
        guard let index = parts.firstIndex(where: { $0.first?.isNumber == true }) else { return nil }
        let number = parts[index].prefix { $0.isNumber }
        return (parts[..<index].map(String.init) + [String(number)]).joined(separator: "-")
    }

    // MARK: Requirements

    /// Fails with the commands to run when the store lacks any of `needed`.
    static func check(_ kinds: Set<InventoryKind>, has needed: [InventoryKind], report: String) throws(ReportError) {
        let missing = needed.filter { !kinds.contains($0) }
        guard !missing.isEmpty else { return }
        let what = missing.map { $0 == .ipRanges ? "AWS's ip-ranges.json" : "`\($0.source)` output" }
        let commands = missing.map { kind in
            kind == .ipRanges ? "curl -sO https://ip-ranges.amazonaws.com/ip-ranges.json"
                              : "\(kind.source) > \(fileName(kind))"
        }
        let files = missing.map { $0 == .ipRanges ? "ip-ranges.json" : fileName($0) }
        throw ReportError(.missingInventory, """
            report '\(report)' needs \(list(what)) in the store's inventory; load it with:
              \(commands.joined(separator: "\n  "))
              flowq inventory add \(files.joined(separator: " "))
            """)
    }

    private static func fileName(_ kind: InventoryKind) -> String {
        kind.source.replacingOccurrences(of: "aws ec2 describe-", with: "") + ".json"
    }

    private static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
    }

    // MARK: Newest snapshot per resource

    /// The snapshot id that is newest (by `as_of`, then id) among those listing each resource.
    private static func newestSnapshot<Row>(_ rows: [SnapshotRow<Row>], id: (Row) -> String) -> [String: Int64] {
        SnapshotOrder.newest(rows, object: { id($0.row) }, snapshot: { SnapshotOrder(asOf: $0.asOf, id: $0.snapshotID) }).mapValues(\.id)
    }

    /// Each resource's rows from the newest snapshot that lists it.
    private static func newest<Row>(_ rows: [SnapshotRow<Row>], id: (Row) -> String) -> [String: [Row]] {
        let chosen = newestSnapshot(rows, id: id)
        var result: [String: [Row]] = [:]
        for row in rows where chosen[id(row.row)] == row.snapshotID {
            result[id(row.row), default: []].append(row.row)
        }
        return result
    }
}
