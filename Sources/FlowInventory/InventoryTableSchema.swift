/// An inventory table as queries see it: where its rows are stored, its columns, which of them
/// hold addresses, and which names the object a row describes.
///
/// A query reads each object as the newest snapshot that lists it describes it: an interface
/// seen in Monday's and Friday's `describe-network-interfaces` output appears with Friday's
/// rows only. (Who owned an address at a flow's time is `addr_owner()`'s question.)
///
/// Some objects have several addresses, stored one row each. A join on the object's id must
/// not count a flow once per address, so those objects have two query tables: one row per
/// object (`network_interfaces`, `nat_gateways`) and one row per address
/// (`interface_addresses`, `nat_gateway_addresses`).
public struct InventoryTableSchema: Sendable, Hashable {
    /// The table name queries use (`network_interfaces`).
    public let name: String
    /// The table of `inventory.db` the rows are read from.
    public let storedTable: String
    /// The columns a query sees from the stored table, in order.
    public let columns: [InventoryColumn]
    /// The column naming the object a row belongs to; nil when a table is read whole from its
    /// newest snapshot (`aws_ip_ranges`).
    public let entityColumn: String?
    /// For a one-row-per-object table: the stored row that stands for the object is the first
    /// that has these values (else its first row).
    public let representative: [String: InventoryValue]?
    /// Columns that hold one IP address: compared with flow-log addresses by value.
    public let addressColumns: Set<String>
    /// The kind of file that fills the table.
    public let kind: InventoryKind

    /// Columns every table has besides its own: the snapshot a row comes from and its time.
    public static let snapshotColumns: [InventoryColumn] = [
        InventoryColumn("snapshot_id", .bigint, "the snapshot the row comes from (`flowq inventory list`)"),
        InventoryColumn("as_of", .timestamp, "the time that snapshot describes"),
    ]

    /// The columns a query sees: the table's own, then `snapshot_id` and `as_of`.
    public var queryColumns: [InventoryColumn] { columns + Self.snapshotColumns }

    init(_ name: String, stored: String? = nil, columns: [InventoryColumn], only: [String]? = nil, entity: String?,
         representative: [String: InventoryValue]? = nil, addresses: Set<String> = [], kind: InventoryKind) {
        self.name = name
        storedTable = stored ?? name
        self.columns = only.map { names in names.compactMap { name in columns.first { $0.name == name } } } ?? columns
        entityColumn = entity
        self.representative = representative
        addressColumns = addresses
        self.kind = kind
    }

    /// Every inventory table, in the order the documentation lists them.
    public static let all: [InventoryTableSchema] = [
        InventoryTableSchema(
            "network_interfaces", stored: NetworkInterfaceRow.tableName, columns: NetworkInterfaceRow.columns,
            only: ["interface_id", "private_ip", "dns_name", "vpc_id", "subnet_id", "availability_zone", "interface_type",
                   "description", "requester_id", "requester_managed", "instance_id", "security_group_ids", "owner_id",
                   "status", "mac_address", "name", "tags"],
            entity: "interface_id", representative: ["address_kind": .text("private"), "is_primary": .boolean(true)],
            addresses: ["private_ip"], kind: .networkInterfaces),
        InventoryTableSchema(
            "interface_addresses", stored: NetworkInterfaceRow.tableName, columns: NetworkInterfaceRow.columns,
            only: ["address", "interface_id", "address_kind", "is_primary", "private_ip", "dns_name", "ip_owner_id", "vpc_id",
                   "subnet_id", "availability_zone", "interface_type", "instance_id"],
            entity: "interface_id", addresses: ["address", "private_ip"], kind: .networkInterfaces),
        InventoryTableSchema(InstanceRow.tableName, columns: InstanceRow.columns, entity: "instance_id",
                             addresses: ["private_ip", "public_ip"], kind: .instances),
        InventoryTableSchema(SubnetRow.tableName, columns: SubnetRow.columns, entity: "subnet_id", kind: .subnets),
        InventoryTableSchema(VPCRow.tableName, columns: VPCRow.columns, entity: "vpc_id", kind: .vpcs),
        InventoryTableSchema(SecurityGroupRow.tableName, columns: SecurityGroupRow.columns, entity: "group_id", kind: .securityGroups),
        InventoryTableSchema(SecurityGroupRuleRow.tableName, columns: SecurityGroupRuleRow.columns, entity: "group_id",
                             kind: .securityGroups),
        InventoryTableSchema(
            "nat_gateways", stored: NATGatewayRow.tableName, columns: NATGatewayRow.columns,
            only: ["nat_gateway_id", "vpc_id", "subnet_id", "state", "connectivity_type", "create_time", "network_interface_id",
                   "private_ip", "public_ip", "allocation_id", "name", "tags"],
            entity: "nat_gateway_id", representative: ["is_primary": .boolean(true)], addresses: ["private_ip", "public_ip"],
            kind: .natGateways),
        InventoryTableSchema(
            "nat_gateway_addresses", stored: NATGatewayRow.tableName, columns: NATGatewayRow.columns,
            only: ["nat_gateway_id", "network_interface_id", "private_ip", "public_ip", "allocation_id", "is_primary", "vpc_id",
                   "subnet_id"],
            entity: "nat_gateway_id", addresses: ["private_ip", "public_ip"], kind: .natGateways),
        InventoryTableSchema(VPCEndpointRow.tableName, columns: VPCEndpointRow.columns, entity: "vpc_endpoint_id", kind: .vpcEndpoints),
        InventoryTableSchema(IPRangeRow.tableName, columns: IPRangeRow.columns, entity: nil, kind: .ipRanges),
    ]

    /// The table called `name` (any letter case), if there is one.
    public static func named(_ name: String) -> InventoryTableSchema? {
        let lowered = name.lowercased()
        return all.first { $0.name == lowered }
    }
}
