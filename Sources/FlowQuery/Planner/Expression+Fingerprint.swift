extension Expression {
    /// A canonical text of the expression without source locations, so `GROUP BY srcaddr` and
    /// `SELECT SrcAddr` are recognised as the same expression.
    var fingerprint: String {
        switch self {
        case .column(let name, _, let table, _): return "col(\(table.map { $0.lowercased() + "." } ?? "")\(name.lowercased()))"
        case .integer(let v, _): return "int(\(v))"
        case .decimal(let v, _): return "dec(\(v))"
        case .string(let v, _): return "str(\(v.debugDescription))"
        case .boolean(let v, _): return "bool(\(v))"
        case .null: return "null"
        case .typedLiteral(let type, let value, _): return "lit(\(type),\(value.debugDescription))"
        case .interval(let value, let unit, _): return "interval(\(value.debugDescription),\(unit.lowercased()))"
        case .keywordFunction(let name, _): return "kw(\(name.lowercased()))"
        case .unary(let op, let e, _): return "un(\(op.rawValue),\(e.fingerprint))"
        case .binary(let op, let l, let r, _): return "bin(\(op.rawValue),\(l.fingerprint),\(r.fingerprint))"
        case .between(let v, let lo, let hi, let negated, _): return "between(\(negated),\(v.fingerprint),\(lo.fingerprint),\(hi.fingerprint))"
        case .inList(let v, let items, let negated, _): return "in(\(negated),\(v.fingerprint),[\(items.map(\.fingerprint).joined(separator: ","))])"
        case .like(let v, let p, let e, let negated, _): return "like(\(negated),\(v.fingerprint),\(p.fingerprint),\(e?.fingerprint ?? "-"))"
        case .isNull(let v, let negated, _): return "isnull(\(negated),\(v.fingerprint))"
        case .function(let name, let args, let distinct, let star, _):
            return "fn(\(name.lowercased()),\(distinct),\(star),[\(args.map(\.fingerprint).joined(separator: ","))])"
        case .cast(let v, let type, let isTry, _): return "cast(\(isTry),\(type.lowercased()),\(v.fingerprint))"
        case .caseWhen(let operand, let branches, let otherwise, _):
            let arms = branches.map { "\($0.condition.fingerprint)=>\($0.result.fingerprint)" }.joined(separator: ";")
            return "case(\(operand?.fingerprint ?? "-"),\(arms),\(otherwise?.fingerprint ?? "-"))"
        }
    }

    /// The direct subexpressions.
    package var children: [Expression] {
        switch self {
        case .column, .integer, .decimal, .string, .boolean, .null, .typedLiteral, .interval, .keywordFunction: return []
        case .unary(_, let e, _): return [e]
        case .binary(_, let l, let r, _): return [l, r]
        case .between(let v, let lo, let hi, _, _): return [v, lo, hi]
        case .inList(let v, let items, _, _): return [v] + items
        case .like(let v, let p, let e, _, _): return [v, p] + (e.map { [$0] } ?? [])
        case .isNull(let v, _, _): return [v]
        case .function(_, let args, _, _, _): return args
        case .cast(let v, _, _, _): return [v]
        case .caseWhen(let operand, let branches, let otherwise, _):
            return (operand.map { [$0] } ?? []) + branches.flatMap { [$0.condition, $0.result] } + (otherwise.map { [$0] } ?? [])
        }
    }

    /// True when the expression is an aggregate call.
    var isAggregateCall: Bool {
        if case .function(let name, _, _, _, _) = self { return AggregateFunctions.isAggregate(name) }
        return false
    }

    /// Every aggregate call in the expression, outermost first (not looking inside them).
    var aggregateCalls: [Expression] {
        if isAggregateCall { return [self] }
        return children.flatMap(\.aggregateCalls)
    }
}
