/// One EC2 instance: a row of `instances`, from `aws ec2 describe-instances`
/// (`Reservations[].Instances[]`).
public struct InstanceRow: InventoryTable, Equatable {
    /// `InstanceId`: `i-...`.
    public var instanceID: String
    /// `InstanceType`: `t3.nano`.
    public var instanceType: String?
    /// `State.Name`: `pending`, `running`, `stopped`, `terminated`, ...
    public var state: String?
    /// `LaunchTime` as Unix seconds.
    public var launchTime: Int64?
    /// `Placement.AvailabilityZone`.
    public var availabilityZone: String?
    /// `SubnetId`.
    public var subnetID: String?
    /// `VpcId`.
    public var vpcID: String?
    /// `PrivateIpAddress`: the primary private IPv4.
    public var privateIP: String?
    /// `PublicIpAddress`.
    public var publicIP: String?
    /// `PrivateDnsName`.
    public var privateDNSName: String?
    /// `PublicDnsName`.
    public var publicDNSName: String?
    /// `ImageId`.
    public var imageID: String?
    /// `SecurityGroups[].GroupId`.
    public var securityGroupIDs: [String]
    /// The reservation's `OwnerId`: the account.
    public var ownerID: String?
    /// The reservation's `ReservationId`.
    public var reservationID: String?
    /// `Tags`.
    public var tags: [InventoryTag]

    /// Creates a row.
    public init(instanceID: String, instanceType: String? = nil, state: String? = nil, launchTime: Int64? = nil,
                availabilityZone: String? = nil, subnetID: String? = nil, vpcID: String? = nil, privateIP: String? = nil,
                publicIP: String? = nil, privateDNSName: String? = nil, publicDNSName: String? = nil, imageID: String? = nil,
                securityGroupIDs: [String] = [], ownerID: String? = nil, reservationID: String? = nil, tags: [InventoryTag] = []) {
        self.instanceID = instanceID
        self.instanceType = instanceType
        self.state = state
        self.launchTime = launchTime
        self.availabilityZone = availabilityZone
        self.subnetID = subnetID
        self.vpcID = vpcID
        self.privateIP = privateIP
        self.publicIP = publicIP
        self.privateDNSName = privateDNSName
        self.publicDNSName = publicDNSName
        self.imageID = imageID
        self.securityGroupIDs = securityGroupIDs
        self.ownerID = ownerID
        self.reservationID = reservationID
        self.tags = tags
    }

    /// `instances`.
    public static let tableName = "instances"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("instance_id", .varchar, "InstanceId (i-...)"),
        InventoryColumn("instance_type", .varchar, "InstanceType (t3.nano)"),
        InventoryColumn("state", .varchar, "State.Name: pending, running, stopping, stopped, shutting-down, terminated"),
        InventoryColumn("launch_time", .timestamp, "LaunchTime (UTC)"),
        InventoryColumn("availability_zone", .varchar, "Placement.AvailabilityZone"),
        InventoryColumn("subnet_id", .varchar, "SubnetId"),
        InventoryColumn("vpc_id", .varchar, "VpcId"),
        InventoryColumn("private_ip", .varchar, "PrivateIpAddress: the primary private IPv4 (all addresses are in network_interfaces)"),
        InventoryColumn("public_ip", .varchar, "PublicIpAddress"),
        InventoryColumn("private_dns_name", .varchar, "PrivateDnsName"),
        InventoryColumn("public_dns_name", .varchar, "PublicDnsName"),
        InventoryColumn("image_id", .varchar, "ImageId (ami-...)"),
        InventoryColumn("security_group_ids", .varchar, "SecurityGroups[].GroupId as a JSON array"),
        InventoryColumn("owner_id", .varchar, "the reservation's OwnerId: the account"),
        InventoryColumn("reservation_id", .varchar, "the reservation's ReservationId"),
        InventoryColumn("name", .varchar, "the Name tag"),
        InventoryColumn("tags", .varchar, "Tags as a JSON object, {} for none"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(instanceID), InventoryValue(instanceType), InventoryValue(state), InventoryValue(launchTime),
         InventoryValue(availabilityZone), InventoryValue(subnetID), InventoryValue(vpcID), InventoryValue(privateIP),
         InventoryValue(publicIP), InventoryValue(privateDNSName), InventoryValue(publicDNSName), InventoryValue(imageID),
         .text(JSONText.array(securityGroupIDs)), InventoryValue(ownerID), InventoryValue(reservationID),
         InventoryValue(tags.nameTag), .text(tags.jsonText)]
    }
}

extension InstanceRow {
    /// The rows of a `describe-instances` document (its top-level object).
    static func rows(from document: JSONNode) throws(FieldError) -> [InstanceRow] {
        var rows: [InstanceRow] = []
        for reservation in try document.requiredArray("Reservations") {
            let ownerID = try reservation.string("OwnerId")
            let reservationID = try reservation.string("ReservationId")
            for instance in try reservation.requiredArray("Instances") {
                var row = InstanceRow(instanceID: try instance.requiredString("InstanceId"))
                row.instanceType = try instance.string("InstanceType")
                row.state = try instance.object("State")?.string("Name")
                row.launchTime = try instance.time("LaunchTime")
                row.availabilityZone = try instance.object("Placement")?.string("AvailabilityZone")
                row.subnetID = try instance.string("SubnetId")
                row.vpcID = try instance.string("VpcId")
                row.privateIP = try instance.address("PrivateIpAddress")
                row.publicIP = try instance.address("PublicIpAddress")
                row.privateDNSName = try nonEmpty(instance.string("PrivateDnsName"))
                row.publicDNSName = try nonEmpty(instance.string("PublicDnsName"))
                row.imageID = try instance.string("ImageId")
                row.securityGroupIDs = try instance.groupIDs("SecurityGroups")
                row.ownerID = ownerID
                row.reservationID = reservationID
                row.tags = try instance.tagList("Tags")
                rows.append(row)
            }
        }
        return rows
    }

    /// EC2 prints `""` for the DNS name of an instance that has none (stopped, no public IP).
    private static func nonEmpty(_ text: String?) -> String? {
        text?.isEmpty == false ? text : nil
    }
}
