extension Expression {
    /// The expression with every column reference replaced by what `transform` makes of it.
    func mappingColumns(_ transform: (_ name: String, _ quoted: Bool, _ table: String?, _ at: SourceLocation) throws(QueryError) -> Expression)
        throws(QueryError) -> Expression {
        func map(_ e: Expression) throws(QueryError) -> Expression { try e.mappingColumns(transform) }
        func mapAll(_ list: [Expression]) throws(QueryError) -> [Expression] {
            var out: [Expression] = []
            out.reserveCapacity(list.count)
            for e in list { out.append(try map(e)) }
            return out
        }
        switch self {
        case .column(let name, let quoted, let table, let at):
            return try transform(name, quoted, table, at)
        case .integer, .decimal, .string, .boolean, .null, .typedLiteral, .interval, .keywordFunction:
            return self
        case .unary(let op, let operand, let at):
            return .unary(op, try map(operand), at: at)
        case .binary(let op, let left, let right, let at):
            return .binary(op, try map(left), try map(right), at: at)
        case .between(let value, let low, let high, let negated, let at):
            return .between(try map(value), low: try map(low), high: try map(high), negated: negated, at: at)
        case .inList(let value, let items, let negated, let at):
            return .inList(try map(value), try mapAll(items), negated: negated, at: at)
        case .like(let value, let pattern, let escape, let negated, let at):
            return .like(try map(value), pattern: try map(pattern), escape: try escape.map { e throws(QueryError) in try map(e) },
                         negated: negated, at: at)
        case .isNull(let value, let negated, let at):
            return .isNull(try map(value), negated: negated, at: at)
        case .function(let name, let arguments, let distinct, let star, let at):
            return .function(name: name, arguments: try mapAll(arguments), distinct: distinct, star: star, at: at)
        case .cast(let value, let type, let isTry, let at):
            return .cast(try map(value), type: type, isTry: isTry, at: at)
        case .caseWhen(let operand, let branches, let otherwise, let at):
            var mapped: [CaseBranch] = []
            for branch in branches {
                mapped.append(CaseBranch(condition: try map(branch.condition), result: try map(branch.result)))
            }
            return .caseWhen(operand: try operand.map { e throws(QueryError) in try map(e) }, branches: mapped,
                             otherwise: try otherwise.map { e throws(QueryError) in try map(e) }, at: at)
        }
    }

    /// The qualifiers of the expression's column references (nil for an unqualified one).
    var columnQualifiers: [String?] {
        var found: [String?] = []
        _ = try? mappingColumns { name, quoted, table, at throws(QueryError) in
            found.append(table)
            return .column(name: name, quoted: quoted, table: table, at: at)
        }
        return found
    }
}
