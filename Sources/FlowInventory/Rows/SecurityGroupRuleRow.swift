/// One source or destination of one security group permission: a row of
/// `security_group_rules`, from `aws ec2 describe-security-groups`.
///
/// An `IpPermissions` entry lists several peers (CIDRs, groups, prefix lists) for one protocol
/// and port range; each peer becomes its own row so a flow can be matched with one join.
/// A permission that lists no peer at all allows nothing and has no row.
public struct SecurityGroupRuleRow: InventoryTable, Equatable {
    /// Whether a rule admits traffic into or out of the group's interfaces.
    public enum Direction: String, Sendable, Hashable {
        /// `IpPermissions`.
        case ingress
        /// `IpPermissionsEgress`.
        case egress
    }

    /// The group the rule belongs to.
    public var groupID: String
    /// `ingress` or `egress`.
    public var direction: Direction
    /// `IpProtocol`, normalised: `all` for `-1`, `tcp`/`udp`/`icmp`/`icmpv6` for those names or
    /// their numbers, otherwise the number as printed.
    public var ipProtocol: String
    /// The IANA protocol number (`6` for tcp), as flow logs' `protocol`; nil for `all`.
    public var protocolNumber: Int64?
    /// `FromPort` (for ICMP the type; `-1` means all); nil when absent (all ports).
    public var fromPort: Int64?
    /// `ToPort` (for ICMP the code; `-1` means all); nil when absent (all ports).
    public var toPort: Int64?
    /// `IpRanges[].CidrIp` or `Ipv6Ranges[].CidrIpv6`.
    public var cidr: String?
    /// `UserIdGroupPairs[].GroupId`.
    public var peerGroupID: String?
    /// `UserIdGroupPairs[].UserId`: the peer group's account.
    public var peerUserID: String?
    /// `PrefixListIds[].PrefixListId`.
    public var prefixListID: String?
    /// The peer entry's `Description`.
    public var ruleDescription: String?

    /// Creates a row.
    public init(groupID: String, direction: Direction, ipProtocol: String, protocolNumber: Int64? = nil,
                fromPort: Int64? = nil, toPort: Int64? = nil, cidr: String? = nil, peerGroupID: String? = nil,
                peerUserID: String? = nil, prefixListID: String? = nil, ruleDescription: String? = nil) {
        self.groupID = groupID
        self.direction = direction
        self.ipProtocol = ipProtocol
        self.protocolNumber = protocolNumber
        self.fromPort = fromPort
        self.toPort = toPort
        self.cidr = cidr
        self.peerGroupID = peerGroupID
        self.peerUserID = peerUserID
        self.prefixListID = prefixListID
        self.ruleDescription = ruleDescription
    }

    /// `security_group_rules`.
    public static let tableName = "security_group_rules"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("group_id", .varchar, "the group the rule belongs to"),
        InventoryColumn("direction", .varchar, "'ingress' (IpPermissions) or 'egress' (IpPermissionsEgress)"),
        InventoryColumn("protocol", .varchar, "IpProtocol: 'all' for -1; tcp, udp, icmp, icmpv6 (also when given as numbers); otherwise the number"),
        InventoryColumn("protocol_number", .bigint, "the IANA protocol number, as flow logs' protocol column (6 for tcp); NULL for all"),
        InventoryColumn("from_port", .bigint, "FromPort (ICMP: the type, -1 for all); NULL for all ports"),
        InventoryColumn("to_port", .bigint, "ToPort (ICMP: the code, -1 for all); NULL for all ports"),
        InventoryColumn("cidr", .varchar, "IpRanges[].CidrIp or Ipv6Ranges[].CidrIpv6"),
        InventoryColumn("peer_group_id", .varchar, "UserIdGroupPairs[].GroupId"),
        InventoryColumn("peer_user_id", .varchar, "UserIdGroupPairs[].UserId: the peer group's account"),
        InventoryColumn("prefix_list_id", .varchar, "PrefixListIds[].PrefixListId"),
        InventoryColumn("description", .varchar, "the Description of that CIDR, group or prefix list entry"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(groupID), .text(direction.rawValue), .text(ipProtocol), InventoryValue(protocolNumber),
         InventoryValue(fromPort), InventoryValue(toPort), InventoryValue(cidr), InventoryValue(peerGroupID),
         InventoryValue(peerUserID), InventoryValue(prefixListID), InventoryValue(ruleDescription)]
    }
}

extension SecurityGroupRuleRow {
    /// The rows of one `IpPermissions`/`IpPermissionsEgress` entry: one per peer.
    static func rows(of permission: JSONNode, groupID: String, direction: Direction) throws(FieldError) -> [SecurityGroupRuleRow] {
        let protocolNode = try permission.required("IpProtocol", "a string")
        let (name, number) = try normalizedProtocol(protocolNode)
        let base = SecurityGroupRuleRow(groupID: groupID, direction: direction, ipProtocol: name, protocolNumber: number,
                                        fromPort: try permission.integer("FromPort"), toPort: try permission.integer("ToPort"))
        var rows: [SecurityGroupRuleRow] = []
        for (list, key) in [("IpRanges", "CidrIp"), ("Ipv6Ranges", "CidrIpv6")] {
            for range in try permission.array(list) {
                var row = base
                row.cidr = try range.requiredString(key)
                row.ruleDescription = try range.string("Description")
                rows.append(row)
            }
        }
        for pair in try permission.array("UserIdGroupPairs") {
            var row = base
            row.peerGroupID = try pair.string("GroupId")
            row.peerUserID = try pair.string("UserId")
            row.ruleDescription = try pair.string("Description")
            rows.append(row)
        }
        for prefixList in try permission.array("PrefixListIds") {
            var row = base
            row.prefixListID = try prefixList.requiredString("PrefixListId")
            row.ruleDescription = try prefixList.string("Description")
            rows.append(row)
        }
        return rows
    }

    /// `-1` → (`all`, nil); `tcp` or `6` → (`tcp`, 6); `50` → (`50`, 50). The API documents the
    /// names tcp, udp, icmp and icmpv6 and otherwise protocol numbers.
    private static func normalizedProtocol(_ node: JSONNode) throws(FieldError) -> (String, Int64?) {
        let original = try node.asString()
        let text = original.lowercased()
        let names: [String: Int64] = ["tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58]
        if text == "-1" || text == "all" { return ("all", nil) }
        if let number = names[text] { return (text, number) }
        if let number = Int64(text), (0...255).contains(number) {
            return (names.first(where: { $0.value == number })?.key ?? String(number), number)
        }
        throw FieldError(path: node.path, location: node.path, message: "expected -1, tcp, udp, icmp, icmpv6 or a protocol number from 0 to 255, found \"\(original)\"")
    }
}
