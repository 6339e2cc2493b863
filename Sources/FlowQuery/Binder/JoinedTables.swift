import FlowInventory

/// The tables of a query with joins, in the order they are joined: the flow table first, then
/// the inventory tables. Resolves column names (qualified or not) to one of them.
struct JoinedTables: Sendable {
    /// One table of the query.
    struct Table: Sendable {
        /// How the qualified AST names it: the alias, else the table's name (lowercased).
        var qualifier: String
        /// Every name that may qualify its columns (lowercased).
        var names: Set<String>
        /// As written in FROM or JOIN.
        var reference: TableReference
        /// The inventory table; nil for the flow table.
        var inventory: InventoryTableSchema?
    }

    /// The flow table's schema.
    let flow: TableSchema
    /// Flow table first, then inventory tables in join order.
    private(set) var tables: [Table]

    init(flow: TableSchema, reference: TableReference) {
        self.flow = flow
        tables = [Self.table(reference, inventory: nil)]
    }

    /// Adds an inventory table as the next joined one.
    mutating func append(_ reference: TableReference, inventory: InventoryTableSchema) throws(QueryError) {
        let table = Self.table(reference, inventory: inventory)
        if let clash = tables.first(where: { !$0.names.isDisjoint(with: table.names) }) {
            throw QueryError(.syntax, "the name '\(table.qualifier)' is given to two tables (also '\(clash.reference.name)')",
                             at: reference.location, hint: "give each table its own alias")
        }
        tables.append(table)
    }

    private static func table(_ reference: TableReference, inventory: InventoryTableSchema?) -> Table {
        let qualifier: String
        var names: Set<String>
        if let alias = reference.alias?.lowercased() {
            qualifier = alias
            names = [alias]
        } else {
            let full = reference.name.lowercased()
            qualifier = String(full.split(separator: ".").last ?? Substring(full))
            names = [full, qualifier]
        }
        return Table(qualifier: qualifier, names: names, reference: reference, inventory: inventory)
    }

    /// The index of the table a qualifier names.
    func index(ofQualifier qualifier: String) -> Int? {
        let lowered = qualifier.lowercased()
        return tables.firstIndex { $0.names.contains(lowered) }
    }

    /// Whether table `index` has a column `name`.
    func has(_ name: String, in index: Int) -> Bool {
        if let inventory = tables[index].inventory { return inventory.queryColumns.contains { $0.name == name.lowercased() } }
        return flow.column(named: name) != nil
    }

    /// The table a column reference reads: the one its qualifier names, else the only table
    /// with that column.
    func resolve(_ name: String, table qualifier: String?, at location: SourceLocation) throws(QueryError) -> Int {
        if let qualifier {
            guard let index = index(ofQualifier: qualifier) else {
                throw QueryError(.unknownName, "unknown table or alias '\(qualifier)'", at: location)
            }
            guard has(name, in: index) else {
                throw QueryError(.unknownName, "unknown column '\(name)' of \(describe(index))", at: location,
                                 hint: suggestion(for: name, in: [index]))
            }
            return index
        }
        let found = tables.indices.filter { has(name, in: $0) }
        guard let first = found.first else {
            throw QueryError(.unknownName, "unknown column '\(name)'", at: location, hint: suggestion(for: name, in: Array(tables.indices)))
        }
        guard found.count == 1 else {
            let places = found.map(describe).joined(separator: " and ")
            throw QueryError(.syntax, "column '\(name)' is ambiguous: \(places) both have it", at: location,
                             hint: "qualify it, e.g. \(tables[found[0]].qualifier).\(name.lowercased())")
        }
        return first
    }

    /// `f (vpc_flow_logs)`.
    func describe(_ index: Int) -> String {
        let table = tables[index]
        let name = table.inventory?.name ?? flow.table.name
        return table.qualifier == name ? name : "\(table.qualifier) (\(name))"
    }

    private func suggestion(for name: String, in indexes: [Int]) -> String? {
        var candidates: [String] = []
        for index in indexes {
            if let inventory = tables[index].inventory {
                candidates += inventory.queryColumns.map(\.name)
            } else {
                candidates += flow.columns.map(\.name)
            }
        }
        return Suggestions.closest(to: name.lowercased(), among: candidates).map { "did you mean '\($0)'?" }
    }

    /// The bound reference to column `name` of table `index`.
    func bound(_ name: String, in index: Int) -> Bound? {
        guard let inventory = tables[index].inventory else { return nil }
        let lowered = name.lowercased()
        guard let column = inventory.queryColumns.first(where: { $0.name == lowered }) else { return nil }
        let form: Bound.Form = inventory.addressColumns.contains(lowered) ? .address : .plain
        return Bound(.column(JoinedColumn.name(table: index, column: lowered)), type: Self.type(of: column.type), form: form)
    }

    /// The query type of an inventory column type.
    static func type(of type: InventorySQLType) -> SQLType {
        switch type {
        case .varchar: return .varchar
        case .bigint: return .integer
        case .boolean: return .boolean
        case .timestamp: return .timestamp
        }
    }
}

/// The names joined columns go by inside a query: a column of the table joined at position
/// `table` is `"\u{1}<table>.<column>"`, a name no stored column can have, so the executor's
/// batches hold joined and stored columns side by side.
enum JoinedColumn {
    private static let marker: Character = "\u{1}"

    /// The name of `column` of joined table `table` (1 for the first joined table).
    static func name(table: Int, column: String) -> String { "\(marker)\(table).\(column)" }

    /// Whether `name` names a joined column.
    static func isJoined(_ name: String) -> Bool { name.first == marker }

    /// The table position and column of a joined column's name.
    static func parts(_ name: String) -> (table: Int, column: String)? {
        guard isJoined(name), let dot = name.firstIndex(of: "."),
              let table = Int(name[name.index(after: name.startIndex)..<dot]) else { return nil }
        return (table, String(name[name.index(after: dot)...]))
    }
}

/// Binds over the rows of a join: columns of the flow table and of every joined table.
struct JoinRowBindScope: BindScope {
    let tables: JoinedTables
    /// Names the clause for "aggregate functions are not allowed in WHERE".
    let clause: String

    func column(_ name: String, table: String?, at location: SourceLocation, in binder: Binder) throws(QueryError) -> Bound {
        let index = try tables.resolve(name, table: table, at: location)
        if let joined = tables.bound(name, in: index) { return joined }
        return try RowBindScope(schema: tables.flow, clause: clause).column(name, table: nil, at: location, in: binder)
    }

    func substitute(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound? { nil }

    func aggregate(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound {
        try RowBindScope(schema: tables.flow, clause: clause).aggregate(expression, in: binder)
    }
}
