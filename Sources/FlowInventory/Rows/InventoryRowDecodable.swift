/// An inventory row type that can be rebuilt from what the store kept of it.
public protocol InventoryRowDecodable: InventoryTable {
    /// The row `stored` holds.
    init(stored: StoredInventoryRow)
}

extension NetworkInterfaceRow: InventoryRowDecodable {
    /// The row `stored` holds.
    public init(stored row: StoredInventoryRow) {
        self.init(interfaceID: row.text("interface_id") ?? "", address: row.text("address"),
                  addressKind: row.text("address_kind").flatMap(AddressKind.init(rawValue:)), isPrimary: row.bool("is_primary"),
                  privateIP: row.text("private_ip"), dnsName: row.text("dns_name"), ipOwnerID: row.text("ip_owner_id"),
                  vpcID: row.text("vpc_id"), subnetID: row.text("subnet_id"), availabilityZone: row.text("availability_zone"),
                  interfaceType: row.text("interface_type"), interfaceDescription: row.text("description"),
                  requesterID: row.text("requester_id"), requesterManaged: row.bool("requester_managed"),
                  instanceID: row.text("instance_id"), securityGroupIDs: row.strings("security_group_ids"),
                  ownerID: row.text("owner_id"), status: row.text("status"), macAddress: row.text("mac_address"),
                  tags: row.tags())
    }
}

extension SubnetRow: InventoryRowDecodable {
    /// The row `stored` holds.
    public init(stored row: StoredInventoryRow) {
        self.init(subnetID: row.text("subnet_id") ?? "", vpcID: row.text("vpc_id"), cidrBlock: row.text("cidr_block"),
                  ipv6CIDRBlocks: row.strings("ipv6_cidr_blocks"), availabilityZone: row.text("availability_zone"),
                  availabilityZoneID: row.text("availability_zone_id"), state: row.text("state"),
                  availableIPAddressCount: row.integer("available_ip_address_count"), defaultForAZ: row.bool("default_for_az"),
                  mapPublicIPOnLaunch: row.bool("map_public_ip_on_launch"), ownerID: row.text("owner_id"),
                  subnetARN: row.text("subnet_arn"), tags: row.tags())
    }
}

extension VPCRow: InventoryRowDecodable {
    /// The row `stored` holds.
    public init(stored row: StoredInventoryRow) {
        self.init(vpcID: row.text("vpc_id") ?? "", cidrBlock: row.text("cidr_block"), cidrBlocks: row.strings("cidr_blocks"),
                  ipv6CIDRBlocks: row.strings("ipv6_cidr_blocks"), state: row.text("state"), isDefault: row.bool("is_default"),
                  dhcpOptionsID: row.text("dhcp_options_id"), instanceTenancy: row.text("instance_tenancy"),
                  ownerID: row.text("owner_id"), tags: row.tags())
    }
}

extension NATGatewayRow: InventoryRowDecodable {
    /// The row `stored` holds.
    public init(stored row: StoredInventoryRow) {
        self.init(natGatewayID: row.text("nat_gateway_id") ?? "", vpcID: row.text("vpc_id"), subnetID: row.text("subnet_id"),
                  state: row.text("state"), connectivityType: row.text("connectivity_type"), createTime: row.integer("create_time"),
                  networkInterfaceID: row.text("network_interface_id"), privateIP: row.text("private_ip"),
                  publicIP: row.text("public_ip"), allocationID: row.text("allocation_id"), isPrimary: row.bool("is_primary"),
                  tags: row.tags())
    }
}

extension VPCEndpointRow: InventoryRowDecodable {
    /// The row `stored` holds.
    public init(stored row: StoredInventoryRow) {
        self.init(vpcEndpointID: row.text("vpc_endpoint_id") ?? "", vpcEndpointType: row.text("vpc_endpoint_type"),
                  serviceName: row.text("service_name"), vpcID: row.text("vpc_id"), state: row.text("state"),
                  subnetIDs: row.strings("subnet_ids"), networkInterfaceIDs: row.strings("network_interface_ids"),
                  routeTableIDs: row.strings("route_table_ids"), securityGroupIDs: row.strings("security_group_ids"),
                  dnsNames: row.strings("dns_names"), privateDNSEnabled: row.bool("private_dns_enabled"),
                  requesterManaged: row.bool("requester_managed"), ownerID: row.text("owner_id"),
                  creationTime: row.integer("creation_time"), tags: row.tags())
    }
}

extension SecurityGroupRow: InventoryRowDecodable {
    /// The row `stored` holds.
    public init(stored row: StoredInventoryRow) {
        self.init(groupID: row.text("group_id") ?? "", groupName: row.text("group_name"), groupDescription: row.text("description"),
                  vpcID: row.text("vpc_id"), ownerID: row.text("owner_id"), tags: row.tags())
    }
}

extension SecurityGroupRuleRow: InventoryRowDecodable {
    /// The row `stored` holds.
    public init(stored row: StoredInventoryRow) {
        self.init(groupID: row.text("group_id") ?? "", direction: row.text("direction").flatMap(Direction.init(rawValue:)) ?? .ingress,
                  ipProtocol: row.text("protocol") ?? "all", protocolNumber: row.integer("protocol_number"),
                  fromPort: row.integer("from_port"), toPort: row.integer("to_port"), cidr: row.text("cidr"),
                  peerGroupID: row.text("peer_group_id"), peerUserID: row.text("peer_user_id"),
                  prefixListID: row.text("prefix_list_id"), ruleDescription: row.text("description"))
    }
}
