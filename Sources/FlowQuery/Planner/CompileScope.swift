import FlowIngest

/// Where an expression is compiled: over a partition's rows, or over merged partial results.
protocol CompileScope {
    /// The SQL for a column reference.
    func column(_ name: String, quoted: Bool, at location: SourceLocation, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled
    /// A replacement for a whole expression (a GROUP BY key, an aggregate), if this scope has one.
    func substitute(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled?
    /// The SQL for an aggregate call, or an error saying aggregates are not allowed here.
    func aggregate(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled
}

/// Compiles over the rows of one partition: columns are the partition's stored columns (NULL
/// where the partition's files never had the field), `date` and `day` its day.
struct RowScope: CompileScope {
    let schema: TableSchema
    /// Stored columns the partition has; nil means "all" (planning without partitions).
    let presentColumns: Set<String>?
    /// Names the clause for "aggregate functions are not allowed in WHERE".
    let clause: String

    func column(_ name: String, quoted: Bool, at location: SourceLocation, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        guard let column = schema.column(named: name) else {
            let hint = schema.suggestion(for: name).map { "did you mean '\($0)'?" }
            throw QueryError(.unknownName, "unknown column '\(name)'", at: location, hint: hint)
        }
        switch column.source {
        case .partitionDate:
            return Compiled(sql: compiler.builder.parameter(.partitionDate), type: .date)
        case .partitionSlashed:
            return Compiled(sql: compiler.builder.parameter(.partitionSlashed), type: .varchar, isPartitionDay: true)
        case .stored(let encoding):
            if let present = presentColumns, !present.contains(column.name) {
                // A field this partition's files never had reads as NULL, as in Athena.
                return Compiled(sql: "NULL", type: column.type, encoding: encoding, constant: nil)
            }
            return Compiled(sql: quotedIdentifier(column.name), type: column.type, encoding: encoding)
        }
    }

    func substitute(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled? {
        nil
    }

    func aggregate(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        if case .function(let name, _, _, _, let at) = expression {
            throw QueryError(.syntax, "aggregate function \(name)() is not allowed in \(clause)", at: at)
        }
        throw QueryError(.syntax, "aggregate functions are not allowed in \(clause)", at: expression.location)
    }
}
