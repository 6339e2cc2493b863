/// One address of one network interface: a row of `network_interfaces`, from
/// `aws ec2 describe-network-interfaces`.
///
/// An interface has a row per address so that "who is behind 10.0.1.117" is one equality join
/// from a flow log's `srcaddr`: every private IPv4, the public IPv4 associated with each
/// (auto-assigned or Elastic IP), and every IPv6 address. An interface with no address at all
/// still gets one row, with `address` NULL.
public struct NetworkInterfaceRow: InventoryTable, Equatable {
    /// Which kind of address a row holds.
    public enum AddressKind: String, Sendable, Hashable {
        /// A private IPv4 address of the interface (`PrivateIpAddresses[].PrivateIpAddress`).
        case privateIPv4 = "private"
        /// The public IPv4 address associated with a private one (`Association.PublicIp`).
        case publicIPv4 = "public"
        /// An IPv6 address (`Ipv6Addresses[].Ipv6Address`).
        case ipv6
    }

    /// `NetworkInterfaceId`: `eni-...`.
    public var interfaceID: String
    /// The address, canonical text; nil only for an interface without addresses.
    public var address: String?
    /// What `address` is.
    public var addressKind: AddressKind?
    /// Whether the address is the interface's primary one (for a public address: whether the
    /// private address it maps to is).
    public var isPrimary: Bool?
    /// The private IPv4 this row's address belongs to: the address itself for a private row, the
    /// private address NAT'd to it for a public row, nil for IPv6.
    public var privateIP: String?
    /// `PrivateDnsName` for a private row, `PublicDnsName` for a public row.
    public var dnsName: String?
    /// `Association.IpOwnerId` for a public row: `amazon` for an auto-assigned address, an
    /// account id for an Elastic IP.
    public var ipOwnerID: String?
    /// `VpcId`.
    public var vpcID: String?
    /// `SubnetId`.
    public var subnetID: String?
    /// `AvailabilityZone`.
    public var availabilityZone: String?
    /// `InterfaceType` (`interface`, `nat_gateway`, `vpc_endpoint`, `lambda`,
    /// `network_load_balancer`, ...); nil in output from before AWS added the field.
    public var interfaceType: String?
    /// `Description`: for AWS-managed interfaces it names the owner
    /// (`Interface for NAT Gateway nat-...`, `ELB app/...`).
    public var interfaceDescription: String?
    /// `RequesterId`: the account or service that created the interface.
    public var requesterID: String?
    /// `RequesterManaged`: whether an AWS service manages it.
    public var requesterManaged: Bool?
    /// `Attachment.InstanceId`: the instance it is attached to, if any.
    public var instanceID: String?
    /// `Groups[].GroupId`.
    public var securityGroupIDs: [String]
    /// `OwnerId`: the account.
    public var ownerID: String?
    /// `Status`: `in-use`, `available`, ...
    public var status: String?
    /// `MacAddress`.
    public var macAddress: String?
    /// `TagSet` (network interfaces call their tags that).
    public var tags: [InventoryTag]

    /// Creates a row.
    public init(interfaceID: String, address: String? = nil, addressKind: AddressKind? = nil, isPrimary: Bool? = nil,
                privateIP: String? = nil, dnsName: String? = nil, ipOwnerID: String? = nil, vpcID: String? = nil,
                subnetID: String? = nil, availabilityZone: String? = nil, interfaceType: String? = nil,
                interfaceDescription: String? = nil, requesterID: String? = nil, requesterManaged: Bool? = nil,
                instanceID: String? = nil, securityGroupIDs: [String] = [], ownerID: String? = nil, status: String? = nil,
                macAddress: String? = nil, tags: [InventoryTag] = []) {
        self.interfaceID = interfaceID
        self.address = address
        self.addressKind = addressKind
        self.isPrimary = isPrimary
        self.privateIP = privateIP
        self.dnsName = dnsName
        self.ipOwnerID = ipOwnerID
        self.vpcID = vpcID
        self.subnetID = subnetID
        self.availabilityZone = availabilityZone
        self.interfaceType = interfaceType
        self.interfaceDescription = interfaceDescription
        self.requesterID = requesterID
        self.requesterManaged = requesterManaged
        self.instanceID = instanceID
        self.securityGroupIDs = securityGroupIDs
        self.ownerID = ownerID
        self.status = status
        self.macAddress = macAddress
        self.tags = tags
    }

    /// `network_interfaces`.
    public static let tableName = "network_interfaces"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("interface_id", .varchar, "NetworkInterfaceId (eni-...); one row per address of the interface"),
        InventoryColumn("address", .varchar, "the address: a private IPv4, its public IPv4, or an IPv6 address (IPv6 in RFC 5952 form); NULL for an interface without addresses"),
        InventoryColumn("address_kind", .varchar, "'private', 'public' or 'ipv6'"),
        InventoryColumn("is_primary", .boolean, "the interface's primary address (for 'public': its private address is the primary one; for 'ipv6': IsPrimaryIpv6)"),
        InventoryColumn("private_ip", .varchar, "the private IPv4 the address belongs to: itself for 'private', the private address NAT'd to it for 'public', NULL for 'ipv6'"),
        InventoryColumn("dns_name", .varchar, "PrivateDnsName for 'private', PublicDnsName for 'public'"),
        InventoryColumn("ip_owner_id", .varchar, "Association.IpOwnerId for 'public': 'amazon' (auto-assigned) or the account of the Elastic IP"),
        InventoryColumn("vpc_id", .varchar, "VpcId"),
        InventoryColumn("subnet_id", .varchar, "SubnetId"),
        InventoryColumn("availability_zone", .varchar, "AvailabilityZone"),
        InventoryColumn("interface_type", .varchar, "InterfaceType: interface, nat_gateway, vpc_endpoint, lambda, network_load_balancer, ... (NULL when the output predates the field)"),
        InventoryColumn("description", .varchar, "Description; names the owner of AWS-managed interfaces ('Interface for NAT Gateway nat-...')"),
        InventoryColumn("requester_id", .varchar, "RequesterId: the account or service that created the interface"),
        InventoryColumn("requester_managed", .boolean, "RequesterManaged: an AWS service manages the interface"),
        InventoryColumn("instance_id", .varchar, "Attachment.InstanceId: the instance the interface is attached to"),
        InventoryColumn("security_group_ids", .varchar, "Groups[].GroupId as a JSON array"),
        InventoryColumn("owner_id", .varchar, "OwnerId: the account"),
        InventoryColumn("status", .varchar, "Status: in-use, available, ..."),
        InventoryColumn("mac_address", .varchar, "MacAddress"),
        InventoryColumn("name", .varchar, "the Name tag"),
        InventoryColumn("tags", .varchar, "TagSet as a JSON object, {} for none"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(interfaceID), InventoryValue(address), InventoryValue(addressKind?.rawValue), InventoryValue(isPrimary),
         InventoryValue(privateIP), InventoryValue(dnsName), InventoryValue(ipOwnerID), InventoryValue(vpcID),
         InventoryValue(subnetID), InventoryValue(availabilityZone), InventoryValue(interfaceType),
         InventoryValue(interfaceDescription), InventoryValue(requesterID), InventoryValue(requesterManaged),
         InventoryValue(instanceID), .text(JSONText.array(securityGroupIDs)), InventoryValue(ownerID),
         InventoryValue(status), InventoryValue(macAddress), InventoryValue(tags.nameTag), .text(tags.jsonText)]
    }
}

extension NetworkInterfaceRow {
    /// The rows of a `describe-network-interfaces` document (its top-level object).
    static func rows(from document: JSONNode) throws(FieldError) -> [NetworkInterfaceRow] {
        var rows: [NetworkInterfaceRow] = []
        for interface in try document.requiredArray("NetworkInterfaces") {
            rows += try NetworkInterfaceRow.rows(ofInterface: interface)
        }
        return rows
    }

    private static func rows(ofInterface interface: JSONNode) throws(FieldError) -> [NetworkInterfaceRow] {
        var base = NetworkInterfaceRow(interfaceID: try interface.requiredString("NetworkInterfaceId"))
        base.vpcID = try interface.string("VpcId")
        base.subnetID = try interface.string("SubnetId")
        base.availabilityZone = try interface.string("AvailabilityZone")
        base.interfaceType = try interface.string("InterfaceType")
        base.interfaceDescription = try interface.string("Description")
        base.requesterID = try interface.string("RequesterId")
        base.requesterManaged = try interface.bool("RequesterManaged")
        base.instanceID = try interface.object("Attachment")?.string("InstanceId")
        base.securityGroupIDs = try interface.groupIDs("Groups")
        base.ownerID = try interface.string("OwnerId")
        base.status = try interface.string("Status")
        base.macAddress = try interface.string("MacAddress")
        base.tags = try interface.tagList("TagSet")

        var rows: [NetworkInterfaceRow] = []
        var privateAddresses = try interface.array("PrivateIpAddresses")
        // Output trimmed by --query may keep only the top-level fields, which describe the
        // primary address; use them rather than lose the interface's address.
        if privateAddresses.isEmpty, try interface.optional("PrivateIpAddress") != nil {
            privateAddresses = [interface]
        }
        for entry in privateAddresses {
            guard let privateIP = try entry.address("PrivateIpAddress") else { continue }
            let primary = try entry.path == interface.path ? true : entry.bool("Primary")
            var row = base
            row.address = privateIP
            row.addressKind = .privateIPv4
            row.isPrimary = primary
            row.privateIP = privateIP
            row.dnsName = try entry.string("PrivateDnsName")
            rows.append(row)
            if let association = try entry.object("Association"), let publicIP = try association.address("PublicIp") {
                var publicRow = base
                publicRow.address = publicIP
                publicRow.addressKind = .publicIPv4
                publicRow.isPrimary = primary
                publicRow.privateIP = privateIP
                publicRow.dnsName = try association.string("PublicDnsName")
                publicRow.ipOwnerID = try association.string("IpOwnerId")
                rows.append(publicRow)
            }
        }
        for entry in try interface.array("Ipv6Addresses") {
            guard let address = try entry.address("Ipv6Address") else { continue }
            var row = base
            row.address = address
            row.addressKind = .ipv6
            row.isPrimary = try entry.bool("IsPrimaryIpv6")
            rows.append(row)
        }
        return rows.isEmpty ? [base] : rows
    }
}
