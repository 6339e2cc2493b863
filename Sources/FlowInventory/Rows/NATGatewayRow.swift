/// One address of one NAT gateway: a row of `nat_gateways`, from `aws ec2 describe-nat-gateways`.
///
/// A NAT gateway has a row per `NatGatewayAddresses` entry (a public gateway may have several
/// Elastic IPs, a private one several private addresses), so the public address seen in a flow
/// log joins straight to its gateway. A gateway without addresses (failed, pending) still gets
/// one row with the address columns NULL.
public struct NATGatewayRow: InventoryTable, Equatable {
    /// `NatGatewayId`: `nat-...`.
    public var natGatewayID: String
    /// `VpcId`.
    public var vpcID: String?
    /// `SubnetId`.
    public var subnetID: String?
    /// `State`: `pending`, `available`, `failed`, `deleting`, `deleted`.
    public var state: String?
    /// `ConnectivityType`: `public` or `private`.
    public var connectivityType: String?
    /// `CreateTime` as Unix seconds.
    public var createTime: Int64?
    /// `NatGatewayAddresses[].NetworkInterfaceId`.
    public var networkInterfaceID: String?
    /// `NatGatewayAddresses[].PrivateIp`.
    public var privateIP: String?
    /// `NatGatewayAddresses[].PublicIp`.
    public var publicIP: String?
    /// `NatGatewayAddresses[].AllocationId`: the Elastic IP.
    public var allocationID: String?
    /// `NatGatewayAddresses[].IsPrimary`.
    public var isPrimary: Bool?
    /// `Tags`.
    public var tags: [InventoryTag]

    /// Creates a row.
    public init(natGatewayID: String, vpcID: String? = nil, subnetID: String? = nil, state: String? = nil,
                connectivityType: String? = nil, createTime: Int64? = nil, networkInterfaceID: String? = nil,
                privateIP: String? = nil, publicIP: String? = nil, allocationID: String? = nil, isPrimary: Bool? = nil,
                tags: [InventoryTag] = []) {
        self.natGatewayID = natGatewayID
        self.vpcID = vpcID
        self.subnetID = subnetID
        self.state = state
        self.connectivityType = connectivityType
        self.createTime = createTime
        self.networkInterfaceID = networkInterfaceID
        self.privateIP = privateIP
        self.publicIP = publicIP
        self.allocationID = allocationID
        self.isPrimary = isPrimary
        self.tags = tags
    }

    /// `nat_gateways`.
    public static let tableName = "nat_gateways"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("nat_gateway_id", .varchar, "NatGatewayId (nat-...); one row per NatGatewayAddresses entry"),
        InventoryColumn("vpc_id", .varchar, "VpcId"),
        InventoryColumn("subnet_id", .varchar, "SubnetId"),
        InventoryColumn("state", .varchar, "State: pending, available, failed, deleting, deleted"),
        InventoryColumn("connectivity_type", .varchar, "ConnectivityType: public or private"),
        InventoryColumn("create_time", .timestamp, "CreateTime (UTC)"),
        InventoryColumn("network_interface_id", .varchar, "NatGatewayAddresses[].NetworkInterfaceId"),
        InventoryColumn("private_ip", .varchar, "NatGatewayAddresses[].PrivateIp"),
        InventoryColumn("public_ip", .varchar, "NatGatewayAddresses[].PublicIp (NULL for a private gateway)"),
        InventoryColumn("allocation_id", .varchar, "NatGatewayAddresses[].AllocationId: the Elastic IP"),
        InventoryColumn("is_primary", .boolean, "NatGatewayAddresses[].IsPrimary"),
        InventoryColumn("name", .varchar, "the Name tag"),
        InventoryColumn("tags", .varchar, "Tags as a JSON object, {} for none"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(natGatewayID), InventoryValue(vpcID), InventoryValue(subnetID), InventoryValue(state),
         InventoryValue(connectivityType), InventoryValue(createTime), InventoryValue(networkInterfaceID),
         InventoryValue(privateIP), InventoryValue(publicIP), InventoryValue(allocationID), InventoryValue(isPrimary),
         InventoryValue(tags.nameTag), .text(tags.jsonText)]
    }
}

extension NATGatewayRow {
    /// The rows of a `describe-nat-gateways` document (its top-level object).
    static func rows(from document: JSONNode) throws(FieldError) -> [NATGatewayRow] {
        var rows: [NATGatewayRow] = []
        for gateway in try document.requiredArray("NatGateways") {
            var base = NATGatewayRow(natGatewayID: try gateway.requiredString("NatGatewayId"))
            base.vpcID = try gateway.string("VpcId")
            base.subnetID = try gateway.string("SubnetId")
            base.state = try gateway.string("State")
            base.connectivityType = try gateway.string("ConnectivityType")
            base.createTime = try gateway.time("CreateTime")
            base.tags = try gateway.tagList("Tags")
            let addresses = try gateway.array("NatGatewayAddresses")
            if addresses.isEmpty { rows.append(base) }
            for address in addresses {
                var row = base
                row.networkInterfaceID = try address.string("NetworkInterfaceId")
                row.privateIP = try address.address("PrivateIp")
                row.publicIP = try address.address("PublicIp")
                row.allocationID = try address.string("AllocationId")
                row.isPrimary = try address.bool("IsPrimary")
                rows.append(row)
            }
        }
        return rows
    }
}
