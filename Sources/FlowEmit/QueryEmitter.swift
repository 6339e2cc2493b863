import FlowModel
import FlowQuery
import FlowStore
import Foundation

/// Writes a flowq query for another engine, keeping flowq's meaning.
///
/// `date`, `day` and `date_partition` mean the UTC day a flow *started*; Athena's partitions
/// are the day a file was *delivered*. So the emitted query computes the day from `start`
/// and, for Athena, adds a widened predicate on the `delivery_day` partition column (a file
/// delivered on day D holds flows that started on D or the day before) only so that Athena
/// reads fewer partitions. Functions are mapped per engine; what an engine cannot express is
/// refused with a message saying so.
public struct QueryEmitter: Sendable {
    /// The target engine.
    public let engine: TargetEngine
    /// The table name on that engine; nil: the name of the flowq table the query reads
    /// (`vpc_flow_logs` for `flows`, `tgw_flow_logs`).
    public let table: String?
    /// The export layout the table's partitions follow (for Athena's pruning predicate).
    public let layout: TableDDL.Layout
    /// Whether the export has hourly folders.
    public let hourly: Bool
    /// The columns `*` stands for, when it must mean what it means to flowq (its columns, in
    /// its order, `date` included) rather than the engine's table columns; nil keeps `*`.
    public var starColumns: [String]? = nil
    /// The columns of the table on the engine, when known (the store `flowq ddl` made it from):
    /// a flow-log field outside them reads as NULL, as it does in flowq, instead of failing as
    /// an unknown column there. nil: every field named is assumed to be in the table.
    public var tableColumns: Set<String>? = nil
    /// Types of the statement being written (set while emitting).
    var types: TypeOracle? = nil
    /// The statement's tables when it joins the inventory (set while emitting).
    var join: JoinedStatement? = nil

    /// An emitter for `engine`, querying `table` made by `flowq ddl` with the same layout options.
    public init(engine: TargetEngine, table: String? = nil, layout: TableDDL.Layout = .default, hourly: Bool = false) {
        self.engine = engine
        self.table = table
        self.layout = layout
        self.hourly = hourly
    }

    /// A delivery-day partition value as the table's projection formats it.
    func partitionValue(_ day: PartitionDay, lastHour: Bool) -> String {
        let (y, m, d) = day.civil
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        var text = layout == .hive ? "year=\(y)/month=\(two(m))/day=\(two(d))" : "\(y)/\(two(m))/\(two(d))"
        if hourly { text += (layout == .hive ? "/hour=" : "/") + (lastHour ? "23" : "00") }
        return text
    }

    /// Parses `sql` (flowq's dialect) and writes it for the engine.
    public func emit(_ sql: String) throws(QueryError) -> String {
        try emit(QueryParser.parse(sql))
    }

    /// Writes a parsed statement for the engine.
    public func emit(_ statement: SelectStatement) throws(QueryError) -> String {
        let flowTable = try QueryPlanner.table(of: statement)
        // Bound once, as flowq would run it: an unknown name or a type error is reported by the
        // binder, where the user wrote it, before anything is written for the other engine.
        let empty = StoreSnapshot(partitions: [], fileWatermark: 0, unfinishedFileIDs: [], extraColumns: [])
        // The inventory's functions bind over no ranges here: what they need is another engine's
        // join, which the function mapping below refuses to guess.
        _ = try QueryPlanner(snapshot: empty, table: flowTable, inventory: .bindingOnly()).plan(statement)
        var emitter = self
        let joined = try QueryPlanner.joined(statement, flowTable: flowTable)
        emitter.types = joined?.types ?? TypeOracle(table: flowTable)
        emitter.join = joined
        return try emitter.write(joined?.statement ?? statement, flowTable: flowTable)
    }

    /// Writes a statement already bound.
    private func write(_ statement: SelectStatement, flowTable: FlowTable) throws(QueryError) -> String {
        var sql = "SELECT " + (statement.distinct ? "DISTINCT " : "")
        var items: [String] = []
        for item in statement.items {
            switch item {
            case .star(let qualifier, _):
                items += starItems(qualifier, statement)
            case .expression(let e, let alias):
                let text = try expression(e)
                var name = alias
                // A column written as something else (`date` from `start`, a field read as NULL)
                // keeps its name, as flowq labels it.
                if name == nil, case .column(let column, _, _, _) = e, text != engine.quoted(column.lowercased()) { name = column.lowercased() }
                items.append(name.map { "\(text) AS \(engine.quoted($0))" } ?? text)
            }
        }
        sql += items.joined(separator: ", ") + "\nFROM " + tableText(statement.from, flowTable: flowTable)
        for clause in statement.joins {
            sql += "\n\(clause.kind.rawValue) \(tableText(clause.table, flowTable: flowTable)) ON \(try expression(clause.condition))"
        }
        var conditions: [String] = []
        if let filter = statement.filter { conditions.append(try expression(filter)) }
        if engine == .athena, let pruning = partitionPredicate(statement.filter) { conditions.append(pruning) }
        if !conditions.isEmpty { sql += "\nWHERE " + conditions.map { conditions.count > 1 ? "(\($0))" : $0 }.joined(separator: " AND ") }
        if !statement.groupBy.isEmpty {
            sql += "\nGROUP BY " + (try statement.groupBy.map { e throws(QueryError) in try expression(e) }).joined(separator: ", ")
        }
        if let having = statement.having { sql += "\nHAVING " + (try expression(having)) }
        if !statement.orderBy.isEmpty {
            // flowq (like Trino) puts NULLs last unless told; Spark puts them first on ASC.
            sql += "\nORDER BY " + (try statement.orderBy.map { order throws(QueryError) in
                try expression(order.expression) + (order.ascending ? " ASC" : " DESC") + (order.nullsFirst == true ? " NULLS FIRST" : " NULLS LAST")
            }).joined(separator: ", ")
        }
        if let limit = statement.limit { sql += "\nLIMIT \(limit)" }
        return sql
    }

    // MARK: Expressions

    func expression(_ e: Expression) throws(QueryError) -> String {
        switch e {
        case .column(let name, _, let qualifier, _):
            // A single-table query prints bare names, as it always has; a join qualifies each.
            guard let join, let qualifier else { return column(name.lowercased()) }
            if qualifier == join.flowQualifier { return column(name.lowercased(), qualifier: qualifier) }
            return engine.quoted(qualifier) + "." + engine.quoted(name.lowercased())
        case .integer(let v, _): return String(v)
        case .decimal(let v, _): return v
        case .string(let v, _): return engine.literal(v)
        case .boolean(let v, _): return v ? "TRUE" : "FALSE"
        case .null: return "NULL"
        case .typedLiteral(let type, let value, let at):
            guard type == "date" || type == "timestamp" else {
                throw QueryError(.unsupported, "\(type.uppercased()) literals cannot be written for \(engine.displayName)", at: at)
            }
            return "\(type.uppercased()) \(engine.literal(value))"
        case .interval(let value, let unit, _):
            return "INTERVAL \(engine.literal(value)) \(unit.uppercased())"
        case .keywordFunction(let name, _):
            return name.lowercased()
        case .unary(let op, let operand, _):
            return op == .not ? "(NOT \(try expression(operand)))" : "(\(op.rawValue)\(try expression(operand)))"
        case .binary(let op, let l, let r, _):
            if op.isComparison { return try comparison(op.rawValue, l, r) }
            return "(\(try expression(l)) \(op.rawValue) \(try expression(r)))"
        case .between(let v, let lo, let hi, let negated, _):
            let value = try expression(v)
            return "(\(value) \(negated ? "NOT " : "")BETWEEN \(try operand(lo, comparedWith: v)) AND \(try operand(hi, comparedWith: v)))"
        case .inList(let v, let items, let negated, _):
            let list = try items.map { item throws(QueryError) in try operand(item, comparedWith: v) }
            return "(\(try expression(v)) \(negated ? "NOT " : "")IN (\(list.joined(separator: ", "))))"
        case .like(let v, let pattern, let escape, let negated, _):
            return "(\(try expression(v)) \(negated ? "NOT " : "")LIKE \(try expression(pattern))" + (try escape.map { e throws(QueryError) in " ESCAPE \(try expression(e))" } ?? "") + ")"
        case .isNull(let v, let negated, _):
            return "(\(try expression(v)) IS \(negated ? "NOT " : "")NULL)"
        case .function(let name, let arguments, let distinct, let star, let at):
            return try function(name.lowercased(), arguments, distinct: distinct, star: star, at: at)
        case .cast(let v, let type, let isTry, let at):
            if type == "ipaddress" {
                throw QueryError(.unsupported, "CAST(... AS IPADDRESS) is only written inside contains('cidr', ...) for \(engine.displayName)", at: at)
            }
            let target = engine == .spark ? (["varchar", "char"].contains(where: type.hasPrefix) ? "string" : type) : type
            return "\(isTry && engine == .athena ? "TRY_CAST" : "CAST")(\(try expression(v)) AS \(target.uppercased()))"
        case .caseWhen(let operand, let branches, let otherwise, _):
            var text = "CASE" + (try operand.map { e throws(QueryError) in " " + (try expression(e)) } ?? "")
            for branch in branches { text += " WHEN \(try expression(branch.condition)) THEN \(try expression(branch.result))" }
            if let otherwise { text += " ELSE \(try expression(otherwise))" }
            return "(" + text + " END)"
        }
    }

    /// A table of FROM or JOIN as the engine names it, with its alias in a join.
    private func tableText(_ reference: TableReference, flowTable: FlowTable) -> String {
        guard let join else { return table ?? flowTable.name }
        let qualifier = reference.alias?.lowercased() ?? (reference.name.lowercased().split(separator: ".").last.map(String.init) ?? "")
        if let inventory = join.inventory[qualifier] { return "\(inventory.name) \(engine.quoted(qualifier))" }
        return "\(table ?? flowTable.name) \(engine.quoted(qualifier))"
    }

    /// What `*` or `t.*` stands for: flowq's columns when they must be spelled out, else the
    /// engine's star.
    private func starItems(_ qualifier: String?, _ statement: SelectStatement) -> [String] {
        func flowColumns(_ prefix: String?) -> [String] {
            guard let starColumns else { return [prefix.map { engine.quoted($0) + ".*" } ?? "*"] }
            return starColumns.map { name in
                let text = column(name, qualifier: prefix)
                return text == (prefix.map { engine.quoted($0) + "." } ?? "") + engine.quoted(name) ? text : "\(text) AS \(engine.quoted(name))"
            }
        }
        guard let join else { return flowColumns(nil) }
        let named = qualifier.map { $0.lowercased().split(separator: ".").last.map(String.init) ?? $0 }
        if let named {
            return join.inventory[named] != nil ? [engine.quoted(named) + ".*"] : flowColumns(join.flowQualifier)
        }
        // The tables in the order written, as flowq lists them.
        var items: [String] = []
        for reference in [statement.from] + statement.joins.map(\.table) {
            let q = reference.alias?.lowercased() ?? (reference.name.lowercased().split(separator: ".").last.map(String.init) ?? "")
            items += join.inventory[q] != nil ? [engine.quoted(q) + ".*"] : flowColumns(join.flowQualifier)
        }
        return items
    }

    /// A column, with flowq's start-based day columns computed from `start`; in a join,
    /// prefixed by the flow table's qualifier.
    private func column(_ name: String, qualifier: String? = nil) -> String {
        let prefix = qualifier.map { engine.quoted($0) + "." } ?? ""
        let start = prefix + engine.quoted("start")
        switch (name, engine) {
        case ("date", .athena): return "date(from_unixtime(\(start)))"
        case ("date", .spark): return "to_date(timestamp_seconds(\(start)))"
        case ("day", .athena), ("date_partition", .athena): return "date_format(from_unixtime(\(start)), '%Y/%m/%d')"
        case ("day", .spark), ("date_partition", .spark): return "date_format(timestamp_seconds(\(start)), 'yyyy/MM/dd')"
        // When a layout lacks them, flowq takes account and region from the S3 key; so does Athena,
        // from the table's partition columns.
        case ("account_id", .athena): return "coalesce(\(prefix)\(engine.quoted("account_id")), \(prefix)aws_account)"
        case ("region", .athena): return "coalesce(\(prefix)\(engine.quoted("region")), \(prefix)aws_region)"
        // Spark reads the files without partition columns; the key is in the file's own path.
        case ("account_id", .spark), ("region", .spark):
            return Self.sparkColumnFromPath(name) ?? prefix + engine.quoted(name)
        default:
            if let tableColumns, !tableColumns.contains(name), let field = FlowField(columnName: name) {
                // The DDL's types are Hive's; Athena's queries run on Trino, which spells them
                // varchar and integer.
                let type = field.athenaType
                let spelled = engine == .athena ? (type == "string" ? "varchar" : type == "int" ? "integer" : type) : type
                return "CAST(NULL AS \(spelled))"
            }
            return prefix + engine.quoted(name)
        }
    }

    /// Spark SQL for `account_id` or `region` that falls back on the S3 key in the file's path
    /// when the file lacks the field, as flowq does at ingest; nil for other columns.
    public static func sparkColumnFromPath(_ name: String) -> String? {
        switch name {
        case "account_id": return "coalesce(`account_id`, nullif(regexp_extract(input_file_name(), 'AWSLogs/(aws-account-id=)?([0-9]{12})/', 2), ''))"
        case "region": return "coalesce(`region`, nullif(regexp_extract(input_file_name(), 'vpcflowlogs/(aws-region=)?([a-z0-9-]+)/', 2), ''))"
        default: return nil
        }
    }

    /// `a op b`, reading a date string compared with a day column as flowq does.
    private func comparison(_ op: String, _ l: Expression, _ r: Expression) throws(QueryError) -> String {
        "(\(try operand(l, comparedWith: r)) \(op) \(try operand(r, comparedWith: l)))"
    }

    /// A string literal compared with a DATE value (as bound) becomes a DATE literal, as flowq
    /// reads it; compared with `day`/`date_partition`, a date in either spelling becomes
    /// `'YYYY/MM/DD'`. The other side's type comes from the binder, not from its name.
    private func operand(_ e: Expression, comparedWith other: Expression) throws(QueryError) -> String {
        if case .string(let text, _) = e, let day = PartitionDay(text), let facts = types?.facts(other) {
            if facts.isPartitionDay { return engine.literal(day.slashedText) }
            if facts.type == .date { return "DATE \(engine.literal(day.isoText))" }
        }
        return try expression(e)
    }
}
