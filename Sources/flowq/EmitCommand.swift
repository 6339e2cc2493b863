import ArgumentParser
import FlowEmit
import FlowModel
import FlowQuery

/// Options naming the other engine and the table there.
struct EngineOptions: ParsableArguments {
    @Option(help: "The engine: athena (Trino) or spark.") var engine: String
    @Option(help: "The export layout under the location: default or hive.") var layout: String = "default"
    @Flag(help: "The export has hourly folders.") var hourly = false
    @Option(help: "The table name on that engine (default: flowq's name for it, vpc_flow_logs or tgw_flow_logs).") var table: String?

    func validate() throws {
        guard TargetEngine(rawValue: engine) != nil else { throw ValidationError("--engine must be athena or spark, not '\(engine)'") }
        guard TableDDL.Layout(rawValue: layout) != nil else { throw ValidationError("--layout must be default or hive, not '\(layout)'") }
    }

    var target: TargetEngine { TargetEngine(rawValue: engine) ?? .athena }
    var tableLayout: TableDDL.Layout { TableDDL.Layout(rawValue: layout) ?? .default }
}

/// `flowq emit`: a flowq query written for Athena or Spark.
struct EmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Write a flowq query for Athena/Trino or Spark SQL, with flowq's meaning kept.",
        discussion: """
            date, day and date_partition stay the UTC day a flow started (computed from start);
            for Athena a widened predicate on the delivery_day partition column is added so only
            the partitions that can hold those flows are read. Use it on the table `flowq ddl` makes.
            Spark needs spark.sql.session.timeZone=UTC for day and hour functions to mean UTC.
            With a store (--store, $FLOWQ_STORE or the default one), SELECT * lists flowq's own
            columns for that store, date included, so the other engine's rows line up with
            flowq's, and a flow-log field the store has never seen reads as NULL there as it
            does here; without one, * stays the engine's table columns.

            Examples:
              flowq emit --engine athena "SELECT srcaddr, count(*) FROM flows WHERE action = 'REJECT' AND day >= '2024/01/02' GROUP BY srcaddr"
              flowq emit --engine spark --file query.sql
              flowq emit --engine athena "SELECT tgw_attachment_id, sum(bytes) FROM tgw_flow_logs GROUP BY 1"
            """
    )

    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: ArgumentHelp("Read the query from a file (- for standard input).", valueName: "path")) var file: String?
    @Argument(help: "The flowq query.") var sql: String?

    func validate() throws {
        if sql == nil && file == nil { throw ValidationError("give the query as an argument or with --file") }
    }

    func run() throws {
        let text = try QueryText.read(argument: sql, file: file)
        var emitter = QueryEmitter(engine: engineOptions.target, table: engineOptions.table, layout: engineOptions.tableLayout, hourly: engineOptions.hourly)
        // `*` means flowq's columns for the store the table was made from (as `flowq ddl` takes
        // its columns from it); a store that cannot be read leaves `*` as it is.
        let store = storeOptions.resolved
        let table = (try? QueryParser.parse(text)).flatMap { try? QueryPlanner.table(of: $0) } ?? .vpc
        if store.exists, let columns = try? QueryEngine(store: store).plan("SELECT * FROM \(table.name)").columns {
            emitter.starColumns = columns.map(\.name)
            emitter.tableColumns = Set(columns.map(\.name))
        }
        let emitted: String
        do {
            emitted = try emitter.emit(text)
        } catch {
            Terminal.message(error.rendered(query: text))
            throw ExitStatus.invalidQuery
        }
        try Terminal.output(emitted + ";\n")
    }
}

/// `flowq ddl`: the CREATE TABLE for Athena or Spark over the same export.
struct DdlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddl",
        abstract: "Print the CREATE TABLE that lets Athena or Spark read the same S3 export.",
        discussion: """
            Columns come from --fields, else from the layout the store has seen for the table (one
            layout; with several, name one with --fields), else the table's default format.
            --logs tgw makes the Transit Gateway table (tgw_flow_logs). Athena's table uses partition
            projection over account, region and delivery day, so it needs no MSCK REPAIR.

            Examples:
              flowq ddl --engine athena --location s3://my-bucket/flow-logs/
              flowq ddl --engine athena --location s3://my-bucket/ --layout hive --hourly --accounts 111122223333 --regions eu-west-1,us-east-1
              flowq ddl --engine athena --location s3://my-bucket/flow-logs/ --logs tgw
              flowq ddl --engine athena --location s3://my-bucket/flow-logs/ --inventory-location s3://my-bucket/inventory/
              flowq ddl --engine spark --location s3://my-bucket/flow-logs/ --fields "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
            """
    )

    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Where the export is: the s3:// prefix holding AWSLogs/.") var location: String?
    @Option(help: "Also (or only, without --location) the inventory's tables, from `flowq inventory export` copied to this s3:// prefix.")
    var inventoryLocation: String?
    @Option(help: "The files' header line (field names, space separated).") var fields: String?
    @Option(help: "Account ids for partition projection, comma separated (default: from the store's files).") var accounts: String?
    @Option(help: "Regions for partition projection, comma separated (default: from the store's files).") var regions: String?
    @Option(help: "The first delivery day for partition projection (YYYY-MM-DD; default: the store's first day).") var since: String?
    @Option(help: "Which flow logs: vpc (vpc_flow_logs) or tgw (Transit Gateway, tgw_flow_logs).") var logs: String = "vpc"

    func validate() throws {
        guard flowTable != nil else { throw ValidationError("--logs must be vpc or tgw, not '\(logs)'") }
        guard location != nil || inventoryLocation != nil else { throw ValidationError("give --location, --inventory-location or both") }
    }

    /// The flowq table `--logs` names.
    var flowTable: FlowTable? {
        switch logs.lowercased() {
        case "vpc", FlowTable.vpc.name, "flows": return .vpc
        case "tgw", FlowTable.transitGateway.name: return .transitGateway
        default: return nil
        }
    }

    func run() throws {
        if let location { try flowTableDDL(location: location) }
        if let inventoryLocation {
            if location != nil { try Terminal.output("\n") }
            try Terminal.output(InventoryDDL(engine: engineOptions.target, location: inventoryLocation).render())
        }
    }

    private func flowTableDDL(location: String) throws {
        var header = fields?.split(separator: " ").map(String.init)
        var accountList = accounts?.split(separator: ",").map(String.init)
        var regionList = regions?.split(separator: ",").map(String.init)
        var first = since.flatMap { PartitionDay($0) }
        let flowTable = flowTable ?? .vpc
        let store = storeOptions.resolved
        if store.exists, let catalog = try? store.openCatalogForReading() {
            // The layouts of this table's files only: a bucket may mix both kinds.
            let layouts = ((try? catalog.layouts()) ?? []).filter { (try? FlowLayout(logFormat: $0))?.table == flowTable }
            if header == nil {
                if layouts.count > 1 {
                    Terminal.message("error: the store holds \(layouts.count) layouts; name one with --fields:\n" + layouts.map { "  \($0)" }.joined(separator: "\n"))
                    throw ExitStatus.failure
                }
                header = layouts.first?.split(separator: " ").map(String.init)
            }
            let keys = ((try? catalog.storedPaths()) ?? []).map { S3Key(path: $0) }
            if accountList == nil { accountList = Array(Set(keys.compactMap(\.accountID))).sorted() }
            if regionList == nil { regionList = Array(Set(keys.compactMap(\.region))).sorted() }
            if first == nil { first = (try? catalog.partitions())?.filter { $0.table == flowTable }.first?.day }
        }
        var ddl = TableDDL(engine: engineOptions.target, location: location, layout: engineOptions.tableLayout, hourly: engineOptions.hourly,
                           table: engineOptions.table, flowTable: flowTable)
        if let header, !header.isEmpty { ddl.fields = header }
        if let accountList, !accountList.isEmpty { ddl.accounts = accountList }
        if let regionList, !regionList.isEmpty { ddl.regions = regionList }
        if let first { ddl.firstDay = first }
        try Terminal.output(ddl.render() + ";\n")
    }
}
