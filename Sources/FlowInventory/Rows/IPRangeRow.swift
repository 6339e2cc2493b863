/// One prefix of AWS's published `ip-ranges.json`: a row of `aws_ip_ranges`.
///
/// The file lists a prefix once per service subset it belongs to (`52.216.0.0/15` as `AMAZON`
/// and again as `S3`), so several rows can share a prefix; `AWSIPRanges` picks one per address.
public struct IPRangeRow: InventoryTable, Equatable {
    /// The prefix as the file prints it (`52.216.0.0/15`, `2600:1f18::/33`).
    public var prefix: String
    /// 4 or 6.
    public var ipVersion: Int
    /// `service`: the subset (`AMAZON`, `S3`, `EC2`, `CLOUDFRONT`, ...).
    public var service: String
    /// `region`: an AWS region or `GLOBAL`.
    public var region: String
    /// `network_border_group`: the zone group AWS advertises the prefix from.
    public var networkBorderGroup: String?
    /// The file's `syncToken` (its publication time in Unix seconds, as text).
    public var syncToken: String
    /// The file's `createDate` as Unix seconds.
    public var createDate: Int64

    /// Creates a row.
    public init(prefix: String, ipVersion: Int, service: String, region: String, networkBorderGroup: String?,
                syncToken: String, createDate: Int64) {
        self.prefix = prefix
        self.ipVersion = ipVersion
        self.service = service
        self.region = region
        self.networkBorderGroup = networkBorderGroup
        self.syncToken = syncToken
        self.createDate = createDate
    }

    /// `aws_ip_ranges`.
    public static let tableName = "aws_ip_ranges"

    /// The columns, in `values` order.
    public static let columns: [InventoryColumn] = [
        InventoryColumn("prefix", .varchar, "ip_prefix or ipv6_prefix as printed; a prefix repeats once per service subset"),
        InventoryColumn("ip_version", .bigint, "4 or 6"),
        InventoryColumn("service", .varchar, "service: AMAZON (every range), S3, EC2, CLOUDFRONT, ROUTE53_HEALTHCHECKS, ..."),
        InventoryColumn("region", .varchar, "region: an AWS region or GLOBAL"),
        InventoryColumn("network_border_group", .varchar, "network_border_group: where AWS advertises the prefix from"),
        InventoryColumn("sync_token", .varchar, "the file's syncToken: its publication time in Unix seconds"),
        InventoryColumn("create_date", .timestamp, "the file's createDate (UTC)"),
    ]

    /// This row's values, in column order.
    public var values: [InventoryValue] {
        [.text(prefix), .integer(Int64(ipVersion)), .text(service), .text(region), InventoryValue(networkBorderGroup),
         .text(syncToken), .integer(createDate)]
    }
}
