import FlowInventory
import FlowModel

/// A query's joins as planned before binding: the tables in the order they are joined, and
/// which conditions become hash keys, build-side filters and checks on the joined rows.
struct JoinSpec: Sendable {
    /// One inventory table joined to what comes before it.
    struct Step: Sendable {
        var kind: JoinClause.Kind
        /// Position of the table in `tables` (1 for the first joined table).
        var table: Int
        /// `probe = build` equalities: the probe side reads earlier tables, the build side this one.
        var keys: [(probe: Expression, build: Expression)]
        /// Conditions on this table alone, applied to its rows before the join.
        var buildFilter: [Expression]
        /// The other conditions of a LEFT JOIN's ON: a flow row whose matches all fail them is
        /// kept with this table's columns NULL.
        var residual: [Expression]
        var location: SourceLocation
    }

    var tables: JoinedTables
    var steps: [Step]
    /// Conditions checked on the joined rows (WHERE and inner ON conditions over several tables).
    var after: [Expression]

    /// The select items `*` or `t.*` stand for.
    func starItems(table: String?, flowColumns: [String], at: SourceLocation) throws(QueryError) -> [QueryPlanner.Item] {
        var indexes = Array(tables.tables.indices)
        if let table {
            guard let index = tables.index(ofQualifier: table) else {
                throw QueryError(.unknownName, "unknown table or alias '\(table)'", at: at)
            }
            indexes = [index]
        }
        // `*` lists the tables in the order the query wrote them.
        indexes.sort { tables.tables[$0].reference.location.offset < tables.tables[$1].reference.location.offset }
        var items: [QueryPlanner.Item] = []
        for index in indexes {
            let entry = tables.tables[index]
            let names = entry.inventory?.queryColumns.map(\.name) ?? flowColumns
            for name in names {
                items.append(QueryPlanner.Item(expression: .column(name: name, quoted: false, table: entry.qualifier, at: at), name: name))
            }
        }
        return items
    }
}

extension QueryPlanner {
    /// Plans a statement with joins: the flow table is scanned as in any query; each inventory
    /// table becomes a hash table its rows probe.
    func planJoin(_ statement: SelectStatement) throws(QueryError) -> QueryPlan {
        let references = [statement.from] + statement.joins.map(\.table)
        var flow: (index: Int, table: FlowTable)? = nil
        var inventories: [Int: InventoryTableSchema] = [:]
        for (index, reference) in references.enumerated() {
            let name = reference.name.lowercased().split(separator: ".").last.map(String.init) ?? ""
            if let table = FlowTable(queryName: name) {
                if flow != nil {
                    throw QueryError(.unsupported, "a query joins one flow-log table with inventory tables; two flow-log tables are not supported",
                                     at: reference.location)
                }
                flow = (index, table)
            } else if let table = InventoryTableSchema.named(name) {
                inventories[index] = table
            } else {
                throw QueryError(.unknownName, "unknown table '\(reference.name)'", at: reference.location,
                                 hint: "flowq's tables are vpc_flow_logs and tgw_flow_logs, and the inventory's "
                                     + InventoryTableSchema.all.map(\.name).joined(separator: ", "))
            }
        }
        guard let flow else {
            throw QueryError(.unsupported, "a join needs a flow-log table (vpc_flow_logs or tgw_flow_logs): flowq scans it and looks each row up in the inventory",
                             at: statement.from.location)
        }
        if flow.table != schema.table {
            return try QueryPlanner(snapshot: wholeSnapshot, table: flow.table, now: nowDate, inventory: inventory).planJoin(statement)
        }
        if let left = statement.joins.first(where: { $0.kind == .left }), flow.index != 0 {
            throw QueryError(.unsupported, "LEFT JOIN keeps every row of the tables before it; put the flow-log table first (FROM vpc_flow_logs f LEFT JOIN ...)",
                             at: left.location)
        }
        if let left = statement.joins.first(where: { $0.kind == .left && $0.table.location == references[flow.index].location }) {
            throw QueryError(.unsupported, "LEFT JOIN of the flow-log table is not supported; write FROM vpc_flow_logs ... LEFT JOIN the inventory table",
                             at: left.location)
        }

        // Name every table, resolve every column to one of them, and qualify it so.
        var provisional = JoinedTables(flow: schema, reference: references[flow.index])
        for index in references.indices where index != flow.index {
            try provisional.append(references[index], inventory: inventories[index]!)
        }
        let qualified = try Self.qualified(statement, in: provisional)

        // Conditions, each with the tables it reads.
        struct Condition {
            var expression: Expression
            var tables: Set<String>
        }
        func tablesOf(_ e: Expression) -> Set<String> { Set(e.columnQualifiers.compactMap { $0 }) }
        let flowName = provisional.tables[0].qualifier
        var pool: [Condition] = []        // WHERE and inner ON conditions
        var pre: [Expression] = []        // on the flow table alone (or constant)
        var ons: [String: (clause: JoinClause, conditions: [Condition])] = [:]
        for conjunct in qualified.filter.map(Self.conjuncts) ?? [] {
            pool.append(Condition(expression: conjunct, tables: tablesOf(conjunct)))
        }
        for clause in qualified.joins {
            let conditions = Self.conjuncts(clause.condition).map { Condition(expression: $0, tables: tablesOf($0)) }
            if clause.kind == .inner {
                pool += conditions
            } else {
                ons[provisional.qualifier(of: clause.table)] = (clause, conditions)
            }
        }
        pool.removeAll { condition in
            guard condition.tables.isSubset(of: [flowName]) else { return false }
            pre.append(condition.expression)
            return true
        }

        // Join order: written order (the flow table first); an inner join whose keys need a
        // table joined later waits for it.
        var joined: Set<String> = [flowName]
        var remaining = references.indices.filter { $0 != flow.index }.map { (index: $0, qualifier: provisional.qualifier(of: references[$0])) }
        var tables = JoinedTables(flow: schema, reference: references[flow.index])
        var steps: [JoinSpec.Step] = []
        while !remaining.isEmpty {
            var chosen: Int? = nil
            for (position, candidate) in remaining.enumerated() {
                let isLeft = ons[candidate.qualifier] != nil
                let conditions = isLeft ? ons[candidate.qualifier]!.conditions : pool
                let hasKey = conditions.contains { Self.keyPair($0.expression, table: candidate.qualifier, joined: joined, tables: tablesOf) != nil }
                if hasKey { chosen = position; break }
                // A LEFT JOIN keeps its place: everything before it must already be joined.
                if isLeft { break }
            }
            guard let position = chosen else {
                let next = remaining[0]
                let clause = qualified.joins.first { provisional.qualifier(of: $0.table) == next.qualifier }
                throw QueryError(.unsupported, "JOIN \(references[next.index].name) needs an equality in ON between one of its columns and the tables before it (flowq runs hash joins)",
                                 at: clause?.location ?? references[next.index].location)
            }
            let next = remaining.remove(at: position)
            try tables.append(references[next.index], inventory: inventories[next.index]!)
            let tableIndex = tables.tables.count - 1
            let clause = qualified.joins.first { provisional.qualifier(of: $0.table) == next.qualifier }
            var step = JoinSpec.Step(kind: clause?.kind ?? .inner, table: tableIndex, keys: [], buildFilter: [], residual: [],
                                     location: clause?.location ?? references[next.index].location)
            if let left = ons[next.qualifier] {
                for condition in left.conditions {
                    if let pair = Self.keyPair(condition.expression, table: next.qualifier, joined: joined, tables: tablesOf) {
                        step.keys.append(pair)
                    } else if condition.tables == [next.qualifier] {
                        step.buildFilter.append(condition.expression)
                    } else {
                        step.residual.append(condition.expression)
                    }
                }
            } else {
                pool.removeAll { condition in
                    if let pair = Self.keyPair(condition.expression, table: next.qualifier, joined: joined, tables: tablesOf) {
                        step.keys.append(pair)
                        return true
                    }
                    if condition.tables == [next.qualifier] {
                        step.buildFilter.append(condition.expression)
                        return true
                    }
                    return false
                }
            }
            joined.insert(next.qualifier)
            steps.append(step)
        }

        var planner = self
        planner.join = JoinSpec(tables: tables, steps: steps, after: pool.map(\.expression))
        var flowOnly = qualified
        flowOnly.filter = pre.isEmpty ? nil : pre.dropFirst().reduce(pre[0]) { .binary(.and, $0, $1, at: $1.location) }
        return try planner.plan(flowOnly)
    }

    /// `probe = build` when `e` is an equality between an expression of table `table` alone and
    /// one of tables already joined.
    static func keyPair(_ e: Expression, table: String, joined: Set<String>, tables: (Expression) -> Set<String>)
        -> (probe: Expression, build: Expression)? {
        guard case .binary(.equal, let left, let right, _) = e else { return nil }
        let l = tables(left), r = tables(right)
        if r == [table], !l.isEmpty, l.isSubset(of: joined) { return (left, right) }
        if l == [table], !r.isEmpty, r.isSubset(of: joined) { return (right, left) }
        return nil
    }

    /// The statement with every column qualified by the table it reads.
    static func qualified(_ statement: SelectStatement, in tables: JoinedTables) throws(QueryError) -> SelectStatement {
        // GROUP BY and ORDER BY may name a select item's alias instead of a column.
        var aliases = Set<String>()
        for case .expression(_, let alias?) in statement.items { aliases.insert(alias.lowercased()) }
        func qualify(_ e: Expression) throws(QueryError) -> Expression {
            if case .column(let name, _, nil, _) = e, aliases.contains(name.lowercased()),
               !tables.tables.indices.contains(where: { tables.has(name, in: $0) }) {
                return e
            }
            return try e.mappingColumns { name, quoted, table, at throws(QueryError) in
                let index = try tables.resolve(name, table: table, at: at)
                return .column(name: name, quoted: quoted, table: tables.tables[index].qualifier, at: at)
            }
        }
        return try statement.mappingExpressions(qualify)
    }

    /// The statement with column qualifiers dropped (a query of one table).
    static func unqualified(_ statement: SelectStatement) throws(QueryError) -> SelectStatement {
        try statement.mappingExpressions { e throws(QueryError) in
            try e.mappingColumns { name, quoted, _, at throws(QueryError) in .column(name: name, quoted: quoted, table: nil, at: at) }
        }
    }
}

extension JoinedTables {
    /// The qualifier a table reference is known by.
    func qualifier(of reference: TableReference) -> String {
        if let alias = reference.alias { return alias.lowercased() }
        let full = reference.name.lowercased()
        return String(full.split(separator: ".").last ?? Substring(full))
    }
}

extension SelectStatement {
    /// The statement with `transform` applied to every expression (select list, ON, WHERE,
    /// GROUP BY, HAVING, ORDER BY).
    func mappingExpressions(_ transform: (Expression) throws(QueryError) -> Expression) throws(QueryError) -> SelectStatement {
        var copy = self
        copy.items = []
        for item in items {
            switch item {
            case .star: copy.items.append(item)
            case .expression(let e, let alias): copy.items.append(.expression(try transform(e), alias: alias))
            }
        }
        copy.joins = []
        for join in joins {
            var mapped = join
            mapped.condition = try transform(join.condition)
            copy.joins.append(mapped)
        }
        copy.filter = try filter.map { e throws(QueryError) in try transform(e) }
        copy.groupBy = []
        for e in groupBy { copy.groupBy.append(try transform(e)) }
        copy.having = try having.map { e throws(QueryError) in try transform(e) }
        copy.orderBy = []
        for item in orderBy {
            var mapped = item
            mapped.expression = try transform(item.expression)
            copy.orderBy.append(mapped)
        }
        return copy
    }
}

/// A statement with joins as another engine's writer needs it: every column qualified by the
/// table it reads, which qualifier is the flow table, and the inventory table each other
/// qualifier names.
package struct JoinedStatement: Sendable {
    /// The statement, each column reference qualified.
    package let statement: SelectStatement
    /// The flow table's qualifier (its alias, else its name).
    package let flowQualifier: String
    /// Inventory tables by qualifier.
    package let inventory: [String: InventoryTableSchema]
    /// Facts of expressions over the joined rows.
    package let types: TypeOracle
}

extension QueryPlanner {
    /// The joined form of a statement with joins (nil without joins); names are resolved as
    /// flowq resolves them, so an ambiguous or unknown column fails here.
    package static func joined(_ statement: SelectStatement, flowTable: FlowTable) throws(QueryError) -> JoinedStatement? {
        guard !statement.joins.isEmpty else { return nil }
        let references = [statement.from] + statement.joins.map(\.table)
        let schema = TableSchema(table: flowTable)
        guard let flowReference = references.first(where: { FlowTable(queryName: Self.lastName($0)) != nil }) else {
            throw QueryError(.unsupported, "a join needs a flow-log table", at: statement.from.location)
        }
        var tables = JoinedTables(flow: schema, reference: flowReference)
        var inventory: [String: InventoryTableSchema] = [:]
        for reference in references where reference.location != flowReference.location {
            guard let table = InventoryTableSchema.named(Self.lastName(reference)) else {
                throw QueryError(.unknownName, "unknown table '\(reference.name)'", at: reference.location)
            }
            try tables.append(reference, inventory: table)
            inventory[tables.qualifier(of: reference)] = table
        }
        return JoinedStatement(statement: try qualified(statement, in: tables), flowQualifier: tables.tables[0].qualifier,
                               inventory: inventory, types: TypeOracle(tables: tables))
    }

    private static func lastName(_ reference: TableReference) -> String {
        reference.name.lowercased().split(separator: ".").last.map(String.init) ?? ""
    }
}
