
/// One aggregate of a query, bound: what it computes over which argument.
///
/// Every aggregate is exact across segments, partitions and threads: partial states merge
/// (an average is a sum over a count, a distinct count a union of sets), never a mean of means.
struct AggregateSpec: Sendable {
    enum Kind: Sendable, Equatable {
        case countStar, count, countDistinct, sum, average, minimum, maximum, countIf, boolAnd, boolOr
        case arrayAgg(distinct: Bool)
    }

    var kind: Kind
    /// The argument, bound over rows (nil for `count(*)`).
    var argument: Bound?
    /// The result's type.
    var type: SQLType
    /// The result's form (min/max of an address column stay address codes).
    var form: Bound.Form = .plain
    /// The call as written, for `explain`.
    var text: String
}

/// Aggregate function names and their binding.
package enum AggregateFunctions {
    /// Aggregate function names flowq knows.
    static let names = ["count", "sum", "min", "max", "avg", "array_agg", "approx_distinct", "count_if", "bool_and", "bool_or", "every"]

    package static func isAggregate(_ name: String) -> Bool { names.contains(name.lowercased()) }

    /// Binds `call` with its argument bound over rows.
    static func bind(_ call: Expression, binder: Binder) throws(QueryError) -> AggregateSpec {
        guard case .function(let name, let arguments, let distinct, let star, let at) = call else {
            preconditionFailure("bind(_:binder:) takes aggregate calls only")
        }
        for argument in arguments where !argument.aggregateCalls.isEmpty {
            throw QueryError(.syntax, "aggregate calls cannot be nested in \(name)()", at: argument.location)
        }
        if star {
            guard name == "count" else { throw QueryError(.syntax, "only count(*) takes *", at: at) }
            return AggregateSpec(kind: .countStar, argument: nil, type: .integer, text: call.text)
        }
        guard arguments.count == 1 else {
            throw QueryError(.type, "\(name)() takes one argument, \(arguments.count) given", at: at)
        }
        let argument = try binder.bind(arguments[0])
        func spec(_ kind: AggregateSpec.Kind, _ argument: Bound, _ type: SQLType, form: Bound.Form = .plain) -> AggregateSpec {
            AggregateSpec(kind: kind, argument: argument, type: type, form: form, text: call.text)
        }
        switch (name, distinct) {
        case ("count", false):
            return spec(.count, argument, .integer)
        case ("count", true), ("approx_distinct", _):
            return spec(.countDistinct, argument, .integer)
        case ("array_agg", _):
            let value = binder.decoded(argument)
            return spec(.arrayAgg(distinct: distinct), value, .array(value.type == .unknown ? .varchar : value.type))
        case ("sum", false):
            guard argument.type.isNumeric || argument.type == .unknown else {
                throw QueryError(.type, "sum() needs a number, not \(argument.type)", at: at)
            }
            return spec(.sum, argument, argument.type == .double ? .double : .integer)
        case ("avg", false):
            guard argument.type.isNumeric || argument.type == .unknown else {
                throw QueryError(.type, "avg() needs a number, not \(argument.type)", at: at)
            }
            return spec(.average, argument, .double)
        case ("min", false), ("max", false):
            // Addresses compare as the text Athena has, not as stored numbers.
            let type: SQLType = argument.type == .unknown ? .unknown : argument.type
            return spec(name == "min" ? .minimum : .maximum, argument, type, form: argument.form)
        case ("count_if", false):
            guard argument.type == .boolean || argument.type == .unknown else {
                throw QueryError(.type, "count_if() needs a boolean condition, not \(argument.type)", at: at)
            }
            return spec(.countIf, argument, .integer)
        case ("bool_and", false), ("every", false), ("bool_or", false):
            guard argument.type == .boolean || argument.type == .unknown else {
                throw QueryError(.type, "\(name)() needs a boolean, not \(argument.type)", at: at)
            }
            return spec(name == "bool_or" ? .boolOr : .boolAnd, argument, .boolean)
        default:
            throw QueryError(.unsupported, "\(name)(DISTINCT ...) is not supported; DISTINCT works in count() and array_agg()", at: at)
        }
    }
}
