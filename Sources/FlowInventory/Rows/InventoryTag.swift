/// One AWS resource tag (`{"Key": "Name", "Value": "web"}`).
public struct InventoryTag: Sendable, Hashable {
    /// The tag key.
    public var key: String
    /// The tag value; AWS allows an empty one.
    public var value: String

    /// Creates a tag.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == InventoryTag {
    /// The value of the `Name` tag, which the console shows as the resource's name.
    var nameTag: String? { last(where: { $0.key == "Name" })?.value }

    /// The `tags` column: a JSON object, `{}` for none.
    var jsonText: String { JSONText.object(map { ($0.key, $0.value) }) }
}

extension JSONNode {
    /// The AWS tag list under `key` (`Tags`, or `TagSet` for network interfaces); empty when absent.
    func tagList(_ key: String) throws(FieldError) -> [InventoryTag] {
        try tags(key).map { InventoryTag(key: $0.key, value: $0.value) }
    }

    /// The `GroupId` of each entry of a `Groups`/`SecurityGroups` list.
    func groupIDs(_ key: String) throws(FieldError) -> [String] {
        try array(key).map { group throws(FieldError) in try group.requiredString("GroupId") }
    }

    /// A list of strings (`SubnetIds`); empty when absent.
    func strings(_ key: String) throws(FieldError) -> [String] {
        try array(key).map { element throws(FieldError) in try element.asString() }
    }
}
