/// One VPC endpoint: a row of `vpc_endpoints`, from `aws ec2 describe-vpc-endpoints`.
///
/// An interface endpoint's addresses are those of its network interfaces
/// (`network_interface_ids`, joined to `network_interfaces`); a gateway endpoint has none and
/// shows in routes (`route_table_ids`) instead.
public struct VPCEndpointRow: InventoryTable, Equatable {
    /// `VpcEndpointId`: `vpce-...`.
    public var vpcEndpointID: String
    /// `VpcEndpointType`: `Interface`, `Gateway`, `GatewayLoadBalancer`, ...
    public var vpcEndpointType: String?
    /// `ServiceName`: `com.amazonaws.us-east-1.s3`.
    public var serviceName: String?
    /// `VpcId`.
    public var vpcID: String?
    /// `State`.
    public var state: String?
    /// `SubnetIds`.
    public var subnetIDs: [String]
    /// `NetworkInterfaceIds`.
    public var networkInterfaceIDs: [String]
    /// `RouteTableIds`.
    public var routeTableIDs: [String]
    /// `Groups[].GroupId`.
    public var securityGroupIDs: [String]
    /// `DnsEntries[].DnsName`.
    public var dnsNames: [String]
    /// `PrivateDnsEnabled`.
    public var privateDNSEnabled: Bool?
    /// `RequesterManaged`.
    public var requesterManaged: Bool?
    /// `OwnerId`.
    public var ownerID: String?
    /// `CreationTimestamp` as Unix seconds.
    public var creationTime: Int64?
    /// `Tags`.
    public var tags: [InventoryTag]

    /// Creates a row.
    public init(vpcEndpointID: String, vpcEndpointType: String? = nil, serviceName: String? = nil, vpcID: String? = nil,
                state: String? = nil, subnetIDs: [String] = [], networkInterfaceIDs: [String] = [],
                routeTableIDs: [String] = [], securityGroupIDs: [String] = [], dnsNames: [String] = [],
                privateDNSEnabled: Bool? = nil, requesterManaged: Bool? = nil, ownerID: String? = nil,
                creationTime: Int64? = nil, tags: [InventoryTag] = []) {
        self.vpcEndpointID = vpcEndpointID
        self.vpcEndpointType = vpcEndpointType
        self.serviceName = serviceName
        self.vpcID = vpcID
        self.state = state
        self.subnetIDs = subnetIDs
        self.networkInterfaceIDs = networkInterfaceIDs
        self.routeTableIDs = routeTableIDs
        self.securityGroupIDs = securityGroupIDs
        self.dnsNames = dnsNames
        self.privateDNSEnabled = privateDNSEnabled
        self.requesterManaged = requesterManaged
        self.ownerID = ownerID
        self.creationTime = creationTime
        self.tags = tags
    }

    /// `vpc_endpoints`.
    public static let tableName = "vpc_endpoints"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("vpc_endpoint_id", .varchar, "VpcEndpointId (vpce-...)"),
        InventoryColumn("vpc_endpoint_type", .varchar, "VpcEndpointType: Interface, Gateway, GatewayLoadBalancer, ..."),
        InventoryColumn("service_name", .varchar, "ServiceName (com.amazonaws.us-east-1.s3)"),
        InventoryColumn("vpc_id", .varchar, "VpcId"),
        InventoryColumn("state", .varchar, "State"),
        InventoryColumn("subnet_ids", .varchar, "SubnetIds as a JSON array"),
        InventoryColumn("network_interface_ids", .varchar, "NetworkInterfaceIds as a JSON array (their addresses are in network_interfaces)"),
        InventoryColumn("route_table_ids", .varchar, "RouteTableIds as a JSON array (gateway endpoints)"),
        InventoryColumn("security_group_ids", .varchar, "Groups[].GroupId as a JSON array"),
        InventoryColumn("dns_names", .varchar, "DnsEntries[].DnsName as a JSON array"),
        InventoryColumn("private_dns_enabled", .boolean, "PrivateDnsEnabled"),
        InventoryColumn("requester_managed", .boolean, "RequesterManaged"),
        InventoryColumn("owner_id", .varchar, "OwnerId: the account"),
        InventoryColumn("creation_time", .timestamp, "CreationTimestamp (UTC)"),
        InventoryColumn("name", .varchar, "the Name tag"),
        InventoryColumn("tags", .varchar, "Tags as a JSON object, {} for none"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(vpcEndpointID), InventoryValue(vpcEndpointType), InventoryValue(serviceName), InventoryValue(vpcID),
         InventoryValue(state), .text(JSONText.array(subnetIDs)), .text(JSONText.array(networkInterfaceIDs)),
         .text(JSONText.array(routeTableIDs)), .text(JSONText.array(securityGroupIDs)), .text(JSONText.array(dnsNames)),
         InventoryValue(privateDNSEnabled), InventoryValue(requesterManaged), InventoryValue(ownerID),
         InventoryValue(creationTime), InventoryValue(tags.nameTag), .text(tags.jsonText)]
    }
}

extension VPCEndpointRow {
    /// The rows of a `describe-vpc-endpoints` document (its top-level object).
    static func rows(from document: JSONNode) throws(FieldError) -> [VPCEndpointRow] {
        var rows: [VPCEndpointRow] = []
        for endpoint in try document.requiredArray("VpcEndpoints") {
            var row = VPCEndpointRow(vpcEndpointID: try endpoint.requiredString("VpcEndpointId"))
            row.vpcEndpointType = try endpoint.string("VpcEndpointType")
            row.serviceName = try endpoint.string("ServiceName")
            row.vpcID = try endpoint.string("VpcId")
            row.state = try endpoint.string("State")
            row.subnetIDs = try endpoint.strings("SubnetIds")
            row.networkInterfaceIDs = try endpoint.strings("NetworkInterfaceIds")
            row.routeTableIDs = try endpoint.strings("RouteTableIds")
            row.securityGroupIDs = try endpoint.groupIDs("Groups")
            row.dnsNames = try endpoint.array("DnsEntries").map { entry throws(FieldError) in try entry.requiredString("DnsName") }
            row.privateDNSEnabled = try endpoint.bool("PrivateDnsEnabled")
            row.requesterManaged = try endpoint.bool("RequesterManaged")
            row.ownerID = try endpoint.string("OwnerId")
            row.creationTime = try endpoint.time("CreationTimestamp")
            row.tags = try endpoint.tagList("Tags")
            rows.append(row)
        }
        return rows
    }
}
