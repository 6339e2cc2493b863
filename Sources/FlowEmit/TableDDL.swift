import FlowModel

/// The CREATE TABLE that lets Athena or Spark read the same S3 export flowq reads.
///
/// Columns come from the layout's header names (hyphens become underscores) with the types of
/// AWS's documented Athena DDL: for Transit Gateway logs, the documented TGW table (its default
/// format's 36 fields, `packets_lost_*` as bigint). AWS delivers both kinds under the same
/// `vpcflowlogs` keys, so both tables have the same partition scheme. `account_id` and `region` are always declared, after the layout's
/// own fields when it lacks them: a text table reads missing trailing fields as NULL, and the
/// emitted queries then take them from the S3 key, as flowq does.
public struct TableDDL: Sendable {
    /// How the export is laid out under the location.
    public enum Layout: String, Sendable, CaseIterable {
        /// `AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD[/HH]/`.
        case `default`
        /// `AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/aws-region=<region>/year=YYYY/month=MM/day=DD[/hour=HH]/`.
        case hive
    }

    public var engine: TargetEngine
    /// `s3://bucket/prefix/` (the folder holding `AWSLogs/`).
    public var location: String
    public var layout: Layout
    public var hourly: Bool
    /// The header names of the files, in order.
    public var fields: [String]
    /// The table's name on the engine.
    public var table: String
    /// The flowq table whose files it reads.
    public var flowTable: FlowTable
    /// Accounts and regions for Athena's partition projection.
    public var accounts: [String]
    public var regions: [String]
    /// The first delivery day projection covers.
    public var firstDay: PartitionDay

    /// A DDL description for `flowTable`'s files; `fields` defaults to that table's AWS default
    /// format and `table` to its flowq name.
    public init(engine: TargetEngine, location: String, layout: Layout = .default, hourly: Bool = false,
                fields: [String]? = nil, table: String? = nil, flowTable: FlowTable = .vpc,
                accounts: [String] = ["123456789012"], regions: [String] = ["us-east-1"],
                firstDay: PartitionDay = PartitionDay(dayNumber: 19_723)) {
        self.engine = engine
        self.location = location
        self.layout = layout
        self.hourly = hourly
        self.fields = fields ?? flowTable.defaultFields.map(\.headerName)
        self.table = table ?? flowTable.name
        self.flowTable = flowTable
        self.accounts = accounts
        self.regions = regions
        self.firstDay = firstDay
    }

    /// The columns in file order, with types.
    var columns: [(name: String, type: String)] {
        var result = fields.map { header -> (name: String, type: String) in
            let name = header.lowercased().replacingOccurrences(of: "-", with: "_")
            return (name, FlowField(headerName: header.lowercased())?.athenaType ?? "string")
        }
        for extra in ["account_id", "region"] where !result.contains(where: { $0.name == extra }) {
            result.append((extra, "string"))
        }
        return result
    }

    /// The statement.
    public func render() -> String {
        let base = location.hasSuffix("/") ? location : location + "/"
        // Both engines' DDL is Hive-flavoured: identifiers take backquotes (Athena's DML uses double quotes).
        let columnList = columns.map { "  `\($0.name)` \($0.type)" }.joined(separator: ",\n")
        switch engine {
        case .spark:
            let path = base.replacingOccurrences(of: "s3://", with: "s3a://") + "AWSLogs/"
            return """
                CREATE TABLE IF NOT EXISTS `\(table)` (
                \(columnList)
                )
                USING csv
                OPTIONS (
                  path '\(path)',
                  sep ' ',
                  header 'true',
                  nullValue '-',
                  recursiveFileLookup 'true',
                  pathGlobFilter '*.log.gz'
                )
                """
        case .athena:
            let day = hourly ? "yyyy/MM/dd/HH" : "yyyy/MM/dd"
            let hive = hourly ? "'year='yyyy'/month='MM'/day='dd'/hour='HH" : "'year='yyyy'/month='MM'/day='dd"
            let template: String
            switch layout {
            case .default: template = "\(base)AWSLogs/${aws_account}/vpcflowlogs/${aws_region}/${delivery_day}"
            case .hive: template = "\(base)AWSLogs/aws-account-id=${aws_account}/aws-service=vpcflowlogs/aws-region=${aws_region}/${delivery_day}"
            }
            return """
                CREATE EXTERNAL TABLE IF NOT EXISTS \(table) (
                \(columnList)
                )
                PARTITIONED BY (aws_account string, aws_region string, delivery_day string)
                ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
                LOCATION '\(base)AWSLogs/'
                TBLPROPERTIES (
                  'skip.header.line.count' = '1',
                  'serialization.null.format' = '-',
                  'projection.enabled' = 'true',
                  'projection.aws_account.type' = 'enum',
                  'projection.aws_account.values' = '\(accounts.joined(separator: ","))',
                  'projection.aws_region.type' = 'enum',
                  'projection.aws_region.values' = '\(regions.joined(separator: ","))',
                  'projection.delivery_day.type' = 'date',
                  'projection.delivery_day.range' = '\(firstDay.isoText.replacingOccurrences(of: "-", with: "/"))\(hourly ? "/00" : ""),NOW',
                  'projection.delivery_day.format' = '\(layout == .hive ? hive : day)',
                  'projection.delivery_day.interval' = '1',
                  'projection.delivery_day.interval.unit' = '\(hourly ? "HOURS" : "DAYS")',
                  'storage.location.template' = '\(template)'
                )
                """
        }
    }
}
