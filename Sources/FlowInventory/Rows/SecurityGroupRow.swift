/// One security group: a row of `security_groups`, from `aws ec2 describe-security-groups`
/// (its rules go to `security_group_rules`).
public struct SecurityGroupRow: InventoryTable, Equatable {
    /// `GroupId`: `sg-...`.
    public var groupID: String
    /// `GroupName`.
    public var groupName: String?
    /// `Description`.
    public var groupDescription: String?
    /// `VpcId`.
    public var vpcID: String?
    /// `OwnerId`.
    public var ownerID: String?
    /// `Tags`.
    public var tags: [InventoryTag]

    /// Creates a row.
    public init(groupID: String, groupName: String? = nil, groupDescription: String? = nil, vpcID: String? = nil,
                ownerID: String? = nil, tags: [InventoryTag] = []) {
        self.groupID = groupID
        self.groupName = groupName
        self.groupDescription = groupDescription
        self.vpcID = vpcID
        self.ownerID = ownerID
        self.tags = tags
    }

    /// `security_groups`.
    public static let tableName = "security_groups"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("group_id", .varchar, "GroupId (sg-...)"),
        InventoryColumn("group_name", .varchar, "GroupName"),
        InventoryColumn("description", .varchar, "Description"),
        InventoryColumn("vpc_id", .varchar, "VpcId"),
        InventoryColumn("owner_id", .varchar, "OwnerId: the account"),
        InventoryColumn("name", .varchar, "the Name tag (often unlike group_name)"),
        InventoryColumn("tags", .varchar, "Tags as a JSON object, {} for none"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(groupID), InventoryValue(groupName), InventoryValue(groupDescription), InventoryValue(vpcID),
         InventoryValue(ownerID), InventoryValue(tags.nameTag), .text(tags.jsonText)]
    }
}

extension SecurityGroupRow {
    /// The group rows and rule rows of a `describe-security-groups` document.
    static func rows(from document: JSONNode) throws(FieldError) -> (groups: [SecurityGroupRow], rules: [SecurityGroupRuleRow]) {
        var groups: [SecurityGroupRow] = []
        var rules: [SecurityGroupRuleRow] = []
        for group in try document.requiredArray("SecurityGroups") {
            var row = SecurityGroupRow(groupID: try group.requiredString("GroupId"))
            row.groupName = try group.string("GroupName")
            row.groupDescription = try group.string("Description")
            row.vpcID = try group.string("VpcId")
            row.ownerID = try group.string("OwnerId")
            row.tags = try group.tagList("Tags")
            groups.append(row)
            for permission in try group.array("IpPermissions") {
                rules += try SecurityGroupRuleRow.rows(of: permission, groupID: row.groupID, direction: .ingress)
            }
            for permission in try group.array("IpPermissionsEgress") {
                rules += try SecurityGroupRuleRow.rows(of: permission, groupID: row.groupID, direction: .egress)
            }
        }
        return (groups, rules)
    }
}
