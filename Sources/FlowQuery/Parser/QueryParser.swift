/// Parses flowq's query language: one read-only `SELECT`, Athena (Trino) syntax.
///
/// Anything else is refused with a message that names it: DDL and DML statements, several
/// statements, and SQL flowq does not support (joins, subqueries, window functions, ...).
public enum QueryParser {
    /// Parses one read-only SELECT statement.
    public static func parse(_ text: String) throws(QueryError) -> SelectStatement {
        let tokens = try Lexer.tokenize(text)
        guard tokens.count > 1 else { throw QueryError(.refused, "the query is empty") }
        var parser = Parser(tokens: tokens)
        return try parser.statement()
    }
}

/// The recursive-descent parser over a token list.
struct Parser {
    var tokens: [Token]
    var position = 0

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    var current: Token { tokens[position] }
    var previous: Token? { position > 0 ? tokens[position - 1] : nil }
    func peek(_ ahead: Int = 1) -> Token { tokens[min(position + ahead, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    /// Consumes the keyword if it is next.
    mutating func accept(_ keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        advance()
        return true
    }

    /// Consumes the symbol if it is next.
    mutating func acceptSymbol(_ symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    mutating func expect(_ keyword: String) throws(QueryError) {
        guard accept(keyword) else { throw expected(keyword.uppercased()) }
    }

    mutating func expectSymbol(_ symbol: String) throws(QueryError) {
        guard acceptSymbol(symbol) else { throw expected("'\(symbol)'") }
    }

    /// `expected X after 'Y' but found Z`, at the offending token.
    func expected(_ what: String) -> QueryError {
        var message = "expected \(what)"
        if let previous { message += " after '\(previous.text)'" }
        message += current.kind == .end ? " but the query ended" : " but found \(current.shown)"
        return QueryError(.syntax, message, at: current.location)
    }

    // MARK: Statement

    /// Statements refused outright, by their first word.
    static let refusedStatements: Set<String> = [
        "insert", "update", "delete", "merge", "create", "drop", "alter", "attach", "detach", "pragma", "vacuum",
        "reindex", "analyze", "replace", "truncate", "grant", "revoke", "set", "begin", "commit", "rollback",
        "explain", "call", "execute", "prepare", "use", "show", "describe", "unload", "msck", "load", "copy",
    ]

    mutating func statement() throws(QueryError) -> SelectStatement {
        let first = current
        if first.kind == .identifier, Self.refusedStatements.contains(first.text.lowercased()) {
            throw QueryError(.refused, "flowq runs only read-only SELECT queries; '\(first.text.uppercased())' statements are refused", at: first.location)
        }
        if first.isKeyword("with") {
            throw QueryError(.unsupported, "WITH (common table expressions) is not supported; write one SELECT", at: first.location)
        }
        if first.isSymbol("(") && peek().isKeyword("select") {
            throw QueryError(.unsupported, "subqueries are not supported", at: first.location)
        }
        guard first.isKeyword("select") else {
            throw QueryError(.syntax, "expected SELECT but found \(first.shown)", at: first.location)
        }
        let select = try selectStatement()
        _ = acceptSymbol(";")
        if current.kind != .end {
            if previous?.isSymbol(";") == true {
                throw QueryError(.refused, "only one statement may be given; found a second statement after ';'", at: current.location)
            }
            for word in ["union", "intersect", "except"] where current.isKeyword(word) {
                throw QueryError(.unsupported, "\(word.uppercased()) is not supported; run the SELECTs one at a time", at: current.location)
            }
            if current.isKeyword("offset") { throw QueryError(.unsupported, "OFFSET is not supported", at: current.location) }
            if current.isKeyword("fetch") { throw QueryError(.unsupported, "FETCH FIRST is not supported; use LIMIT", at: current.location) }
            throw expected("the end of the query")
        }
        return select
    }

    private mutating func selectStatement() throws(QueryError) -> SelectStatement {
        try expect("select")
        var distinct = false
        if accept("distinct") { distinct = true } else { _ = accept("all") }
        var items: [SelectItem] = []
        repeat {
            items.append(try selectItem())
        } while acceptSymbol(",")
        guard current.isKeyword("from") else {
            throw expected("FROM or ','")
        }
        advance()
        let table = try tableReference()
        var statement = SelectStatement(distinct: distinct, items: items, from: table)
        if accept("where") { statement.filter = try expression() }
        if current.isKeyword("group") {
            advance()
            try expect("by")
            for word in ["grouping", "rollup", "cube"] where current.isKeyword(word) {
                throw QueryError(.unsupported, "GROUP BY \(word.uppercased()) is not supported", at: current.location)
            }
            repeat { statement.groupBy.append(try expression()) } while acceptSymbol(",")
        }
        if accept("having") { statement.having = try expression() }
        if current.isKeyword("order") {
            advance()
            try expect("by")
            repeat { statement.orderBy.append(try orderItem()) } while acceptSymbol(",")
        }
        if accept("limit") {
            if accept("all") {
                statement.limit = nil
            } else {
                guard current.kind == .integer, let limit = Int64(current.text) else { throw expected("a row count") }
                advance()
                statement.limit = limit
            }
        }
        return statement
    }

    private mutating func selectItem() throws(QueryError) -> SelectItem {
        if current.isSymbol("*") {
            let at = advance().location
            return .star(at: at)
        }
        if current.kind == .identifier || current.kind == .quotedIdentifier, peek().isSymbol("."), peek(2).isSymbol("*") {
            let at = current.location
            advance(); advance(); advance()
            return .star(at: at)
        }
        let value = try expression()
        if accept("as") {
            guard current.kind == .identifier || current.kind == .quotedIdentifier else { throw expected("a column alias") }
            return .expression(value, alias: advance().text)
        }
        if current.kind == .quotedIdentifier || (current.kind == .identifier && !Self.reserved.contains(current.text.lowercased())) {
            return .expression(value, alias: advance().text)
        }
        return .expression(value, alias: nil)
    }

    private mutating func tableReference() throws(QueryError) -> TableReference {
        if current.isSymbol("(") {
            throw QueryError(.unsupported, peek().isKeyword("select") ? "subqueries are not supported" : "only the flow-log table can follow FROM", at: current.location)
        }
        guard current.kind == .identifier || current.kind == .quotedIdentifier, !Self.reserved.contains(current.text.lowercased()) || current.kind == .quotedIdentifier else {
            throw expected("a table name")
        }
        let at = current.location
        var name = advance().text
        while current.isSymbol(".") {
            advance()
            guard current.kind == .identifier || current.kind == .quotedIdentifier else { throw expected("a table name") }
            name += "." + advance().text
        }
        var alias: String? = nil
        if accept("as") {
            guard current.kind == .identifier || current.kind == .quotedIdentifier else { throw expected("a table alias") }
            alias = advance().text
        } else if current.kind == .quotedIdentifier || (current.kind == .identifier && !Self.reserved.contains(current.text.lowercased())) {
            alias = advance().text
        }
        for word in ["join", "inner", "left", "right", "full", "cross", "natural"] where current.isKeyword(word) {
            throw QueryError(.unsupported, "joins are not supported: flowq queries one table", at: current.location)
        }
        if current.isSymbol(",") {
            throw QueryError(.unsupported, "joins are not supported: flowq queries one table", at: current.location)
        }
        if current.isKeyword("tablesample") {
            throw QueryError(.unsupported, "TABLESAMPLE is not supported", at: current.location)
        }
        return TableReference(name: name, alias: alias, location: at)
    }

    private mutating func orderItem() throws(QueryError) -> OrderItem {
        var item = OrderItem(expression: try expression())
        if accept("desc") { item.ascending = false } else { _ = accept("asc") }
        if accept("nulls") {
            if accept("first") { item.nullsFirst = true } else if accept("last") { item.nullsFirst = false } else { throw expected("FIRST or LAST") }
        }
        return item
    }

    /// Words that end or join clauses, so they are never taken as an alias or a column.
    static let reserved: Set<String> = [
        "select", "from", "where", "group", "by", "having", "order", "limit", "and", "or", "not", "in", "is", "null",
        "like", "between", "case", "when", "then", "else", "end", "as", "distinct", "all", "on", "join", "inner",
        "left", "right", "full", "cross", "natural", "union", "intersect", "except", "offset", "fetch", "asc", "desc",
        "nulls", "true", "false", "escape", "with", "tablesample", "window", "over",
    ]
}
