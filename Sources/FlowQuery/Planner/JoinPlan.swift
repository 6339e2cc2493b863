import FlowInventory
import FlowModel

/// How a query's flow rows meet the inventory: hash joins run in order on each batch of flow
/// rows that passed WHERE, then the conditions that read several tables.
struct JoinPlan: Sendable {
    var steps: [JoinStepPlan]
    /// Conditions on the joined rows, bound over every table.
    var after: [Bound]
    var afterTexts: [String]
}

/// How the two sides of a join key are compared once hashed.
enum JoinKeyDomain: Sendable, Equatable {
    /// Integers, booleans, dates, timestamps: the value itself.
    case integer
    /// Text: the query's `StringPool` id.
    case text
    /// Addresses: the query's address code.
    case address
    /// Numbers where either side is a double: the double's bits (-0 as 0).
    case double
}

/// One inventory table joined: its rows, the keys its hash table is built on, and what a flow
/// row looks up.
struct JoinStepPlan: Sendable {
    /// One column of the table.
    struct Column: Sendable {
        var name: String
        var type: SQLType
        var form: Bound.Form
    }

    var kind: JoinClause.Kind
    /// Position of the table among the query's tables (1 for the first joined).
    var table: Int
    /// `network_interfaces` or `network_interfaces i`, for `explain`.
    var title: String
    /// The columns the query reads, and nothing else.
    var columns: [Column]
    /// The table's rows, values in `columns` order (text as strings, times in milliseconds).
    var rows: [[Value]]
    /// Conditions on this table alone, applied before the hash table is built.
    var buildFilter: [Bound]
    /// Key expressions over the earlier tables, and over this one, pairwise.
    var probeKeys: [Bound]
    var buildKeys: [Bound]
    var domains: [JoinKeyDomain]
    /// LEFT JOIN's other ON conditions, over the joined pair.
    var residual: [Bound]
    var keyTexts: [String]
    var filterTexts: [String]
    var residualTexts: [String]
}

extension QueryPlanner {
    /// Binds the joins of `spec`, then loads the columns the query reads of each inventory table.
    func bindJoin(_ spec: JoinSpec, reads: Set<String>) throws(QueryError) -> JoinPlan {
        let rows = binder(JoinRowBindScope(tables: spec.tables, clause: "ON"))
        var allReads = reads
        var steps: [JoinStepPlan] = []
        var tables: [InventoryTableSchema] = []
        for step in spec.steps {
            guard let table = spec.tables.tables[step.table].inventory else { continue }
            var probeKeys: [Bound] = [], buildKeys: [Bound] = [], domains: [JoinKeyDomain] = []
            var residual = step.residual
            var residualTexts = step.residual.map(\.text)
            for (probe, build) in step.keys {
                let (p, b) = try rows.comparable(try rows.bind(probe), try rows.bind(build), at: probe.location)
                guard let domain = Self.keyDomain(p, b) else {
                    // Not hashable as one value (e.g. a date against text): checked on each pair.
                    residual.append(.binary(.equal, probe, build, at: probe.location))
                    residualTexts.append("\(probe.text) = \(build.text)")
                    continue
                }
                probeKeys.append(p)
                buildKeys.append(b)
                domains.append(domain)
            }
            guard !probeKeys.isEmpty else {
                throw QueryError(.type, "the ON condition of \(spec.tables.describe(step.table)) compares values that cannot be hashed together",
                                 at: step.location)
            }
            let filter = try step.buildFilter.map { e throws(QueryError) in try rows.condition(e, clause: "ON") }
            let boundResidual = try residual.map { e throws(QueryError) in try rows.condition(e, clause: "ON") }
            for b in probeKeys + buildKeys + filter + boundResidual { allReads.formUnion(b.columns) }
            let entry = spec.tables.tables[step.table]
            tables.append(table)
            steps.append(JoinStepPlan(
                kind: step.kind, table: step.table,
                title: entry.qualifier == table.name ? table.name : "\(table.name) \(entry.qualifier)",
                columns: [], rows: [], buildFilter: filter, probeKeys: probeKeys, buildKeys: buildKeys, domains: domains,
                residual: boundResidual, keyTexts: step.keys.map { "\($0.probe.text) = \($0.build.text)" },
                filterTexts: step.buildFilter.map(\.text), residualTexts: residualTexts))
        }
        let after = try spec.after.map { e throws(QueryError) in try rows.condition(e, clause: "WHERE") }
        for b in after { allReads.formUnion(b.columns) }

        // Only the columns the query reads are loaded and hashed.
        for (index, table) in tables.enumerated() {
            let position = steps[index].table
            let columns = table.queryColumns.filter { allReads.contains(JoinedColumn.name(table: position, column: $0.name)) }.map { column in
                JoinStepPlan.Column(name: column.name, type: JoinedTables.type(of: column.type),
                                    form: table.addressColumns.contains(column.name) ? .address : .plain)
            }
            let values: [[InventoryValue]]
            do {
                values = try inventory?.rows(of: table, columns: columns.map(\.name)) ?? []
            } catch {
                throw QueryError(.execution, "cannot read the inventory's \(table.name): \(error)")
            }
            if values.isEmpty, inventory?.requiresData != false {
                throw QueryError(.execution, "the inventory has no \(table.name) rows",
                                 at: spec.tables.tables[position].reference.location,
                                 hint: "load the output of `\(table.kind.source)` with `flowq inventory add FILE`")
            }
            steps[index].columns = columns
            steps[index].rows = values.map { row in zip(row, columns).map(Self.queryValue) }
        }
        return JoinPlan(steps: steps, after: after, afterTexts: spec.after.map(\.text))
    }

    /// The common hashed form of two key sides, if they have one.
    static func keyDomain(_ probe: Bound, _ build: Bound) -> JoinKeyDomain? {
        switch (probe.form, build.form) {
        case (.address, .address): return .address
        case (.address, _), (_, .address): return nil
        default: break
        }
        switch (probe.type, build.type) {
        case (.varchar, .varchar): return .text
        case (.double, _) where build.type.isNumeric, (_, .double) where probe.type.isNumeric: return .double
        case (.integer, .integer), (.boolean, .boolean), (.date, .date), (.timestamp, .timestamp): return .integer
        default: return nil
        }
    }

    /// An inventory value as the query holds it.
    static func queryValue(_ value: InventoryValue, _ column: JoinStepPlan.Column) -> Value {
        switch value {
        case .null: return .null
        case .text(let text):
            if column.form == .address { return IPAddress(text).map { .address($0) } ?? .null }
            return .string(text)
        case .integer(let number): return .int(column.type == .timestamp ? number * 1000 : number)
        case .boolean(let flag): return .int(flag ? 1 : 0)
        }
    }
}
