/// The SQL type of an inventory column, in the names flowq's queries use.
public enum InventorySQLType: String, Sendable, Hashable, CaseIterable {
    /// Text. Lists and tags are JSON text (`["sg-1","sg-2"]`, `{"Name":"web"}`), the form flowq
    /// holds `array(...)` values in.
    case varchar
    /// A 64-bit integer.
    case bigint
    /// `true` or `false`.
    case boolean
    /// A UTC time, bound as whole Unix seconds (`InventoryValue.integer`), as flowq stores
    /// `timestamp` columns.
    case timestamp
}

/// One column of an inventory table: its name, type and meaning.
public struct InventoryColumn: Sendable, Hashable {
    /// The column name, snake_case (`interface_id`).
    public let name: String
    /// The SQL type.
    public let type: InventorySQLType
    /// One line saying what the column holds and where it comes from, for `docs/inventory.md`
    /// and `flowq inventory --columns`-style help.
    public let summary: String

    /// Creates a column.
    public init(_ name: String, _ type: InventorySQLType, _ summary: String) {
        self.name = name
        self.type = type
        self.summary = summary
    }
}

/// A value to bind into an inventory column.
public enum InventoryValue: Sendable, Hashable {
    /// SQL NULL: the field was absent.
    case null
    /// A `varchar` value.
    case text(String)
    /// A `bigint` value, or a `timestamp` as Unix seconds.
    case integer(Int64)
    /// A `boolean` value.
    case boolean(Bool)

    /// `.text`, or `.null` for nil.
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    /// `.integer`, or `.null` for nil.
    init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
    /// `.boolean`, or `.null` for nil.
    init(_ value: Bool?) { self = value.map { .boolean($0) } ?? .null }
}

/// A row type of one inventory table: what flowq needs to create the table and insert rows
/// without knowing the type.
public protocol InventoryTable: Sendable {
    /// The SQL table name (`network_interfaces`).
    static var tableName: String { get }
    /// The columns, in the order `values` lists them.
    static var columns: [InventoryColumn] { get }
    /// This row's values, one per column, in column order.
    var values: [InventoryValue] { get }
}

/// The rows of one table from one file, typed away: for storing generically.
public struct InventoryRowSet: Sendable, Equatable {
    /// The SQL table name.
    public let tableName: String
    /// The columns, in value order.
    public let columns: [InventoryColumn]
    /// One array of values per row, each in column order.
    public let rows: [[InventoryValue]]

    /// The row set of `rows` of table type `Row`.
    public init<Row: InventoryTable>(_ rows: [Row]) {
        tableName = Row.tableName
        columns = Row.columns
        self.rows = rows.map(\.values)
    }
}
