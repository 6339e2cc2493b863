import FlowIngest

/// How an aggregate is computed in two steps: a partial result per partition (in that
/// partition's SQLite query), then a merge over all partials, so that the answer equals what
/// one big table would give (an average is a sum over a count, never a mean of means).
struct AggregateFunction {
    /// Aggregate function names flowq knows.
    static let names = ["count", "sum", "min", "max", "avg", "array_agg", "approx_distinct", "count_if", "bool_and", "bool_or", "every"]

    static func isAggregate(_ name: String) -> Bool { names.contains(name.lowercased()) }

    /// SQL for the partial columns, computed over one partition's rows.
    let partials: [String]
    /// SQL that merges the partial columns (given their names in the merge table).
    let merge: ([String]) -> String
    /// The result type.
    let type: SQLType

    /// Plans `call` with its argument compiled in a partition's row scope.
    static func plan(_ call: Expression, compiler: ExpressionCompiler) throws(QueryError) -> AggregateFunction {
        guard case .function(let name, let arguments, let distinct, let star, let at) = call else {
            preconditionFailure("plan(_:) takes aggregate calls only")
        }
        for argument in arguments where !argument.aggregateCalls.isEmpty {
            throw QueryError(.syntax, "aggregate calls cannot be nested in \(name)()", at: argument.location)
        }
        if star {
            guard name == "count" else { throw QueryError(.syntax, "only count(*) takes *", at: at) }
            return AggregateFunction(partials: ["count(*)"], merge: { "coalesce(sum(\($0[0])), 0)" }, type: .integer)
        }
        guard arguments.count == 1 else {
            throw QueryError(.type, "\(name)() takes one argument, \(arguments.count) given", at: at)
        }
        let argument = try compiler.compile(arguments[0])
        switch (name, distinct) {
        case ("count", false):
            return AggregateFunction(partials: ["count(\(argument.sql))"], merge: { "coalesce(sum(\($0[0])), 0)" }, type: .integer)
        case ("count", true), ("approx_distinct", _):
            // Partitions send their distinct values; the merge counts the union.
            return AggregateFunction(partials: ["json_group_array(DISTINCT \(jsonValue(argument, compiler)))"],
                                     merge: { "fq_distinct_count(\($0[0]))" }, type: .integer)
        case ("array_agg", true):
            return AggregateFunction(partials: ["json_group_array(DISTINCT \(jsonValue(argument, compiler)))"],
                                     merge: { "fq_distinct_array(\($0[0]))" }, type: .array(compiler.decoded(argument).type))
        case ("array_agg", false):
            return AggregateFunction(partials: ["json_group_array(\(jsonValue(argument, compiler)))"],
                                     merge: { "fq_array_concat(\($0[0]))" }, type: .array(compiler.decoded(argument).type))
        case ("sum", false):
            guard argument.type.isNumeric || argument.type == .unknown else {
                throw QueryError(.type, "sum() needs a number, not \(argument.type)", at: at)
            }
            return AggregateFunction(partials: ["sum(\(argument.sql))"], merge: { "sum(\($0[0]))" }, type: argument.type == .double ? .double : .integer)
        case ("avg", false):
            guard argument.type.isNumeric || argument.type == .unknown else {
                throw QueryError(.type, "avg() needs a number, not \(argument.type)", at: at)
            }
            return AggregateFunction(partials: ["sum(\(argument.sql))", "count(\(argument.sql))"],
                                     merge: { "(CAST(sum(\($0[0])) AS REAL) / nullif(sum(\($0[1])), 0))" }, type: .double)
        case ("min", false), ("max", false):
            // Addresses and codes compare as the text Athena has, not as stored numbers.
            let value = compiler.decoded(argument)
            return AggregateFunction(partials: ["\(name)(\(value.sql))"], merge: { "\(name)(\($0[0]))" }, type: value.type)
        case ("count_if", false):
            guard argument.type == .boolean || argument.type == .unknown else {
                throw QueryError(.type, "count_if() needs a boolean condition, not \(argument.type)", at: at)
            }
            return AggregateFunction(partials: ["sum(CASE WHEN \(argument.sql) THEN 1 ELSE 0 END)"], merge: { "coalesce(sum(\($0[0])), 0)" }, type: .integer)
        case ("bool_and", false), ("every", false), ("bool_or", false):
            guard argument.type == .boolean || argument.type == .unknown else {
                throw QueryError(.type, "\(name)() needs a boolean, not \(argument.type)", at: at)
            }
            let f = name == "bool_or" ? "max" : "min"
            return AggregateFunction(partials: ["\(f)(\(argument.sql))"], merge: { "\(f)(\($0[0]))" }, type: .boolean)
        default:
            throw QueryError(.unsupported, "\(name)(DISTINCT ...) is not supported; DISTINCT works in count() and array_agg()", at: at)
        }
    }

    /// The value as it goes into a JSON array: decoded, since JSON cannot hold blobs.
    private static func jsonValue(_ c: Compiled, _ compiler: ExpressionCompiler) -> String {
        compiler.decoded(c).sql
    }
}
