/// One VPC: a row of `vpcs`, from `aws ec2 describe-vpcs`.
public struct VPCRow: InventoryTable, Equatable {
    /// `VpcId`: `vpc-...`.
    public var vpcID: String
    /// `CidrBlock`: the primary IPv4 block.
    public var cidrBlock: String?
    /// `CidrBlockAssociationSet[].CidrBlock`: every IPv4 block (the primary one included),
    /// leaving out disassociated blocks.
    public var cidrBlocks: [String]
    /// `Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock`, leaving out disassociated blocks.
    public var ipv6CIDRBlocks: [String]
    /// `State`.
    public var state: String?
    /// `IsDefault`.
    public var isDefault: Bool?
    /// `DhcpOptionsId`.
    public var dhcpOptionsID: String?
    /// `InstanceTenancy`.
    public var instanceTenancy: String?
    /// `OwnerId`.
    public var ownerID: String?
    /// `Tags`.
    public var tags: [InventoryTag]

    /// Creates a row.
    public init(vpcID: String, cidrBlock: String? = nil, cidrBlocks: [String] = [], ipv6CIDRBlocks: [String] = [],
                state: String? = nil, isDefault: Bool? = nil, dhcpOptionsID: String? = nil, instanceTenancy: String? = nil,
                ownerID: String? = nil, tags: [InventoryTag] = []) {
        self.vpcID = vpcID
        self.cidrBlock = cidrBlock
        self.cidrBlocks = cidrBlocks
        self.ipv6CIDRBlocks = ipv6CIDRBlocks
        self.state = state
        self.isDefault = isDefault
        self.dhcpOptionsID = dhcpOptionsID
        self.instanceTenancy = instanceTenancy
        self.ownerID = ownerID
        self.tags = tags
    }

    /// `vpcs`.
    public static let tableName = "vpcs"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("vpc_id", .varchar, "VpcId (vpc-...)"),
        InventoryColumn("cidr_block", .varchar, "CidrBlock: the primary IPv4 block"),
        InventoryColumn("cidr_blocks", .varchar, "CidrBlockAssociationSet[].CidrBlock as a JSON array: every IPv4 block, the primary one included (disassociated blocks left out)"),
        InventoryColumn("ipv6_cidr_blocks", .varchar, "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock as a JSON array (disassociated blocks left out)"),
        InventoryColumn("state", .varchar, "State"),
        InventoryColumn("is_default", .boolean, "IsDefault: the region's default VPC"),
        InventoryColumn("dhcp_options_id", .varchar, "DhcpOptionsId"),
        InventoryColumn("instance_tenancy", .varchar, "InstanceTenancy"),
        InventoryColumn("owner_id", .varchar, "OwnerId: the account"),
        InventoryColumn("name", .varchar, "the Name tag"),
        InventoryColumn("tags", .varchar, "Tags as a JSON object, {} for none"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(vpcID), InventoryValue(cidrBlock), .text(JSONText.array(cidrBlocks)), .text(JSONText.array(ipv6CIDRBlocks)),
         InventoryValue(state), InventoryValue(isDefault), InventoryValue(dhcpOptionsID), InventoryValue(instanceTenancy),
         InventoryValue(ownerID), InventoryValue(tags.nameTag), .text(tags.jsonText)]
    }
}

extension VPCRow {
    /// The rows of a `describe-vpcs` document (its top-level object).
    static func rows(from document: JSONNode) throws(FieldError) -> [VPCRow] {
        var rows: [VPCRow] = []
        for vpc in try document.requiredArray("Vpcs") {
            var row = VPCRow(vpcID: try vpc.requiredString("VpcId"))
            row.cidrBlock = try vpc.string("CidrBlock")
            row.cidrBlocks = try vpc.associatedBlocks("CidrBlockAssociationSet", block: "CidrBlock", state: "CidrBlockState")
            row.ipv6CIDRBlocks = try vpc.associatedBlocks("Ipv6CidrBlockAssociationSet", block: "Ipv6CidrBlock", state: "Ipv6CidrBlockState")
            row.state = try vpc.string("State")
            row.isDefault = try vpc.bool("IsDefault")
            row.dhcpOptionsID = try vpc.string("DhcpOptionsId")
            row.instanceTenancy = try vpc.string("InstanceTenancy")
            row.ownerID = try vpc.string("OwnerId")
            row.tags = try vpc.tagList("Tags")
            rows.append(row)
        }
        return rows
    }
}
