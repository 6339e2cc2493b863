extension Parser {
    /// An expression, lowest precedence first: OR, AND, NOT, predicates, + - ||, * / %, unary.
    mutating func expression() throws(QueryError) -> Expression {
        var left = try conjunction()
        while current.isKeyword("or") {
            let at = advance().location
            left = .binary(.or, left, try conjunction(), at: at)
        }
        return left
    }

    private mutating func conjunction() throws(QueryError) -> Expression {
        var left = try negation()
        while current.isKeyword("and") {
            let at = advance().location
            left = .binary(.and, left, try negation(), at: at)
        }
        return left
    }

    private mutating func negation() throws(QueryError) -> Expression {
        if current.isKeyword("not") {
            let at = advance().location
            return .unary(.not, try negation(), at: at)
        }
        return try predicate()
    }

    private mutating func predicate() throws(QueryError) -> Expression {
        let left = try additive()
        let token = current
        if token.kind == .symbol, let op = Self.comparison[token.text] {
            advance()
            return .binary(op, left, try additive(), at: token.location)
        }
        if token.isKeyword("is") {
            advance()
            let negated = accept("not")
            guard accept("null") else {
                if current.isKeyword("distinct") { throw QueryError(.unsupported, "IS DISTINCT FROM is not supported", at: current.location) }
                throw expected("NULL")
            }
            return .isNull(left, negated: negated, at: token.location)
        }
        var negated = false
        if token.isKeyword("not"), peek().isKeyword("between") || peek().isKeyword("in") || peek().isKeyword("like") {
            advance()
            negated = true
        }
        let at = current.location
        if accept("between") {
            let low = try additive()
            try expect("and")
            return .between(left, low: low, high: try additive(), negated: negated, at: at)
        }
        if accept("in") {
            try expectSymbol("(")
            if current.isKeyword("select") { throw QueryError(.unsupported, "subqueries are not supported", at: current.location) }
            var items: [Expression] = []
            repeat { items.append(try expression()) } while acceptSymbol(",")
            try expectSymbol(")")
            return .inList(left, items, negated: negated, at: at)
        }
        if accept("like") {
            let pattern = try additive()
            let escape = accept("escape") ? try additive() : nil
            return .like(left, pattern: pattern, escape: escape, negated: negated, at: at)
        }
        return left
    }

    static let comparison: [String: BinaryOperator] = [
        "=": .equal, "<>": .notEqual, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    private mutating func additive() throws(QueryError) -> Expression {
        var left = try multiplicative()
        while current.kind == .symbol, let op = ["+": BinaryOperator.add, "-": .subtract, "||": .concat][current.text] {
            let at = advance().location
            left = .binary(op, left, try multiplicative(), at: at)
        }
        return left
    }

    private mutating func multiplicative() throws(QueryError) -> Expression {
        var left = try unary()
        while current.kind == .symbol, let op = ["*": BinaryOperator.multiply, "/": .divide, "%": .modulo][current.text] {
            let at = advance().location
            left = .binary(op, left, try unary(), at: at)
        }
        return left
    }

    private mutating func unary() throws(QueryError) -> Expression {
        if current.isSymbol("-") || current.isSymbol("+") {
            let token = advance()
            let operand = try unary()
            if token.text == "-", case .integer(let value, _) = operand {
                return .integer(-value, at: token.location)
            }
            return .unary(token.text == "-" ? .negate : .plus, operand, at: token.location)
        }
        return try postfix(try primary())
    }

    /// Rejects what may follow a primary but is not supported (subscripts, lambdas).
    private mutating func postfix(_ value: Expression) throws(QueryError) -> Expression {
        if current.isSymbol("[") { throw QueryError(.unsupported, "array subscripts are not supported", at: current.location) }
        if current.isSymbol("->") { throw QueryError(.unsupported, "lambda expressions (->) are not supported", at: current.location) }
        return value
    }

    private mutating func primary() throws(QueryError) -> Expression {
        let token = current
        switch token.kind {
        case .integer:
            advance()
            if let value = Int64(token.text) { return .integer(value, at: token.location) }
            return .decimal(token.text, at: token.location)
        case .decimal:
            advance()
            return .decimal(token.text, at: token.location)
        case .string:
            advance()
            return .string(token.text, at: token.location)
        case .quotedIdentifier:
            advance()
            return try qualifiedColumn(token, quoted: true)
        case .symbol where token.text == "(":
            advance()
            if current.isKeyword("select") { throw QueryError(.unsupported, "subqueries are not supported", at: current.location) }
            let inner = try expression()
            try expectSymbol(")")
            return inner
        case .identifier:
            return try identifierExpression()
        default:
            throw expected("an expression")
        }
    }

    private mutating func identifierExpression() throws(QueryError) -> Expression {
        let token = current
        let word = token.text.lowercased()
        switch word {
        case "true", "false":
            advance()
            return .boolean(word == "true", at: token.location)
        case "null":
            advance()
            return .null(at: token.location)
        case "date", "timestamp", "time":
            // `DATE '2024-01-05'` is a literal; `date` alone is the column, `date(...)` a function.
            if peek().kind == .string {
                advance()
                return .typedLiteral(type: word, value: advance().text, at: token.location)
            }
        case "interval":
            advance()
            var sign = ""
            if current.isSymbol("-") || current.isSymbol("+") { sign = advance().text == "-" ? "-" : "" }
            guard current.kind == .string else { throw expected("an interval amount in quotes, such as '7'") }
            var value = advance().text
            if sign == "-" { value = value.hasPrefix("-") ? String(value.dropFirst()) : "-" + value }
            guard current.kind == .identifier else { throw expected("an interval unit (DAY, HOUR, MINUTE, ...)") }
            let unit = advance().text.lowercased()
            if current.isKeyword("to") { throw QueryError(.unsupported, "interval ranges (... TO ...) are not supported", at: current.location) }
            return .interval(value: value, unit: unit, at: token.location)
        case "case":
            return try caseExpression()
        case "cast", "try_cast":
            advance()
            try expectSymbol("(")
            let value = try expression()
            try expect("as")
            let type = try typeName()
            try expectSymbol(")")
            return .cast(value, type: type, isTry: word == "try_cast", at: token.location)
        case "extract":
            advance()
            try expectSymbol("(")
            guard current.kind == .identifier else { throw expected("a date field such as HOUR") }
            let field = advance().text.lowercased()
            try expect("from")
            let value = try expression()
            try expectSymbol(")")
            return .function(name: field, arguments: [value], distinct: false, star: false, at: token.location)
        case "current_date", "current_timestamp", "localtimestamp", "current_time":
            if !peek().isSymbol("(") {
                advance()
                return .keywordFunction(name: word, at: token.location)
            }
        case "exists":
            throw QueryError(.unsupported, "subqueries (EXISTS) are not supported", at: token.location)
        default:
            break
        }
        if Parser.reserved.contains(word) {
            throw expected("an expression")
        }
        advance()
        if current.isSymbol("(") {
            return try functionCall(name: word, at: token.location)
        }
        return try qualifiedColumn(token, quoted: false)
    }

    /// `t.column` keeps the column; the qualifier names the one table.
    private mutating func qualifiedColumn(_ token: Token, quoted: Bool) throws(QueryError) -> Expression {
        if current.isSymbol(".") {
            advance()
            guard current.kind == .identifier || current.kind == .quotedIdentifier else { throw expected("a column name") }
            let column = advance()
            return .column(name: column.text, quoted: column.kind == .quotedIdentifier, at: column.location)
        }
        return .column(name: token.text, quoted: quoted, at: token.location)
    }

    private mutating func functionCall(name: String, at: SourceLocation) throws(QueryError) -> Expression {
        try expectSymbol("(")
        var arguments: [Expression] = []
        var distinct = false
        var star = false
        if current.isSymbol("*") {
            advance()
            star = true
        } else if !current.isSymbol(")") {
            if accept("distinct") { distinct = true } else { _ = accept("all") }
            repeat { arguments.append(try expression()) } while acceptSymbol(",")
        }
        if current.isKeyword("order") {
            throw QueryError(.unsupported, "ORDER BY inside \(name)() is not supported", at: current.location)
        }
        try expectSymbol(")")
        if current.isKeyword("over") {
            throw QueryError(.unsupported, "window functions (OVER) are not supported", at: current.location)
        }
        if current.isKeyword("filter") {
            throw QueryError(.unsupported, "FILTER (WHERE ...) on aggregates is not supported; use count_if or CASE", at: current.location)
        }
        return .function(name: name, arguments: arguments, distinct: distinct, star: star, at: at)
    }

    private mutating func caseExpression() throws(QueryError) -> Expression {
        let at = advance().location
        let operand = current.isKeyword("when") ? nil : try expression()
        var branches: [CaseBranch] = []
        while accept("when") {
            let condition = try expression()
            try expect("then")
            branches.append(CaseBranch(condition: condition, result: try expression()))
        }
        guard !branches.isEmpty else { throw expected("WHEN") }
        let otherwise = accept("else") ? try expression() : nil
        try expect("end")
        return .caseWhen(operand: operand, branches: branches, otherwise: otherwise, at: at)
    }

    /// A type name such as `IPADDRESS`, `varchar(10)` or `decimal(10, 2)`, lowercased.
    private mutating func typeName() throws(QueryError) -> String {
        guard current.kind == .identifier else { throw expected("a type name") }
        var name = advance().text.lowercased()
        if current.isKeyword("precision") { advance(); name += " precision" }
        if current.isSymbol("(") {
            advance()
            var parameters: [String] = []
            repeat {
                guard current.kind == .integer else { throw expected("a type parameter") }
                parameters.append(advance().text)
            } while acceptSymbol(",")
            try expectSymbol(")")
            name += "(" + parameters.joined(separator: ",") + ")"
        }
        return name
    }
}
