import FlowIngest
import Foundation

/// Turns a parsed SELECT into a plan: checks names and types against the schema, prunes
/// partitions from the catalog, writes each kept partition's SQLite query, and the merge.
///
/// Plain queries stream rows partition by partition (oldest first) and stop at the LIMIT;
/// ordered queries push ORDER BY ... LIMIT into every partition and sort the survivors once;
/// aggregate queries compute partial aggregates per partition and merge them exactly.
public struct QueryPlanner: Sendable {
    /// What the store holds.
    public let snapshot: StoreSnapshot
    /// The table as queries see it.
    public let schema: TableSchema
    private let today: PartitionDay
    private let now: Double

    /// A planner over `snapshot`; `now` fixes `current_date` and `current_timestamp`.
    public init(snapshot: StoreSnapshot, now: Date = Date()) {
        self.snapshot = snapshot
        self.schema = TableSchema(extraColumns: snapshot.extraColumns)
        self.now = now.timeIntervalSince1970
        self.today = PartitionDay(unixSeconds: Int64(now.timeIntervalSince1970))
    }

    /// Parses and plans `text`.
    public func plan(_ text: String) throws(QueryError) -> QueryPlan {
        try plan(QueryParser.parse(text))
    }

    /// Plans a parsed statement.
    public func plan(_ statement: SelectStatement) throws(QueryError) -> QueryPlan {
        let tableName = statement.from.name.lowercased().split(separator: ".").last.map(String.init) ?? ""
        guard TableSchema.tableNames.contains(tableName) else {
            throw QueryError(.unknownName, "unknown table '\(statement.from.name)'", at: statement.from.location,
                             hint: "flowq's table is vpc_flow_logs (also called flows)")
        }
        let items = selectItems(statement)
        let choices = prune(statement.filter)
        let kept = choices.filter(\.kept).map(\.partition)
        let aggregate = statement.distinct || !statement.groupBy.isEmpty || statement.having != nil
            || items.contains { !$0.expression.aggregateCalls.isEmpty }
            || statement.orderBy.contains { !$0.expression.aggregateCalls.isEmpty }
        var plan = aggregate ? try aggregatePlan(statement, items: items, choices: choices, kept: kept)
                             : try rowPlan(statement, items: items, choices: choices, kept: kept)
        plan.lease = snapshot.lease
        return plan
    }

    // MARK: Select list

    struct Item {
        var expression: Expression
        var name: String
        var alias: String?
    }

    private func selectItems(_ statement: SelectStatement) -> [Item] {
        var present = Set(snapshot.partitions.flatMap(\.columns))
        if present.isEmpty { present = Set(SampleLayout.defaultFields.map(\.columnName)) }
        var items: [Item] = []
        for item in statement.items {
            switch item {
            case .star(let at):
                for column in schema.starColumns(present: present) {
                    items.append(Item(expression: .column(name: column.name, quoted: false, at: at), name: column.name))
                }
            case .expression(let expression, let alias):
                let name: String
                if let alias { name = alias } else if case .column(let column, _, _) = expression { name = column.lowercased() } else { name = "_col\(items.count)" }
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
    private func fold(_ expression: Expression) -> Constant? {
        let compiler = ExpressionCompiler(builder: SQLBuilder(), scope: ConstantScope(), today: today, now: now)
        return try? compiler.compile(expression).constant
    }

    // MARK: Plain queries

    private func rowPlan(_ statement: SelectStatement, items: [Item], choices: [PartitionChoice], kept: [PartitionInfo]) throws(QueryError) -> QueryPlan {
        let ordered = !statement.orderBy.isEmpty
        var columns: [ResultColumn] = []
        var queries: [PartitionQuery] = []
        var sortKeyCount = 0
        // Plan once over every column (for errors and types), then once per kept partition.
        for partition in [nil] + kept.map(Optional.some) {
            let builder = SQLBuilder()
            let scope = RowScope(schema: schema, presentColumns: partition.map { Set($0.columns) }, clause: "a query without GROUP BY")
            let compiler = ExpressionCompiler(builder: builder, scope: scope, today: today, now: now)
            var select: [String] = []
            var types: [ResultColumn] = []
            for (index, item) in items.enumerated() {
                let compiled = compiler.displayed(try compiler.compile(item.expression))
                select.append("\(compiled.sql) AS c\(index)")
                types.append(ResultColumn(name: item.name, type: compiled.type, isQuantity: Self.isQuantity(item.expression)))
            }
            var orderTerms: [String] = []
            for (index, order) in statement.orderBy.enumerated() {
                let key: String
                switch try resolveOrder(order, items: items) {
                case .output(let i): key = "c\(i)"
                case .expression(let e):
                    select.append("\(compiler.decoded(try compiler.compile(e)).sql) AS o\(index)")
                    key = "o\(index)"
                }
                orderTerms.append(Self.orderTerm(key, order))
            }
            let whereSQL = try whereClause(statement.filter, builder: builder, scope: RowScope(schema: schema, presentColumns: scope.presentColumns, clause: "WHERE"), partition: partition)
            var sql = "SELECT \(select.joined(separator: ", ")) FROM flows WHERE \(whereSQL)"
            if ordered, statement.limit != nil { sql += " ORDER BY \(orderTerms.joined(separator: ", "))" }
            if let limit = statement.limit { sql += " LIMIT \(limit)" }
            if let partition {
                queries.append(PartitionQuery(day: partition.day, sql: sql, bindings: builder.bindings.map { $0.resolved(for: partition.day) },
                                              dayParameters: builder.dayParameters))
            } else {
                columns = types
                sortKeyCount = select.count
            }
        }
        guard ordered else {
            return QueryPlan(columns: columns, partitions: choices, partitionQueries: queries, merge: .stream(limit: statement.limit))
        }
        // Ordered: sort what the partitions sent (each already cut to its own top LIMIT).
        var orderTerms: [String] = []
        for (index, order) in statement.orderBy.enumerated() {
            switch try resolveOrder(order, items: items) {
            case .output(let i): orderTerms.append(Self.orderTerm("c\(i)", order))
            case .expression: orderTerms.append(Self.orderTerm("o\(index)", order))
            }
        }
        let partialColumns = (0..<items.count).map { "c\($0)" } + statement.orderBy.indices.compactMap { index -> String? in
            if case .expression = try? resolveOrder(statement.orderBy[index], items: items) { return "o\(index)" }
            return nil
        }
        precondition(partialColumns.count == sortKeyCount, "partition rows and the merge table must have the same columns")
        var sql = "SELECT \((0..<items.count).map { "c\($0)" }.joined(separator: ", ")) FROM partials ORDER BY \(orderTerms.joined(separator: ", "))"
        if let limit = statement.limit { sql += " LIMIT \(limit)" }
        return QueryPlan(columns: columns, partitions: choices, partitionQueries: queries, merge: .merge(columns: partialColumns, sql: sql, bindings: []))
    }

    // MARK: Aggregate queries

    private func aggregatePlan(_ statement: SelectStatement, items: [Item], choices: [PartitionChoice], kept: [PartitionInfo]) throws(QueryError) -> QueryPlan {
        // GROUP BY keys (SELECT DISTINCT groups by the whole select list).
        var keys: [Expression] = []
        for expression in statement.groupBy { keys.append(try resolveGroupKey(expression, items: items)) }
        if statement.distinct {
            for item in items where !item.expression.aggregateCalls.isEmpty {
                throw QueryError(.unsupported, "SELECT DISTINCT with aggregate functions is not supported", at: item.expression.location)
            }
            for item in items where !keys.contains(where: { $0.fingerprint == item.expression.fingerprint }) { keys.append(item.expression) }
        }
        for key in keys where !key.aggregateCalls.isEmpty {
            throw QueryError(.syntax, "GROUP BY cannot contain aggregate functions", at: key.location)
        }
        // Every aggregate the select list, HAVING and ORDER BY use, once each.
        var calls: [Expression] = []
        var seen = Set<String>()
        var sources = items.map(\.expression) + (statement.having.map { [$0] } ?? [])
        for order in statement.orderBy {
            if case .expression(let e) = try resolveOrder(order, items: items) { sources.append(e) }
        }
        for call in sources.flatMap(\.aggregateCalls) where seen.insert(call.fingerprint).inserted { calls.append(call) }

        var queries: [PartitionQuery] = []
        var mergeKeys: [MergeScope.Key] = []
        var merged: [String: Compiled] = [:]
        var partialColumns: [String] = []
        for partition in [nil] + kept.map(Optional.some) {
            let builder = SQLBuilder()
            let present = partition.map { Set($0.columns) }
            let compiler = ExpressionCompiler(builder: builder, scope: RowScope(schema: schema, presentColumns: present, clause: "GROUP BY"), today: today, now: now)
            var select: [String] = []
            var names: [String] = []
            var keyCompiled: [Compiled] = []
            for (index, key) in keys.enumerated() {
                var compiled = try compiler.compile(key)
                // Dictionary ids are the partition's own: group by the text they stand for.
                if compiled.encoding == .dictionary { compiled = compiler.decoded(compiled) }
                keyCompiled.append(compiled)
                select.append("\(compiled.sql) AS k\(index)")
                names.append("k\(index)")
            }
            var plans: [AggregateFunction] = []
            for (index, call) in calls.enumerated() {
                let plan = try AggregateFunction.plan(call, compiler: ExpressionCompiler(
                    builder: builder, scope: RowScope(schema: schema, presentColumns: present, clause: "an aggregate's argument"), today: today, now: now))
                plans.append(plan)
                for (part, sql) in plan.partials.enumerated() {
                    select.append("\(sql) AS a\(index)_\(part)")
                    names.append("a\(index)_\(part)")
                }
            }
            let whereSQL = try whereClause(statement.filter, builder: builder, scope: RowScope(schema: schema, presentColumns: present, clause: "WHERE"), partition: partition)
            var sql = "SELECT \(select.joined(separator: ", ")) FROM flows WHERE \(whereSQL)"
            if !keys.isEmpty { sql += " GROUP BY \(names.prefix(keys.count).joined(separator: ", "))" }
            if let partition {
                queries.append(PartitionQuery(day: partition.day, sql: sql, bindings: builder.bindings.map { $0.resolved(for: partition.day) },
                                              dayParameters: builder.dayParameters))
            } else {
                partialColumns = names
                for (index, key) in keys.enumerated() {
                    var column: String? = nil
                    if case .column(let name, _, _) = key { column = name.lowercased() }
                    let c = keyCompiled[index]
                    mergeKeys.append(MergeScope.Key(
                        fingerprint: key.fingerprint, column: "k\(index)",
                        compiled: Compiled(sql: "k\(index)", type: c.type, encoding: c.encoding, isPartitionDay: c.isPartitionDay),
                        columnName: column))
                }
                for (index, plan) in plans.enumerated() {
                    let parts = plan.partials.indices.map { "a\(index)_\($0)" }
                    merged[calls[index].fingerprint] = Compiled(sql: plan.merge(parts), type: plan.type)
                }
            }
        }

        // The merge over all partitions' partial rows.
        let builder = SQLBuilder()
        let scope = MergeScope(keys: mergeKeys, aggregates: merged, schema: schema)
        let compiler = ExpressionCompiler(builder: builder, scope: scope, today: today, now: now)
        var select: [String] = []
        var columns: [ResultColumn] = []
        for (index, item) in items.enumerated() {
            let compiled = compiler.displayed(try compiler.compile(item.expression))
            select.append("\(compiled.sql) AS c\(index)")
            columns.append(ResultColumn(name: item.name, type: compiled.type, isQuantity: Self.isQuantity(item.expression)))
        }
        var sql = "SELECT \(select.joined(separator: ", ")) FROM partials"
        if !keys.isEmpty { sql += " GROUP BY \((0..<keys.count).map { "k\($0)" }.joined(separator: ", "))" }
        if let having = statement.having {
            sql += " HAVING \(try compiler.condition(having, clause: "HAVING").sql)"
        }
        if !statement.orderBy.isEmpty {
            var terms: [String] = []
            for order in statement.orderBy {
                switch try resolveOrder(order, items: items) {
                case .output(let i): terms.append(Self.orderTerm("c\(i)", order))
                case .expression(let e): terms.append(Self.orderTerm(compiler.decoded(try compiler.compile(e)).sql, order))
                }
            }
            sql += " ORDER BY \(terms.joined(separator: ", "))"
        }
        if let limit = statement.limit { sql += " LIMIT \(limit)" }
        let bindings = builder.bindings.map { $0.resolved(for: nil) }
        return QueryPlan(columns: columns, partitions: choices, partitionQueries: queries,
                         merge: .merge(columns: partialColumns, sql: sql, bindings: bindings))
    }

    // MARK: Shared pieces

    /// WHERE with the visibility rule: only rows of files whose ingest finished.
    ///
    /// On a partition, conjuncts the catalog proves true for every row (`date = DATE '...'` on
    /// that day, a `start` range that covers it) are left out: SQLite need not test them.
    private func whereClause(_ filter: Expression?, builder: SQLBuilder, scope: RowScope, partition: PartitionInfo?) throws(QueryError) -> String {
        var terms: [String] = []
        if let filter {
            let compiler = ExpressionCompiler(builder: builder, scope: scope, today: today, now: now)
            // Type-check the whole condition once, whatever is dropped below.
            let whole = try compiler.condition(filter, clause: "WHERE")
            if let partition {
                let pruner = PartitionPruner(fold: fold)
                let kept = Self.conjuncts(filter).filter { pruner.coverage(of: $0, on: partition).0 != .allRows }
                for conjunct in kept { terms.append(try compiler.condition(conjunct, clause: "WHERE").sql) }
            } else {
                terms.append(whole.sql)
            }
        }
        terms.append("file_id <= \(builder.value(.integer(snapshot.fileWatermark)))")
        if !snapshot.unfinishedFileIDs.isEmpty {
            terms.append("file_id NOT IN (\(snapshot.unfinishedFileIDs.map { builder.value(.integer($0)) }.joined(separator: ", ")))")
        }
        return terms.joined(separator: " AND ")
    }

    /// The top-level AND terms of a condition.
    private static func conjuncts(_ e: Expression) -> [Expression] {
        if case .binary(.and, let l, let r, _) = e { return conjuncts(l) + conjuncts(r) }
        return [e]
    }

    enum SortKey {
        case output(Int)
        case expression(Expression)
    }

    /// ORDER BY 2, ORDER BY alias, or an expression.
    private func resolveOrder(_ order: OrderItem, items: [Item]) throws(QueryError) -> SortKey {
        if case .integer(let position, let at) = order.expression {
            guard position >= 1, position <= Int64(items.count) else {
                throw QueryError(.syntax, "ORDER BY position \(position) is not in the select list (1 to \(items.count))", at: at)
            }
            return .output(Int(position - 1))
        }
        if case .column(let name, _, _) = order.expression,
           let index = items.firstIndex(where: { $0.name.lowercased() == name.lowercased() && ($0.alias != nil || schema.column(named: name) == nil || $0.expression.fingerprint == order.expression.fingerprint) }) {
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
        if case .column(let name, _, _) = expression, schema.column(named: name) == nil,
           let item = items.first(where: { $0.alias?.lowercased() == name.lowercased() }) {
            return item.expression
        }
        return expression
    }

    /// Whether a select item is a quantity: anything computed, or the packets and bytes fields.
    static func isQuantity(_ expression: Expression) -> Bool {
        if case .column(let name, _, _) = expression { return ["packets", "bytes"].contains(name.lowercased()) }
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
private struct ConstantScope: CompileScope {
    func column(_ name: String, quoted: Bool, at location: SourceLocation, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        throw QueryError(.unknownName, "not a constant", at: location)
    }
    func substitute(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled? { nil }
    func aggregate(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        throw QueryError(.syntax, "not a constant", at: expression.location)
    }
}
