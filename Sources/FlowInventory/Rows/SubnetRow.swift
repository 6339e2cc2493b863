/// One subnet: a row of `subnets`, from `aws ec2 describe-subnets`.
public struct SubnetRow: InventoryTable, Equatable {
    /// `SubnetId`: `subnet-...`.
    public var subnetID: String
    /// `VpcId`.
    public var vpcID: String?
    /// `CidrBlock`; nil for an IPv6-only subnet.
    public var cidrBlock: String?
    /// `Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock`, leaving out disassociated blocks.
    public var ipv6CIDRBlocks: [String]
    /// `AvailabilityZone`: `us-east-1d`.
    public var availabilityZone: String?
    /// `AvailabilityZoneId`: `use1-az2`, the same physical zone in every account.
    public var availabilityZoneID: String?
    /// `State`.
    public var state: String?
    /// `AvailableIpAddressCount`.
    public var availableIPAddressCount: Int64?
    /// `DefaultForAz`.
    public var defaultForAZ: Bool?
    /// `MapPublicIpOnLaunch`.
    public var mapPublicIPOnLaunch: Bool?
    /// `OwnerId`.
    public var ownerID: String?
    /// `SubnetArn`.
    public var subnetARN: String?
    /// `Tags`.
    public var tags: [InventoryTag]

    /// Creates a row.
    public init(subnetID: String, vpcID: String? = nil, cidrBlock: String? = nil, ipv6CIDRBlocks: [String] = [],
                availabilityZone: String? = nil, availabilityZoneID: String? = nil, state: String? = nil,
                availableIPAddressCount: Int64? = nil, defaultForAZ: Bool? = nil, mapPublicIPOnLaunch: Bool? = nil,
                ownerID: String? = nil, subnetARN: String? = nil, tags: [InventoryTag] = []) {
        self.subnetID = subnetID
        self.vpcID = vpcID
        self.cidrBlock = cidrBlock
        self.ipv6CIDRBlocks = ipv6CIDRBlocks
        self.availabilityZone = availabilityZone
        self.availabilityZoneID = availabilityZoneID
        self.state = state
        self.availableIPAddressCount = availableIPAddressCount
        self.defaultForAZ = defaultForAZ
        self.mapPublicIPOnLaunch = mapPublicIPOnLaunch
        self.ownerID = ownerID
        self.subnetARN = subnetARN
        self.tags = tags
    }

    /// `subnets`.
    public static let tableName = "subnets"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("subnet_id", .varchar, "SubnetId (subnet-...)"),
        InventoryColumn("vpc_id", .varchar, "VpcId"),
        InventoryColumn("cidr_block", .varchar, "CidrBlock, as printed (NULL for an IPv6-only subnet)"),
        InventoryColumn("ipv6_cidr_blocks", .varchar, "Ipv6CidrBlockAssociationSet[].Ipv6CidrBlock as a JSON array (disassociated blocks left out)"),
        InventoryColumn("availability_zone", .varchar, "AvailabilityZone (us-east-1d)"),
        InventoryColumn("availability_zone_id", .varchar, "AvailabilityZoneId (use1-az2), the same physical zone in every account"),
        InventoryColumn("state", .varchar, "State"),
        InventoryColumn("available_ip_address_count", .bigint, "AvailableIpAddressCount"),
        InventoryColumn("default_for_az", .boolean, "DefaultForAz"),
        InventoryColumn("map_public_ip_on_launch", .boolean, "MapPublicIpOnLaunch"),
        InventoryColumn("owner_id", .varchar, "OwnerId: the account"),
        InventoryColumn("subnet_arn", .varchar, "SubnetArn"),
        InventoryColumn("name", .varchar, "the Name tag"),
        InventoryColumn("tags", .varchar, "Tags as a JSON object, {} for none"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(subnetID), InventoryValue(vpcID), InventoryValue(cidrBlock), .text(JSONText.array(ipv6CIDRBlocks)),
         InventoryValue(availabilityZone), InventoryValue(availabilityZoneID), InventoryValue(state),
         InventoryValue(availableIPAddressCount), InventoryValue(defaultForAZ), InventoryValue(mapPublicIPOnLaunch),
         InventoryValue(ownerID), InventoryValue(subnetARN), InventoryValue(tags.nameTag), .text(tags.jsonText)]
    }
}

extension SubnetRow {
    /// The rows of a `describe-subnets` document (its top-level object).
    static func rows(from document: JSONNode) throws(FieldError) -> [SubnetRow] {
        var rows: [SubnetRow] = []
        for subnet in try document.requiredArray("Subnets") {
            var row = SubnetRow(subnetID: try subnet.requiredString("SubnetId"))
            row.vpcID = try subnet.string("VpcId")
            row.cidrBlock = try subnet.string("CidrBlock")
            row.ipv6CIDRBlocks = try subnet.associatedBlocks("Ipv6CidrBlockAssociationSet", block: "Ipv6CidrBlock", state: "Ipv6CidrBlockState")
            row.availabilityZone = try subnet.string("AvailabilityZone")
            row.availabilityZoneID = try subnet.string("AvailabilityZoneId")
            row.state = try subnet.string("State")
            row.availableIPAddressCount = try subnet.integer("AvailableIpAddressCount")
            row.defaultForAZ = try subnet.bool("DefaultForAz")
            row.mapPublicIPOnLaunch = try subnet.bool("MapPublicIpOnLaunch")
            row.ownerID = try subnet.string("OwnerId")
            row.subnetARN = try subnet.string("SubnetArn")
            row.tags = try subnet.tagList("Tags")
            rows.append(row)
        }
        return rows
    }
}

extension JSONNode {
    /// The CIDR blocks of an association set (`CidrBlockAssociationSet`,
    /// `Ipv6CidrBlockAssociationSet`), leaving out blocks whose state says they are gone or never
    /// came: a disassociated block no longer routes to the VPC, so matching it would mislead.
    func associatedBlocks(_ key: String, block: String, state: String) throws(FieldError) -> [String] {
        var blocks: [String] = []
        for association in try array(key) {
            let stateName = try association.object(state)?.string("State")
            if stateName == "disassociated" || stateName == "disassociating" || stateName == "failed" || stateName == "failing" { continue }
            if let cidr = try association.string(block) { blocks.append(cidr) }
        }
        return blocks
    }
}
