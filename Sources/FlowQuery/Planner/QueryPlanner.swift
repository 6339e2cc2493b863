import FlowModel
import FlowStore
import Foundation

/// Turns a parsed SELECT into a plan: binds names and types against the schema once, prunes
/// partitions from the catalog, derives the zone-map tests that skip segments, and says what
/// the executor computes (rows, or groups) from the rows that pass.
public struct QueryPlanner: Sendable {
    /// What the store holds of the planner's table.
    public let snapshot: StoreSnapshot
    /// The table as queries see it.
    public let schema: TableSchema
    /// Every table's part, for a query that names another table.
    let wholeSnapshot: StoreSnapshot
    let nowDate: Date
    private let today: PartitionDay
    /// Milliseconds since 1970 of "now".
    private let now: Int64
    /// The store's inventory: address ranges, owners, and the tables a query joins.
    let inventory: InventorySource?
    /// For a query with joins: its tables and how they are joined (set by `planJoin`).
    var join: JoinSpec? = nil

    /// A planner over `snapshot` (its `table` part first; a query names its own table);
    /// `now` fixes `current_date` and `current_timestamp`.
    public init(snapshot: StoreSnapshot, table: FlowTable = .vpc, now: Date = Date(), inventory: InventorySource? = nil) {
        self.inventory = inventory
        self.wholeSnapshot = snapshot
        self.snapshot = snapshot.restricted(to: table)
        self.schema = TableSchema(table: table, extraColumns: self.snapshot.extraColumns)
        self.nowDate = now
        self.now = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        self.today = PartitionDay(unixSeconds: Int64(now.timeIntervalSince1970))
    }

    /// Parses and plans `text`.
    public func plan(_ text: String) throws(QueryError) -> QueryPlan {
        try plan(QueryParser.parse(text))
    }

    /// Plans a parsed statement.
    public func plan(_ statement: SelectStatement) throws(QueryError) -> QueryPlan {
        if !statement.joins.isEmpty, join == nil { return try planJoin(statement) }
        var statement = statement
        if join == nil {
            let table = try Self.table(of: statement)
            if table != schema.table {
                return try QueryPlanner(snapshot: wholeSnapshot, table: table, now: nowDate, inventory: inventory).plan(statement)
            }
            // The parser has checked each qualifier names the one table; past here names are bare.
            statement = try Self.unqualified(statement)
        }
        let items = try selectItems(statement)
        let choices = prune(statement.filter)
        let aggregate = statement.distinct || !statement.groupBy.isEmpty || statement.having != nil
            || items.contains { !$0.expression.aggregateCalls.isEmpty }
            || statement.orderBy.contains { !$0.expression.aggregateCalls.isEmpty }
        return aggregate ? try aggregatePlan(statement, items: items, choices: choices) : try rowPlan(statement, items: items, choices: choices)
    }

    /// The flow table a statement reads (`FROM flows`, `FROM default.tgw_flow_logs`, or the
    /// one among its joined tables).
    public static func table(of statement: SelectStatement) throws(QueryError) -> FlowTable {
        for reference in [statement.from] + statement.joins.map(\.table) {
            if let table = FlowTable(queryName: reference.name.lowercased().split(separator: ".").last.map(String.init) ?? "") {
                return table
            }
        }
        let tableName = statement.from.name.lowercased().split(separator: ".").last.map(String.init) ?? ""
        guard let table = FlowTable(queryName: tableName) else {
            throw QueryError(.unknownName, "unknown table '\(statement.from.name)'", at: statement.from.location,
                             hint: "flowq's tables are vpc_flow_logs (also called flows) and tgw_flow_logs")
        }
        return table
    }

    // MARK: Select list

    struct Item {
        var expression: Expression
        var name: String
        var alias: String?
    }

    private func selectItems(_ statement: SelectStatement) throws(QueryError) -> [Item] {
        var present = Set(snapshot.partitions.flatMap(\.columns))
        if present.isEmpty { present = Set(schema.table.defaultFields.map(\.columnName)) }
        var items: [Item] = []
        for item in statement.items {
            switch item {
            case .star(let table, let at):
                if let join {
                    items += try join.starItems(table: table, flowColumns: schema.starColumns(present: present).map(\.name), at: at)
                    continue
                }
                for column in schema.starColumns(present: present) {
                    items.append(Item(expression: .column(name: column.name, quoted: false, table: nil, at: at), name: column.name))
                }
            case .expression(let expression, let alias):
                let name: String
                if let alias { name = alias } else if case .column(let column, _, _, _) = expression { name = column.lowercased() } else { name = "_col\(items.count)" }
                items.append(Item(expression: expression, name: name, alias: alias))
            }
        }
        return items
    }

    // MARK: Pruning

    private func prune(_ filter: Expression?) -> [PartitionChoice] {
        let pruner = PartitionPruner(fold: fold)
        return snapshot.partitions.map { partition in
            guard let filter else { return PartitionChoice(partition: partition, kept: true, reason: nil) }
            let (coverage, because) = pruner.coverage(of: filter, on: partition)
            if coverage == .noRows {
                return PartitionChoice(partition: partition, kept: false, reason: "\(because?.text ?? "WHERE") cannot hold for \(partition.day.isoText)")
            }
            return PartitionChoice(partition: partition, kept: true, reason: nil)
        }
    }

    /// The value of a constant expression, if it is one.
    private func fold(_ expression: Expression) -> Bound? {
        guard let bound = try? binder(ConstantBindScope()).bind(expression), bound.constant != nil else { return nil }
        return bound
    }

    /// The scope of the rows: the flow table's, or every joined table's.
    func rowScope(_ clause: String) -> BindScope {
        if let join { return JoinRowBindScope(tables: join.tables, clause: clause) }
        return RowBindScope(schema: schema, clause: clause)
    }

    /// Whether `name` is a column of any table the query reads.
    func hasColumn(_ name: String) -> Bool {
        if let join { return join.tables.tables.indices.contains { join.tables.has(name, in: $0) } }
        return schema.column(named: name) != nil
    }

    func binder(_ scope: BindScope) -> Binder {
        Binder(scope: scope, today: today, now: now, inventory: inventory)
    }

    /// Binds WHERE, split at its top-level ANDs (each conjunct checked as a condition).
    func bindFilter(_ filter: Expression?) throws(QueryError) -> (bound: [Bound], texts: [String]) {
        guard let filter else { return ([], []) }
        let rows = binder(rowScope("WHERE"))
        // The whole condition first, so its type errors point where the user wrote them.
        _ = try rows.condition(filter, clause: "WHERE")
        var bound: [Bound] = []
        var texts: [String] = []
        for conjunct in Self.conjuncts(filter) {
            let b = try rows.condition(conjunct, clause: "WHERE")
            if case .int(let v)? = b.constant, v != 0 { continue }
            bound.append(b)
            texts.append(conjunct.text)
        }
        return (bound, texts)
    }

    /// Visibility and the parts every plan shares.
    func makePlan(columns: [ResultColumn], choices: [PartitionChoice], filter: (bound: [Bound], texts: [String]),
                          shape: QueryShape, reads: Set<String>) throws(QueryError) -> QueryPlan {
        var plan = QueryPlan(table: schema.table, columns: columns, partitions: choices, filter: filter.bound, filterTexts: filter.texts,
                             zonePredicates: ZonePredicates.derive(filter.bound, texts: filter.texts), shape: shape,
                             neededColumns: reads.filter { !JoinedColumn.isJoined($0) }.sorted(), fileWatermark: snapshot.fileWatermark,
                             unfinishedFileIDs: Set(snapshot.unfinishedFileIDs), lease: snapshot.lease)
        if let join {
            let joined = try bindJoin(join, reads: reads)
            plan.join = joined
            // The flow columns the joins read (keys, checks on the joined rows) are read too.
            var all = Set(plan.neededColumns)
            for b in joined.steps.flatMap({ $0.probeKeys + $0.residual }) + joined.after { all.formUnion(b.columns) }
            plan.neededColumns = all.filter { !JoinedColumn.isJoined($0) }.sorted()
        }
        return plan
    }

    // MARK: Plain queries

    private func rowPlan(_ statement: SelectStatement, items: [Item], choices: [PartitionChoice]) throws(QueryError) -> QueryPlan {
        let rows = binder(rowScope("a query without GROUP BY"))
        var outputs: [Bound] = []
        var columns: [ResultColumn] = []
        for item in items {
            let b = try rows.bind(item.expression)
            outputs.append(b)
            columns.append(ResultColumn(name: item.name, type: b.type == .unknown ? .varchar : b.type, isQuantity: Self.isQuantity(item.expression)))
        }
        var order: [SortKey] = []
        for item in statement.orderBy {
            let expression: Bound
            switch try resolveOrder(item, items: items) {
            case .output(let index): expression = outputs[index]
            case .expression(let e): expression = try rows.bind(e)
            }
            order.append(SortKey(expression: expression, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false))
        }
        let filter = try bindFilter(statement.filter)
        var reads = Set<String>()
        for b in outputs + order.map(\.expression) + filter.bound { reads.formUnion(b.columns) }
        return try makePlan(columns: columns, choices: choices, filter: filter, shape: .rows(outputs: outputs, order: order, limit: statement.limit), reads: reads)
    }

    // MARK: Aggregate queries

    private func aggregatePlan(_ statement: SelectStatement, items: [Item], choices: [PartitionChoice]) throws(QueryError) -> QueryPlan {
        // GROUP BY keys (SELECT DISTINCT without aggregates groups by the whole select list).
        var keys: [Expression] = []
        for expression in statement.groupBy { keys.append(try resolveGroupKey(expression, items: items)) }
        let hasAggregates = items.contains { !$0.expression.aggregateCalls.isEmpty } || statement.having != nil
            || statement.orderBy.contains { !$0.expression.aggregateCalls.isEmpty }
        let distinctOutputs = statement.distinct && (hasAggregates || !statement.groupBy.isEmpty)
        if statement.distinct && !distinctOutputs {
            for item in items where !keys.contains(where: { $0.fingerprint == item.expression.fingerprint }) { keys.append(item.expression) }
        }
        for key in keys where !key.aggregateCalls.isEmpty {
            throw QueryError(.syntax, "GROUP BY cannot contain aggregate functions", at: key.location)
        }
        let rows = binder(rowScope("GROUP BY"))
        var groupKeys: [GroupBindScope.Key] = []
        var boundKeys: [Bound] = []
        for key in keys {
            let b = try rows.bind(key)
            boundKeys.append(b)
            var column: String? = nil
            if case .column(let name, _, let table, _) = key { column = GroupBindScope.Key.columnName(name, table: table) }
            groupKeys.append(GroupBindScope.Key(fingerprint: key.fingerprint, bound: b, columnName: column))
        }
        // Every aggregate the select list, HAVING and ORDER BY use, once each.
        var calls: [Expression] = []
        var seen = Set<String>()
        var sources = items.map(\.expression) + (statement.having.map { [$0] } ?? [])
        for order in statement.orderBy {
            if case .expression(let e) = try resolveOrder(order, items: items) { sources.append(e) }
        }
        for call in sources.flatMap(\.aggregateCalls) where seen.insert(call.fingerprint).inserted { calls.append(call) }
        let argumentBinder = binder(rowScope("an aggregate's argument"))
        var specs: [AggregateSpec] = []
        var aggregates: [String: (index: Int, bound: Bound)] = [:]
        for call in calls {
            let spec = try AggregateFunctions.bind(call, binder: argumentBinder)
            aggregates[call.fingerprint] = (specs.count, Bound(.aggregate(specs.count), type: spec.type, form: spec.form))
            specs.append(spec)
        }
        let groups = binder(GroupBindScope(keys: groupKeys, aggregates: aggregates, rows: rowScope("GROUP BY")))
        var outputs: [Bound] = []
        var columns: [ResultColumn] = []
        for item in items {
            let b = try groups.bind(item.expression)
            outputs.append(b)
            columns.append(ResultColumn(name: item.name, type: b.type == .unknown ? .varchar : b.type, isQuantity: Self.isQuantity(item.expression)))
        }
        let having = try statement.having.map { e throws(QueryError) in try groups.condition(e, clause: "HAVING") }
        var order: [SortKey] = []
        for item in statement.orderBy {
            let expression: Bound
            switch try resolveOrder(item, items: items) {
            case .output(let index): expression = outputs[index]
            case .expression(let e): expression = try groups.bind(e)
            }
            order.append(SortKey(expression: expression, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false))
        }
        let filter = try bindFilter(statement.filter)
        var reads = Set<String>()
        for b in boundKeys + specs.compactMap(\.argument) + filter.bound { reads.formUnion(b.columns) }
        let plan = AggregatePlan(keys: boundKeys, keyTexts: keys.map(\.text), aggregates: specs, outputs: outputs, having: having,
                                 order: order, limit: statement.limit, distinctOutputs: distinctOutputs)
        return try makePlan(columns: columns, choices: choices, filter: filter, shape: .aggregate(plan), reads: reads)
    }

    /// The top-level AND terms of a condition.
    static func conjuncts(_ e: Expression) -> [Expression] {
        var result: [Expression] = []
        var stack = [e]
        while let next = stack.popLast() {
            if case .binary(.and, let l, let r, _) = next { stack.append(r); stack.append(l) } else { result.append(next) }
        }
        return result
    }


    /// What an ORDER BY item names: a select-list entry, or an expression of its own.
    enum OrderTarget {
        case output(Int)
        case expression(Expression)
    }

    /// ORDER BY 2, ORDER BY alias, or an expression.
    private func resolveOrder(_ order: OrderItem, items: [Item]) throws(QueryError) -> OrderTarget {
        if case .integer(let position, let at) = order.expression {
            guard position >= 1, position <= Int64(items.count) else {
                throw QueryError(.syntax, "ORDER BY position \(position) is not in the select list (1 to \(items.count))", at: at)
            }
            return .output(Int(position - 1))
        }
        if case .column(let name, _, _, _) = order.expression,
           let index = items.firstIndex(where: { $0.name.lowercased() == name.lowercased() && ($0.alias != nil || !hasColumn(name) || $0.expression.fingerprint == order.expression.fingerprint) }) {
            return .output(index)
        }
        if let index = items.firstIndex(where: { $0.expression.fingerprint == order.expression.fingerprint }) {
            return .output(index)
        }
        return .expression(order.expression)
    }

    /// GROUP BY 1, GROUP BY alias (when no column has that name), or an expression.
    private func resolveGroupKey(_ expression: Expression, items: [Item]) throws(QueryError) -> Expression {
        if case .integer(let position, let at) = expression {
            guard position >= 1, position <= Int64(items.count) else {
                throw QueryError(.syntax, "GROUP BY position \(position) is not in the select list (1 to \(items.count))", at: at)
            }
            return items[Int(position - 1)].expression
        }
        if case .column(let name, _, nil, _) = expression, !hasColumn(name),
           let item = items.first(where: { $0.alias?.lowercased() == name.lowercased() }) {
            return item.expression
        }
        return expression
    }

    /// Whether a select item is a quantity: anything computed, or the packets and bytes fields.
    static func isQuantity(_ expression: Expression) -> Bool {
        if case .column(let name, _, _, _) = expression { return ["packets", "bytes"].contains(name.lowercased()) }
        if case .function(let name, _, _, _, _) = expression {
            return ["count", "sum", "avg", "approx_distinct", "count_if", "min", "max"].contains(name)
        }
        return false
    }

    /// `key DESC NULLS LAST`; Trino puts NULLs last unless told otherwise.
    private static func orderTerm(_ key: String, _ order: OrderItem) -> String {
        "\(key) \(order.ascending ? "ASC" : "DESC") NULLS \(order.nullsFirst == true ? "FIRST" : "LAST")"
    }
}

/// Folds constants: any column reference makes an expression non-constant.
private struct ConstantBindScope: BindScope {
    func column(_ name: String, table: String?, at location: SourceLocation, in binder: Binder) throws(QueryError) -> Bound {
        throw QueryError(.unknownName, "not a constant", at: location)
    }
    func substitute(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound? { nil }
    func aggregate(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound {
        throw QueryError(.syntax, "not a constant", at: expression.location)
    }
}
