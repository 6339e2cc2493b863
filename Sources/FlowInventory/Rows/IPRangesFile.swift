/// A parsed `ip-ranges.json`: its publication stamps and one row per listed prefix.
public struct IPRangesFile: Sendable, Equatable {
    /// `syncToken`: the publication time in Unix seconds, as text.
    public var syncToken: String
    /// `createDate` (`2024-01-05-20-13-07`, UTC) as Unix seconds.
    public var createDate: Int64
    /// The `prefixes` rows, then the `ipv6_prefixes` rows, each in file order.
    public var rows: [IPRangeRow]

    /// Creates a file value.
    public init(syncToken: String, createDate: Int64, rows: [IPRangeRow]) {
        self.syncToken = syncToken
        self.createDate = createDate
        self.rows = rows
    }
}

extension IPRangesFile {
    /// Reads an `ip-ranges.json` document (its top-level object).
    static func parse(from document: JSONNode) throws(FieldError) -> IPRangesFile {
        let syncToken = try document.requiredString("syncToken")
        let createDateText = try document.requiredString("createDate")
        guard let createDate = AWSTimestamp.unixSeconds(createDate: createDateText) else {
            throw document.invalid("createDate", "expected a date such as 2024-01-05-20-13-07, found \"\(createDateText)\"")
        }
        var rows: [IPRangeRow] = []
        for (key, prefixKey, version) in [("prefixes", "ip_prefix", 4), ("ipv6_prefixes", "ipv6_prefix", 6)] {
            for entry in try document.array(key) {
                let text = try entry.requiredString(prefixKey)
                // Checked here so a bad prefix is reported where it is; the row keeps the text
                // as printed (AWS prints canonical CIDR text).
                guard let prefix = IPPrefix(text), prefix.version == version else {
                    throw entry.invalid(prefixKey, "expected an IPv\(version) prefix such as \(version == 4 ? "52.216.0.0/15" : "2600:1f18::/33"), found \"\(text)\"")
                }
                rows.append(IPRangeRow(prefix: text, ipVersion: version, service: try entry.requiredString("service"),
                                       region: try entry.requiredString("region"),
                                       networkBorderGroup: try entry.string("network_border_group"),
                                       syncToken: syncToken, createDate: createDate))
            }
        }
        return IPRangesFile(syncToken: syncToken, createDate: createDate, rows: rows)
    }
}
