import FlowIngest

/// Compiles over the merged partial results of an aggregate query: GROUP BY keys and
/// aggregates are columns of the `partials` table; any other column reference is an error, as
/// in Trino.
struct MergeScope: CompileScope {
    struct Key {
        var fingerprint: String
        var column: String
        var compiled: Compiled
        /// The column name when the key is a bare column.
        var columnName: String?
    }

    let keys: [Key]
    /// Aggregate fingerprint -> merged SQL and type.
    let aggregates: [String: Compiled]
    let schema: TableSchema

    func column(_ name: String, quoted: Bool, at location: SourceLocation, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        if let key = keys.first(where: { $0.columnName == name.lowercased() }) {
            return key.compiled
        }
        guard schema.column(named: name) != nil else {
            let hint = schema.suggestion(for: name).map { "did you mean '\($0)'?" }
            throw QueryError(.unknownName, "unknown column '\(name)'", at: location, hint: hint)
        }
        throw QueryError(.syntax, "'\(name)' must be an aggregate expression or appear in the GROUP BY clause", at: location)
    }

    func substitute(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled? {
        let fingerprint = expression.fingerprint
        if let key = keys.first(where: { $0.fingerprint == fingerprint }) { return key.compiled }
        if expression.isAggregateCall { return aggregates[fingerprint] }
        return nil
    }

    func aggregate(_ expression: Expression, in compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        if let merged = aggregates[expression.fingerprint] { return merged }
        throw QueryError(.syntax, "aggregate calls cannot be nested", at: expression.location)
    }
}
