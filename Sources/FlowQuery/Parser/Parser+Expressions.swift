/// The expression grammar, with Trino's precedence from lowest to highest:
///
///     OR < AND < NOT < predicate (= <> < <= > >=, IS NULL, BETWEEN, IN, LIKE)
///        < + - || < * / % < unary - + < primary
///
/// As in Trino, a predicate takes plain value expressions on both sides, so `NOT a = b` is
/// `NOT (a = b)` and `a = b = c` needs parentheses.
///
/// The functions on the recursion path (`parseExpression` down to `parsePrimary`,
/// `parseParenthesized` and `parseFunctionCall`) keep error construction and rare branches in
/// helpers: debug builds give every temporary its own stack slot, and those frames, repeated
/// once per nesting level, decide how deep a query can nest before the stack runs out.
extension Parser {
    /// One expression at the lowest precedence (OR).
    mutating func parseExpression() throws(ParseFailure) -> Expression {
        try enterNesting()
        defer { leaveNesting() }
        return try parseOr()
    }

    /// Whether `token` can begin an expression; the select list uses it to say
    /// "expected an expression or '*'" rather than just "an expression".
    func canStartExpression(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .quotedIdentifier, .string, .integer, .decimal, .leftParen, .minus, .plus,
             .keyword(.not), .keyword(.true), .keyword(.false), .keyword(.null), .keyword(.case),
             .keyword(.currentDate), .keyword(.currentTime), .keyword(.currentTimestamp),
             .keyword(.localTime), .keyword(.localTimestamp):
            return true
        default:
            return false
        }
    }

    // MARK: Nesting limits

    /// Goes one level deeper, refusing to pass `maximumDepth` or `maximumHeight`.
    private mutating func enterNesting() throws(ParseFailure) {
        guard depth < Self.maximumDepth else { throw tooLarge() }
        depth += 1
        try growTree()
    }

    /// Comes back from `enterNesting()`.
    private mutating func leaveNesting() {
        depth -= 1
        height -= 1
    }

    /// Adds a level to the tree being built, refusing to pass `maximumHeight`; a binary
    /// operator loop calls this per operator and restores `height` when it ends.
    private mutating func growTree() throws(ParseFailure) {
        guard height < Self.maximumHeight else { throw tooLarge() }
        height += 1
    }

    /// The error for an expression past the nesting limits.
    private func tooLarge() -> ParseFailure {
        unsupported("the expression is too deeply nested or too long; simplify it or split the query")
    }

    // MARK: Boolean operators

    /// `a OR b OR ...`, left-associative.
    private mutating func parseOr() throws(ParseFailure) -> Expression {
        var left = try parseAnd()
        let base = height
        defer { height = base }
        while at(.or) {
            try growTree()
            let location = take().location
            left = .binary(.or, left, try parseAnd(), at: location)
        }
        return left
    }

    /// `a AND b AND ...`, left-associative.
    private mutating func parseAnd() throws(ParseFailure) -> Expression {
        var left = try parseNot()
        let base = height
        defer { height = base }
        while at(.and) {
            try growTree()
            let location = take().location
            left = .binary(.and, left, try parseNot(), at: location)
        }
        return left
    }

    /// `NOT x`, which binds looser than comparisons.
    private mutating func parseNot() throws(ParseFailure) -> Expression {
        guard at(.not) else { return try parsePredicate() }
        try enterNesting()
        let location = take().location
        defer { leaveNesting() }
        return .unary(.not, try parseNot(), at: location)
    }

    // MARK: Predicates

    /// The comparison operator the current token is, if any.
    private var comparisonAtCurrent: BinaryOperator? {
        switch currentKind {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        default: nil
        }
    }

    /// Whether a predicate starts at the current token.
    private var atPredicate: Bool {
        if comparisonAtCurrent != nil { return true }
        switch currentKind {
        case .keyword(.is), .keyword(.between), .keyword(.in), .keyword(.like):
            return true
        case .keyword(.not):
            return [.keyword(.between), .keyword(.in), .keyword(.like)].contains(peekKind())
        default:
            return false
        }
    }

    /// A value, optionally followed by one predicate.
    private mutating func parsePredicate() throws(ParseFailure) -> Expression {
        let value = try parseAdditive()
        guard atPredicate else { return value }
        let predicate = try parsePredicateTail(value)
        // Trino's grammar allows one predicate per value; saying so beats "expected ... but
        // found '='", which leaves the reader guessing.
        guard !atPredicate else { throw chainedComparison() }
        return predicate
    }

    /// The error for `a = b = c`.
    private func chainedComparison() -> ParseFailure {
        ParseFailure(.syntax, "a comparison cannot directly follow another; add parentheses or join them with AND",
                     at: currentLocation)
    }

    /// The predicate after `value`; the caller has checked that one starts here.
    private mutating func parsePredicateTail(_ value: Expression) throws(ParseFailure) -> Expression {
        if let op = comparisonAtCurrent {
            let location = take().location
            return .binary(op, value, try parseAdditive(), at: location)
        }
        if at(.is) {
            return try parseIsNull(value)
        }
        // The negated forms are located at NOT: it is the first token of the operator.
        let location = currentLocation
        let negated = consume(.not)
        switch take().kind {
        case .keyword(.between):
            let low = try parseAdditive()
            try expect(.and, "AND between the bounds of BETWEEN")
            let high = try parseAdditive()
            return .between(value, low: low, high: high, negated: negated, at: location)
        case .keyword(.in):
            try expect(.leftParen, "'(' and a list of values", afterPrevious: true)
            var items: [Expression] = []
            repeat {
                // Each value becomes a bound parameter; SQLite takes at most 32,766 per statement.
                guard items.count < Self.maximumInListItems else {
                    throw unsupported("an IN list may hold at most \(Self.maximumInListItems.formatted()) values; split the list, or keep the values in a report parameter file")
                }
                items.append(try parseExpression())
            } while consume(.comma)
            try expect(.rightParen, "',' or ')' in the IN list")
            return .inList(value, items, negated: negated, at: location)
        default:  // LIKE, the only predicate left that atPredicate accepts
            let pattern = try parseAdditive()
            var escape: Expression? = nil
            if consume(.escape) {
                escape = try parseAdditive()
            }
            return .like(value, pattern: pattern, escape: escape, negated: negated, at: location)
        }
    }

    /// `x IS [NOT] NULL`, at the IS.
    private mutating func parseIsNull(_ value: Expression) throws(ParseFailure) -> Expression {
        let isToken = take()
        let negated = consume(.not)
        if consume(.null) {
            return .isNull(value, negated: negated, at: isToken.location)
        }
        if at(.distinct) {
            throw ParseFailure(.unsupported, "IS \(negated ? "NOT " : "")DISTINCT FROM is not supported", at: isToken.location)
        }
        throw unexpected(negated ? "NULL" : "NULL or NOT NULL", afterPrevious: true)
    }

    // MARK: Arithmetic

    /// The additive operator the current token is: `+`, `-` or `||` (Trino puts `||` here).
    private var additiveAtCurrent: BinaryOperator? {
        switch currentKind {
        case .plus: .add
        case .minus: .subtract
        case .concat: .concat
        default: nil
        }
    }

    /// `a + b`, `a - b`, `a || b`, left-associative.
    private mutating func parseAdditive() throws(ParseFailure) -> Expression {
        var left = try parseMultiplicative()
        let base = height
        defer { height = base }
        while let op = additiveAtCurrent {
            try growTree()
            let location = take().location
            left = .binary(op, left, try parseMultiplicative(), at: location)
        }
        return left
    }

    /// The multiplicative operator the current token is: `*`, `/` or `%`.
    private var multiplicativeAtCurrent: BinaryOperator? {
        switch currentKind {
        case .star: .multiply
        case .slash: .divide
        case .percent: .modulo
        default: nil
        }
    }

    /// `a * b`, `a / b`, `a % b`, left-associative.
    private mutating func parseMultiplicative() throws(ParseFailure) -> Expression {
        var left = try parseUnary()
        let base = height
        defer { height = base }
        while let op = multiplicativeAtCurrent {
            try growTree()
            let location = take().location
            left = .binary(op, left, try parseUnary(), at: location)
        }
        return left
    }

    /// `-x`, `+x`; kept as unary nodes even on literals, so the AST says what was written.
    private mutating func parseUnary() throws(ParseFailure) -> Expression {
        guard at(.minus) || at(.plus) else { return try parsePrimary() }
        let op: UnaryOperator = at(.minus) ? .negate : .plus
        try enterNesting()
        let location = take().location
        defer { leaveNesting() }
        return .unary(op, try parseUnary(), at: location)
    }

    // MARK: Primary expressions

    /// Literals, names, calls, CAST, CASE, parentheses.
    private mutating func parsePrimary() throws(ParseFailure) -> Expression {
        switch currentKind {
        case .integer, .decimal, .string, .keyword(.true), .keyword(.false), .keyword(.null):
            return parseLiteral()
        case .keyword(.case):
            return try parseCase()
        case .keyword(.currentDate), .keyword(.currentTime), .keyword(.currentTimestamp),
             .keyword(.localTime), .keyword(.localTimestamp):
            return try parseKeywordFunction()
        case .leftParen:
            return try parseParenthesized()
        case .identifier:
            return try parseWordExpression()
        case .quotedIdentifier:
            // `"count"(x)` calls count, as in Trino.
            return peekKind() == .leftParen ? try parseFunctionCall() : try parseColumn()
        default:
            throw unexpected("an expression", afterPrevious: true)
        }
    }

    /// A number, string, TRUE, FALSE or NULL; the caller has checked that one is here.
    private mutating func parseLiteral() -> Expression {
        let token = take()
        switch token.kind {
        case .integer:
            // Too big for Int64: keep the digits as a decimal rather than fail, as Trino does.
            if let value = Int64(token.text) { return .integer(value, at: token.location) }
            return .decimal(token.text, at: token.location)
        case .decimal:
            return .decimal(token.text, at: token.location)
        case .keyword(.true), .keyword(.false):
            return .boolean(token.kind == .keyword(.true), at: token.location)
        case .keyword(.null):
            return .null(at: token.location)
        default:
            return .string(token.text, at: token.location)
        }
    }

    /// An expression that starts with an unquoted word: a column, a function call, a typed
    /// literal (`DATE '2024-01-05'`), an interval, CAST or EXTRACT.
    ///
    /// What follows the word decides, so `date`, `DATE(x)` and `DATE 'x'` are a column, a call
    /// and a literal respectively.
    private mutating func parseWordExpression() throws(ParseFailure) -> Expression {
        let next = peekKind()
        if next == .leftParen {
            switch current.text.lowercased() {
            case "cast", "try_cast": return try parseCast()
            case "extract": return try parseExtract()
            default: return try parseFunctionCall()
            }
        }
        if current.isWord("interval"),
           next == .string || (next == .minus || next == .plus) && peekKind(2) == .string {
            return try parseInterval()
        }
        if next == .string {
            return parseTypedLiteral()
        }
        return try parseColumn()
    }

    /// `DATE '2024-01-05'`, `TIMESTAMP '...'`, or any `type 'value'`, as Trino allows; the
    /// planner decides which types it supports.
    private mutating func parseTypedLiteral() -> Expression {
        let type = take()
        let value = take()
        return .typedLiteral(type: type.text.lowercased(), value: value.text, at: type.location)
    }

    /// `name`, `t.name`, `db.t.name`; the location is the column name's own.
    private mutating func parseColumn() throws(ParseFailure) -> Expression {
        var parts = [take()]
        while at(.dot) {
            if peekKind() == .star {
                throw ParseFailure(.syntax, "'\(parts.map(\.text).joined(separator: ".")).*' can only stand alone as a select item",
                                   at: currentLocation)
            }
            advance()
            guard current.isName else { throw unexpected("a column name", afterPrevious: true) }
            parts.append(take())
        }
        let name = parts[parts.count - 1]
        var table: String? = nil
        if parts.count > 1 {
            table = parts.dropLast().map(\.text).joined(separator: ".")
            qualifiers.append((table!, parts[0].location))
        }
        return .column(name: name.text, quoted: name.kind == .quotedIdentifier, table: table, at: name.location)
    }

    /// `f()`, `f(*)`, `f(DISTINCT a, ...)`; the name is lowercased.
    private mutating func parseFunctionCall() throws(ParseFailure) -> Expression {
        let name = take()
        advance()  // (
        var arguments: [Expression] = []
        var distinct = false
        var star = false
        if at(.star) && peekKind() == .rightParen {
            advance()
            star = true
        } else if !at(.rightParen) {
            distinct = parseSetQuantifier()
            // `array_agg(DISTINCT(dstaddr))` needs nothing special: `(dstaddr)` is an argument.
            repeat {
                arguments.append(try parseExpression())
            } while consume(.comma)
        }
        guard at(.rightParen) else { throw unclosedCall(empty: star || arguments.isEmpty) }
        advance()
        if let error = unsupportedAfterCall() { throw error }
        return .function(name: name.text.lowercased(), arguments: arguments, distinct: distinct, star: star,
                         at: name.location)
    }

    /// `DISTINCT` (true) or `ALL` (the default spelled out) at the start of a call's arguments.
    private mutating func parseSetQuantifier() -> Bool {
        if consume(.distinct) { return true }
        // ALL is not reserved: `count(all)` counts a column named all.
        if current.isWord("all") && peekKind() != .comma && peekKind() != .rightParen {
            advance()
        }
        return false
    }

    /// The error for a call's arguments that do not end in `)`.
    private func unclosedCall(empty: Bool) -> ParseFailure {
        if at(.order) { return unsupported("ORDER BY inside a function call is not supported") }
        return unexpected(empty ? "')'" : "',' or ')'")
    }

    /// The error for what may follow a call but flowq does not support: `OVER (...)` and
    /// `FILTER (WHERE ...)`.
    private func unsupportedAfterCall() -> ParseFailure? {
        if current.isWord("over") && (peekKind() == .leftParen || peekKind() == .identifier) {
            return unsupported("window functions (OVER) are not supported")
        }
        if current.isWord("filter") && peekKind() == .leftParen {
            return unsupported("FILTER clauses on aggregates are not supported; use CASE inside the aggregate")
        }
        return nil
    }

    /// `CAST(x AS type)` or `TRY_CAST(x AS type)`.
    private mutating func parseCast() throws(ParseFailure) -> Expression {
        let cast = take()
        let spelled = cast.text.uppercased()
        advance()  // (
        let value = try parseExpression()
        try expect(.as, "AS and a type in \(spelled)")
        let type = try parseTypeName()
        try expect(.rightParen, "')' to close \(spelled)")
        return .cast(value, type: type, isTry: spelled == "TRY_CAST", at: cast.location)
    }

    /// A type name, lowercased, with parameters kept: `bigint`, `varchar(10)`, `decimal(10,2)`,
    /// `array(varchar)`, `double precision`, `timestamp(3) with time zone`.
    private mutating func parseTypeName() throws(ParseFailure) -> String {
        guard at(.identifier) else { throw unexpected("a type name", afterPrevious: true) }
        var type = take().text.lowercased()
        if type == "double", consumeWord("precision") {
            type += " precision"
        }
        if consume(.leftParen) {
            var parameters: [String] = []
            repeat {
                if at(.integer) {
                    parameters.append(take().text)
                } else if at(.identifier) && peekKind() == .identifier {
                    // A `row(name type, ...)` field.
                    let field = take().text.lowercased()
                    parameters.append(field + " " + (try parseTypeName()))
                } else {
                    parameters.append(try parseTypeName())
                }
            } while consume(.comma)
            try expect(.rightParen, "',' or ')' in the type parameters")
            type += "(" + parameters.joined(separator: ",") + ")"
        }
        if type.hasPrefix("time"), at(.with) || current.isWord("without") {
            let with = take().text.lowercased()
            guard consumeWord("time"), consumeWord("zone") else {
                throw unexpected("TIME ZONE", afterPrevious: true)
            }
            type += " \(with) time zone"
        }
        return type
    }

    /// Date and time fields EXTRACT accepts, and the Trino function each one is the same as.
    private static let extractFields: [String: String] = [
        "year": "year", "quarter": "quarter", "month": "month", "week": "week", "day": "day",
        "day_of_month": "day_of_month", "day_of_week": "day_of_week", "dow": "day_of_week",
        "day_of_year": "day_of_year", "doy": "day_of_year", "year_of_week": "year_of_week",
        "yow": "year_of_week", "hour": "hour", "minute": "minute", "second": "second",
        "timezone_hour": "timezone_hour", "timezone_minute": "timezone_minute",
    ]

    /// `EXTRACT(field FROM x)`, which Trino defines as the function named for the field, so
    /// it becomes that call (`EXTRACT(HOUR FROM ts)` is `hour(ts)`) and needs no AST case.
    private mutating func parseExtract() throws(ParseFailure) -> Expression {
        let extract = take()
        advance()  // (
        guard at(.identifier), let function = Self.extractFields[current.text.lowercased()] else {
            throw unexpected("a date or time field such as YEAR, MONTH, DAY or HOUR", afterPrevious: true)
        }
        advance()
        try expect(.from, "FROM after the field in EXTRACT")
        let value = try parseExpression()
        try expect(.rightParen, "')' to close EXTRACT")
        return .function(name: function, arguments: [value], distinct: false, star: false, at: extract.location)
    }

    /// Interval units, plural spellings included, by their singular.
    private static let intervalUnits: [String: String] = [
        "year": "year", "years": "year", "month": "month", "months": "month", "week": "week", "weeks": "week",
        "day": "day", "days": "day", "hour": "hour", "hours": "hour", "minute": "minute", "minutes": "minute",
        "second": "second", "seconds": "second",
    ]

    /// `INTERVAL '7' DAY`, `INTERVAL -'1' HOUR`; a sign in the string is kept as written.
    private mutating func parseInterval() throws(ParseFailure) -> Expression {
        let interval = take()
        let sign = take()
        var value = sign.text
        if sign.kind != .string {
            let text = take().text
            // A sign outside the string flips the one inside, so `-'-1'` is `1`.
            if sign.kind == .minus {
                value = text.hasPrefix("-") ? String(text.dropFirst()) : "-" + text
            } else {
                value = text
            }
        }
        guard at(.identifier), let unit = Self.intervalUnits[current.text.lowercased()] else {
            throw unexpected("an interval unit (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE or SECOND)", afterPrevious: true)
        }
        advance()
        if current.isWord("to"), Self.intervalUnits[peek().text.lowercased()] != nil {
            throw unsupported("interval ranges such as DAY TO SECOND are not supported")
        }
        return .interval(value: value, unit: unit, at: interval.location)
    }

    /// `current_date`, `current_timestamp`, `localtimestamp`, ...; written without parentheses.
    private mutating func parseKeywordFunction() throws(ParseFailure) -> Expression {
        let token = take()
        let name = token.text.lowercased()
        if at(.leftParen) {
            // Trino accepts a precision on the time ones, `current_timestamp(3)`; flowq does not.
            if token.kind != .keyword(.currentDate), peekKind() == .integer {
                throw unsupported("a precision for \(name) is not supported; write \(name) alone")
            }
            throw ParseFailure(.syntax, "\(name) is written without parentheses", at: currentLocation)
        }
        return .keywordFunction(name: name, at: token.location)
    }

    /// `CASE [operand] WHEN c THEN r ... [ELSE e] END`.
    private mutating func parseCase() throws(ParseFailure) -> Expression {
        let location = take().location
        var operand: Expression? = nil
        if !at(.when) {
            guard canStartExpression(current) else { throw unexpected("WHEN", afterPrevious: true) }
            operand = try parseExpression()
        }
        var branches: [CaseBranch] = []
        while consume(.when) {
            let condition = try parseExpression()
            try expect(.then, "THEN", afterPrevious: true)
            branches.append(CaseBranch(condition: condition, result: try parseExpression()))
        }
        guard !branches.isEmpty else { throw unexpected("WHEN", afterPrevious: true) }
        var otherwise: Expression? = nil
        if consume(.else) {
            otherwise = try parseExpression()
        }
        guard at(.end) else { throw unclosedCase(openedAt: location, hasElse: otherwise != nil) }
        advance()
        return .caseWhen(operand: operand, branches: branches, otherwise: otherwise, at: location)
    }

    /// The error for a CASE without its END.
    private func unclosedCase(openedAt location: SourceLocation, hasElse: Bool) -> ParseFailure {
        unexpected("\(hasElse ? "END" : "WHEN, ELSE or END") to close the CASE at \(location)")
    }

    /// `(expression)`; a comma inside means a row constructor or lambda parameters, which are
    /// not supported.
    private mutating func parseParenthesized() throws(ParseFailure) -> Expression {
        let location = take().location
        let inner = try parseExpression()
        guard at(.rightParen) else { throw unclosedParenthesis(openedAt: location) }
        advance()
        return inner
    }

    /// The error for a parenthesis that does not close after one expression.
    private func unclosedParenthesis(openedAt location: SourceLocation) -> ParseFailure {
        guard at(.comma) else { return unexpected("')' to match the '(' at \(location)") }
        if let arrow = arrowAfterClosingParenthesis() {
            return ParseFailure(.unsupported, "lambda expressions (->) are not supported", at: arrow)
        }
        return ParseFailure(.unsupported, "row constructors such as (a, b) are not supported", at: location)
    }

    /// Where `->` stands right after the `)` that closes the parenthesis the parser is in, if
    /// it does: `(a, b) -> a + b` is a lambda, not a row.
    private func arrowAfterClosingParenthesis() -> SourceLocation? {
        var depth = 1
        var distance = 0
        while true {
            let token = peek(distance)
            switch token.kind {
            case .leftParen: depth += 1
            case .rightParen:
                depth -= 1
                if depth == 0 {
                    let after = peek(distance + 1)
                    return after.kind == .arrow ? after.location : nil
                }
            case .endOfInput, .invalid: return nil
            default: break
            }
            distance += 1
        }
    }
}
