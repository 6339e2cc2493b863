import FlowInventory

/// The CREATE TABLE statements that let Athena or Spark read the inventory tables from the
/// files `flowq inventory export` writes (one folder per table, one JSON object per line), so a
/// query that joins them runs there as it runs in flowq.
public struct InventoryDDL: Sendable {
    /// The engine.
    public var engine: TargetEngine
    /// `s3://bucket/prefix/`: the folder holding one folder per table.
    public var location: String
    /// The tables; default every inventory table.
    public var tables: [InventoryTableSchema]

    /// DDL for `tables` under `location`.
    public init(engine: TargetEngine, location: String, tables: [InventoryTableSchema] = InventoryTableSchema.all) {
        self.engine = engine
        self.location = location
        self.tables = tables
    }

    /// How `inventory export` writes times, and how both engines are told to read them.
    public static let timestampFormat = "yyyy-MM-dd HH:mm:ss"

    /// The statements, each ending in `;`.
    public func render() -> String {
        let base = location.hasSuffix("/") ? location : location + "/"
        return tables.map { table in
            let columns = table.queryColumns.map { "  `\($0.name)` \(Self.type($0.type))" }.joined(separator: ",\n")
            switch engine {
            case .athena:
                return """
                    CREATE EXTERNAL TABLE IF NOT EXISTS \(table.name) (
                    \(columns)
                    )
                    ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
                    LOCATION '\(base)\(table.name)/';
                    """
            case .spark:
                let path = base.replacingOccurrences(of: "s3://", with: "s3a://") + table.name + "/"
                return """
                    CREATE TABLE IF NOT EXISTS `\(table.name)` (
                    \(columns)
                    )
                    USING json
                    OPTIONS (
                      path '\(path)',
                      timestampFormat '\(Self.timestampFormat)'
                    );
                    """
            }
        }.joined(separator: "\n\n") + "\n"
    }

    /// The Hive type both engines' DDL spells.
    static func type(_ type: InventorySQLType) -> String {
        switch type {
        case .varchar: return "string"
        case .bigint: return "bigint"
        case .boolean: return "boolean"
        case .timestamp: return "timestamp"
        }
    }
}
