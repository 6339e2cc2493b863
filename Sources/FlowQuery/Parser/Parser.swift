/// The entry point of the query language: text in, checked-for-shape `SelectStatement` out.
public enum QueryParser {
    /// Parses one read-only SELECT statement.
    ///
    /// Throws `QueryError` with kind `.syntax` for text that is not SQL, `.unsupported` for SQL
    /// flowq does not run (joins, subqueries, window functions, ...), `.refused` for anything
    /// but a single SELECT, and `.unknownName` for a column qualifier that does not name the
    /// table in FROM. Every error except "the query is empty" carries a location.
    public static func parse(_ text: String) throws(QueryError) -> SelectStatement {
        var parser = Parser(text)
        do {
            return try parser.parseStatement()
        } catch {
            throw error.error
        }
    }
}

/// A `QueryError` on its way out of the parser, in a box.
///
/// The parser throws this instead of `QueryError` itself for the sake of its stack: a typed
/// error is handed back through stack slots at every `try`, and in debug builds each call site
/// gets its own, so the 72-byte `QueryError` made each level of expression nesting cost about
/// 40% more stack (see `Parser.maximumDepth`). One reference travels in a register.
final class ParseFailure: Error {
    /// The error to report.
    let error: QueryError

    /// Boxes `error`.
    init(_ error: QueryError) {
        self.error = error
    }

    /// Boxes a new error; the arguments are `QueryError.init`'s.
    convenience init(_ kind: QueryError.Kind, _ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.init(QueryError(kind, message, at: location, hint: hint))
    }
}

/// A hand-written recursive-descent parser over the tokens of one query.
///
/// This file holds the token plumbing, error reporting and the statement's clauses;
/// `Parser+Expressions.swift` holds the expression grammar.
struct Parser {
    /// All tokens, ending with `.endOfInput` or `.invalid`.
    private let tokens: [Token]
    /// The lexer's error, reported when the parser reaches the `.invalid` token.
    private let lexError: QueryError?
    /// The index of the current token.
    private var index = 0
    /// Column and `t.*` qualifiers seen, checked against the FROM table once it is known.
    var qualifiers: [(name: String, location: SourceLocation)] = []
    /// How many nested parentheses, calls, CASEs and prefix operators enclose the current token.
    var depth = 0
    /// How tall the expression tree around the current token is: `depth` plus the operators
    /// chained to the left of it (`a + b + c` is two levels tall at `c`).
    var height = 0

    /// The deepest nesting accepted (parentheses, call arguments, CASE parts, prefix operators).
    ///
    /// Parsing recurses about ten calls per level. Measured in a debug build, a level of
    /// nested calls takes about 9 KB of stack, so 32 levels fit a 512 KB stack (macOS's size for
    /// secondary threads, where Swift concurrency runs the planner) with room left for the
    /// caller; a release build needs a fraction of that. Real queries nest a handful of levels.
    static let maximumDepth = 32
    /// The tallest expression tree accepted: the tree is compared, planned and freed
    /// recursively, so a chain of ten thousand ORs must fail here rather than crash later.
    /// Chains of one operator (`a OR b OR ...`) count one level per operator.
    static let maximumHeight = 1_000
    /// The most values an `IN (...)` list may hold.
    static let maximumInListItems = 10_000

    /// A parser over `text`.
    init(_ text: String) {
        (tokens, lexError) = Lexer.tokenize(text)
    }

    // MARK: Tokens

    /// The token being looked at.
    ///
    /// The expression parser's hot paths use `currentKind`, `currentLocation` and `peekKind`
    /// instead, and `advance()` rather than `take()` when the token is not needed: in debug
    /// builds every `Token` copy takes its own slot in the caller's stack frame.
    var current: Token { tokens[index] }

    /// The kind of the current token.
    var currentKind: TokenKind { tokens[index].kind }

    /// Where the current token starts.
    var currentLocation: SourceLocation { tokens[index].location }

    /// The token `distance` places after the current one (the last token when past the end).
    func peek(_ distance: Int = 1) -> Token {
        tokens[min(index + distance, tokens.count - 1)]
    }

    /// The kind of the token `distance` places after the current one.
    func peekKind(_ distance: Int = 1) -> TokenKind {
        tokens[min(index + distance, tokens.count - 1)].kind
    }

    /// The token before the current one, for "after X" in messages.
    var previous: Token? {
        index > 0 ? tokens[index - 1] : nil
    }

    /// Moves to the next token; never moves past the last one.
    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    /// Returns the current token and moves to the next.
    mutating func take() -> Token {
        let token = tokens[index]
        advance()
        return token
    }

    /// True when the current token is `kind`.
    func at(_ kind: TokenKind) -> Bool {
        tokens[index].kind == kind
    }

    /// True when the current token is `keyword`.
    func at(_ keyword: Keyword) -> Bool {
        tokens[index].kind == .keyword(keyword)
    }

    /// Moves past the current token if it is `kind`, and says whether it did.
    @discardableResult
    mutating func consume(_ kind: TokenKind) -> Bool {
        guard at(kind) else { return false }
        advance()
        return true
    }

    /// Moves past the current token if it is `keyword`, and says whether it did.
    @discardableResult
    mutating func consume(_ keyword: Keyword) -> Bool {
        guard at(keyword) else { return false }
        advance()
        return true
    }

    /// Moves past the current token if it is the non-reserved word `word`, and says whether it did.
    @discardableResult
    mutating func consumeWord(_ word: String) -> Bool {
        guard tokens[index].isWord(word) else { return false }
        advance()
        return true
    }

    /// Consumes a token of `kind`, or fails with "expected `expected` [after 'X'] but found ...".
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ expected: String, afterPrevious: Bool = false) throws(ParseFailure) -> Token {
        guard at(kind) else { throw unexpected(expected, afterPrevious: afterPrevious) }
        return take()
    }

    /// Consumes `keyword`, or fails with "expected `expected` [after 'X'] but found ...".
    @discardableResult
    mutating func expect(_ keyword: Keyword, _ expected: String, afterPrevious: Bool = false) throws(ParseFailure) -> Token {
        guard at(keyword) else { throw unexpected(expected, afterPrevious: afterPrevious) }
        return take()
    }

    // MARK: Errors

    /// The error for a current token that does not fit: "expected `expected` but found 'X'".
    ///
    /// Some tokens mean the query uses a feature flowq lacks rather than being malformed, and
    /// wherever the parser trips over them it says so instead; and the `.invalid` token stands
    /// for the lexer's own error.
    func unexpected(_ expected: String) -> ParseFailure {
        let token = current
        switch token.kind {
        case .invalid:
            if let lexError { return ParseFailure(lexError) }
        case .arrow:
            return ParseFailure(.unsupported, "lambda expressions (->) are not supported", at: token.location)
        case .leftBracket:
            return ParseFailure(.unsupported, "arrays and subscripts ([...]) are not supported", at: token.location)
        case .keyword(.select) where previous?.kind == .leftParen:
            return Self.subqueryError(at: previous?.location ?? token.location)
        case .endOfInput:
            return ParseFailure(.syntax, "expected \(expected) but the query ended", at: token.location)
        default:
            break
        }
        return ParseFailure(.syntax, "expected \(expected) but found \(token.quotedForMessage)", at: token.location,
                            hint: Self.hint(for: token))
    }

    /// A hint for two slips that produce confusing messages otherwise.
    private static func hint(for token: Token) -> String? {
        switch token.kind {
        case .quotedIdentifier:
            return "double quotes make a name; write strings in single quotes ('...')"
        case .keyword(.end):
            // The flow log column `end` collides with CASE's END.
            return "END is a reserved word; to use the column, write \"end\""
        default:
            return nil
        }
    }

    /// The same, with "after 'X'" naming the previous token when `afterPrevious` is set.
    ///
    /// Callers pass string literals and let this build the message: in debug builds every
    /// interpolation takes stack space in the caller's frame, and the expression parser's
    /// frames are on the recursion path, where their size limits how deep a query may nest.
    func unexpected(_ expected: String, afterPrevious: Bool) -> ParseFailure {
        guard afterPrevious, let previous else { return unexpected(expected) }
        return unexpected("\(expected) after \(previous.quotedForMessage)")
    }

    /// A `.unsupported` error at the current token.
    func unsupported(_ message: String) -> ParseFailure {
        ParseFailure(.unsupported, message, at: currentLocation)
    }

    /// `(SELECT ...)` anywhere.
    static func subqueryError(at location: SourceLocation) -> ParseFailure {
        ParseFailure(.unsupported, "subqueries (SELECT inside parentheses) are not supported", at: location)
    }

    // MARK: Statement

    /// Statement words that are not SELECT; recognised so the refusal can name them instead of
    /// calling them a syntax error.
    private static let refusedStatements: Set<String> = [
        "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "CREATE", "DROP", "ALTER", "ATTACH", "DETACH",
        "PRAGMA", "VACUUM", "REINDEX", "ANALYZE", "REPLACE", "TRUNCATE", "GRANT", "REVOKE", "DENY", "SET",
        "RESET", "BEGIN", "START", "COMMIT", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "END", "EXPLAIN",
        "SHOW", "DESCRIBE", "DESC", "USE", "CALL", "PREPARE", "EXECUTE", "DEALLOCATE", "REFRESH", "COMMENT",
        "COPY", "LOAD", "UNLOAD", "LOCK", "UNLOCK", "MSCK", "OPTIMIZE", "KILL", "VALUES", "TABLE",
    ]

    /// The whole query: one SELECT, an optional `;`, nothing after.
    mutating func parseStatement() throws(ParseFailure) -> SelectStatement {
        try checkStatementStart()
        let statement = try parseSelect()
        if consume(.semicolon), !at(.endOfInput) {
            if at(.invalid) || at(.semicolon) {
                throw unexpected("the end of the query after ';'")
            }
            throw ParseFailure(.refused, "only one statement may be given; found a second statement after ';'",
                               at: currentLocation)
        }
        try checkQualifiers(against: [statement.from] + statement.joins.map(\.table))
        return statement
    }

    /// Refuses what is not a SELECT before trying to parse it as one.
    private mutating func checkStatementStart() throws(ParseFailure) {
        if tokens.allSatisfy({ $0.kind == .semicolon || $0.kind == .endOfInput }) {
            throw ParseFailure(.refused, "the query is empty")
        }
        let token = current
        switch token.kind {
        case .keyword(.select):
            return
        case .keyword(.with):
            throw ParseFailure(.unsupported, "WITH clauses (common table expressions) are not supported", at: token.location)
        case .leftParen where peek().keyword == .select || peek().keyword == .with:
            throw ParseFailure(.unsupported, "a query in parentheses is not supported; remove the outer parentheses",
                               at: token.location)
        case .identifier where Self.refusedStatements.contains(token.text.uppercased()),
             .keyword where Self.refusedStatements.contains(token.text.uppercased()):
            throw ParseFailure(
                .refused, "flowq runs only read-only SELECT queries; '\(token.text.uppercased())' statements are refused",
                at: token.location)
        default:
            throw unexpected("SELECT")
        }
    }

    /// The clauses after FROM, in the order SQL requires them.
    private enum Clause: Int, Comparable {
        case from, `where`, groupBy, having, orderBy, limit

        /// As written in SQL.
        var name: String {
            switch self {
            case .from: "FROM"
            case .where: "WHERE"
            case .groupBy: "GROUP BY"
            case .having: "HAVING"
            case .orderBy: "ORDER BY"
            case .limit: "LIMIT"
            }
        }

        static func < (a: Clause, b: Clause) -> Bool { a.rawValue < b.rawValue }
    }

    /// The clause the current token starts, if any.
    private var clauseAtCurrent: Clause? {
        switch currentKind {
        case .keyword(.from): .from
        case .keyword(.where): .where
        case .keyword(.group): .groupBy
        case .keyword(.having): .having
        case .keyword(.order): .orderBy
        case .identifier where current.isWord("limit"): .limit
        default: nil
        }
    }

    /// `SELECT ... FROM ... [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]`.
    private mutating func parseSelect() throws(ParseFailure) -> SelectStatement {
        try expect(.select, "SELECT")
        var distinct = false
        if consume(.distinct) {
            distinct = true
        } else {
            // `SELECT ALL` is the default spelled out; ALL is not reserved, so it is a word here.
            consumeWord("all")
        }
        var items: [SelectItem] = []
        repeat {
            items.append(try parseSelectItem())
        } while consume(.comma)
        guard at(.from) else { throw unexpected("',' or FROM") }
        advance()
        var statement = SelectStatement(distinct: distinct, items: items, from: try parseTableReference())
        statement.joins = try parseJoins()

        var last = Clause.from
        if consume(.where) {
            statement.filter = try parseExpression()
            last = .where
        }
        if at(.group) {
            advance()
            try expect(.by, "BY", afterPrevious: true)
            statement.groupBy = try parseGroupingList()
            last = .groupBy
        }
        if consume(.having) {
            statement.having = try parseExpression()
            last = .having
        }
        if at(.order) {
            advance()
            try expect(.by, "BY", afterPrevious: true)
            repeat {
                statement.orderBy.append(try parseOrderItem())
            } while consume(.comma)
            last = .orderBy
        }
        if consumeWord("limit") {
            statement.limit = try parseLimit()
            last = .limit
        }
        guard at(.endOfInput) || at(.semicolon) else { throw clauseTailError(after: last) }
        return statement
    }

    /// The error for a token where only a later clause or the end may come: names unsupported
    /// clauses, misplaced ones, and otherwise lists what could follow.
    private func clauseTailError(after last: Clause) -> ParseFailure {
        let token = current
        switch token.kind {
        case .keyword(.union), .keyword(.intersect), .keyword(.except):
            return ParseFailure(.unsupported, "set operations (\(token.text.uppercased())) are not supported",
                                at: token.location)
        case .identifier where token.isWord("offset"):
            return ParseFailure(.unsupported, "OFFSET is not supported", at: token.location)
        case .identifier where token.isWord("fetch"):
            return ParseFailure(.unsupported, "FETCH FIRST is not supported; use LIMIT", at: token.location)
        case .identifier where token.isWord("window"):
            return ParseFailure(.unsupported, "window functions (WINDOW) are not supported", at: token.location)
        default:
            break
        }
        if let clause = clauseAtCurrent {
            let message = clause == last || clause == .from
                ? "only one \(clause.name) clause is allowed"
                : "\(clause.name) must come before \(last.name)"
            return ParseFailure(.syntax, message, at: token.location)
        }
        var next = [Clause.where, .groupBy, .having, .orderBy, .limit].filter { $0 > last }.map(\.name)
        if last == .groupBy || last == .orderBy { next.insert("','", at: 0) }
        next.append("the end of the query")
        let expected = next.count == 1 ? next[0] : next.dropLast().joined(separator: ", ") + " or " + next[next.count - 1]
        return unexpected(expected)
    }

    // MARK: Select list

    /// `*`, `t.*`, or `expression [[AS] alias]`.
    private mutating func parseSelectItem() throws(ParseFailure) -> SelectItem {
        if at(.star) {
            return .star(table: nil, at: take().location)
        }
        if let qualified = parseQualifiedStar() {
            return qualified
        }
        guard canStartExpression(current) else { throw unexpected("an expression or '*'", afterPrevious: true) }
        let expression = try parseExpression()
        if consume(.as) {
            guard current.isName else { throw unexpected("a column alias", afterPrevious: true) }
            return .expression(expression, alias: take().text)
        }
        // Without AS, any name is an alias; reserved words such as FROM never are.
        if current.isName {
            return .expression(expression, alias: take().text)
        }
        return .expression(expression, alias: nil)
    }

    /// `t.*` or `db.t.*`, recognised by looking ahead so `t.col` still parses as a column.
    private mutating func parseQualifiedStar() -> SelectItem? {
        var distance = 0
        while peek(distance).isName, peek(distance + 1).kind == .dot {
            distance += 2
        }
        guard distance > 0, peek(distance).kind == .star else { return nil }
        let first = current
        var parts: [String] = []
        while !at(.star) {
            parts.append(take().text)
            advance()  // the dot
        }
        advance()  // the star
        qualifiers.append((parts.joined(separator: "."), first.location))
        return .star(table: parts.joined(separator: "."), at: first.location)
    }

    // MARK: FROM

    /// Unquoted words that end a table reference rather than alias it: Trino does not reserve
    /// them, but `FROM flows LIMIT 10` must not read as the alias `LIMIT`.
    private static let nonAliasWords: Set<String> = ["limit", "offset", "fetch", "tablesample", "window", "on", "using"]

    /// `name[.name...] [[AS] alias]`, and the unsupported things that may follow it.
    private mutating func parseTableReference() throws(ParseFailure) -> TableReference {
        if at(.leftParen) {
            if peek().keyword == .select || peek().keyword == .with {
                throw Self.subqueryError(at: currentLocation)
            }
            throw unexpected("a table name", afterPrevious: true)
        }
        guard current.isName else { throw unexpected("a table name", afterPrevious: true) }
        let first = take()
        var parts = [first.text]
        while at(.dot) {
            advance()
            guard current.isName else { throw unexpected("a name", afterPrevious: true) }
            parts.append(take().text)
        }
        if at(.leftParen) {
            throw ParseFailure(.unsupported, "table functions such as \(first.text)(...) are not supported; "
                               + "flowq queries one table", at: first.location)
        }
        var table = TableReference(name: parts.joined(separator: "."), location: first.location)
        if consume(.as) {
            guard current.isName else { throw unexpected("a table alias", afterPrevious: true) }
            table.alias = take().text
        } else if at(.quotedIdentifier) || (at(.identifier) && !Self.nonAliasWords.contains(current.text.lowercased())) {
            table.alias = take().text
        }

        let token = current
        switch token.kind {
        case .comma:
            throw ParseFailure(.unsupported, "several tables separated by commas are not supported; write JOIN ... ON",
                               at: token.location)
        case .identifier where token.isWord("tablesample"):
            throw ParseFailure(.unsupported, "TABLESAMPLE is not supported", at: token.location)
        default:
            return table
        }
    }

    /// `[INNER] JOIN t ON c` and `LEFT [OUTER] JOIN t ON c`, as many as written; the other
    /// kinds of join are named as unsupported.
    private mutating func parseJoins() throws(ParseFailure) -> [JoinClause] {
        var joins: [JoinClause] = []
        while true {
            let start = current
            let kind: JoinClause.Kind
            switch start.kind {
            case .keyword(.join):
                kind = .inner
            case .keyword(.inner):
                advance()
                guard at(.join) else { throw unexpected("JOIN", afterPrevious: true) }
                kind = .inner
            case .keyword(.left):
                advance()
                consumeWord("outer")
                guard at(.join) else { throw unexpected("JOIN", afterPrevious: true) }
                kind = .left
            case .keyword(.right), .keyword(.full):
                throw ParseFailure(.unsupported, "\(start.text.uppercased()) JOIN is not supported; flowq runs JOIN and LEFT JOIN "
                                   + "with the flow table on the left", at: start.location)
            case .keyword(.cross), .keyword(.natural):
                throw ParseFailure(.unsupported, "\(start.text.uppercased()) JOIN is not supported; write JOIN ... ON with an equality",
                                   at: start.location)
            default:
                return joins
            }
            advance()  // JOIN
            let table = try parseTableReference()
            if current.isWord("using") {
                throw ParseFailure(.unsupported, "JOIN ... USING is not supported; write ON a.column = b.column", at: currentLocation)
            }
            guard consumeWord("on") else { throw unexpected("ON", afterPrevious: true) }
            let condition = try parseExpression()
            joins.append(JoinClause(kind: kind, table: table, condition: condition, location: start.location))
        }
    }

    /// Reports a qualifier such as `g.srcaddr` that names neither the table nor its alias.
    ///
    /// The AST keeps only the column name, so this is the one place the qualifier can be
    /// checked. As in Trino, once the table has an alias only the alias may qualify; names
    /// compare without regard to letter case.
    private func checkQualifiers(against tables: [TableReference]) throws(ParseFailure) {
        var allowed: [String] = []
        for table in tables {
            if let alias = table.alias {
                allowed.append(alias.lowercased())
            } else {
                let name = table.name.lowercased()
                allowed += [name, String(name.split(separator: ".").last ?? Substring(name))]
            }
        }
        for (name, location) in qualifiers where !allowed.contains(name.lowercased()) {
            let names = tables.map { table in table.alias.map { "'\($0)'" } ?? "'\(table.name)'" }
            let hint = tables.count == 1
                ? (tables[0].alias.map { "the table is called '\($0)' in this query" } ?? "the table in FROM is '\(tables[0].name)'")
                : "the tables are called \(names.joined(separator: ", ")) in this query"
            throw ParseFailure(.unknownName, "unknown table or alias '\(name)'", at: location, hint: hint)
        }
    }

    // MARK: GROUP BY, ORDER BY, LIMIT

    /// `GROUP BY e, ...`; ROLLUP, CUBE and GROUPING SETS are named as unsupported.
    private mutating func parseGroupingList() throws(ParseFailure) -> [Expression] {
        var list: [Expression] = []
        repeat {
            if (current.isWord("rollup") || current.isWord("cube")) && peekKind() == .leftParen
                || current.isWord("grouping") && peek().isWord("sets") {
                throw ParseFailure(.unsupported, "GROUPING SETS, ROLLUP and CUBE are not supported", at: currentLocation)
            }
            list.append(try parseExpression())
        } while consume(.comma)
        return list
    }

    /// `e [ASC|DESC] [NULLS FIRST|LAST]`.
    private mutating func parseOrderItem() throws(ParseFailure) -> OrderItem {
        var item = OrderItem(expression: try parseExpression())
        if consumeWord("asc") {
            item.ascending = true
        } else if consumeWord("desc") {
            item.ascending = false
        }
        if consumeWord("nulls") {
            if consumeWord("first") {
                item.nullsFirst = true
            } else if consumeWord("last") {
                item.nullsFirst = false
            } else {
                throw unexpected("FIRST or LAST", afterPrevious: true)
            }
        }
        return item
    }

    /// `LIMIT n` or `LIMIT ALL` (nil).
    private mutating func parseLimit() throws(ParseFailure) -> Int64? {
        if consumeWord("all") { return nil }
        guard at(.integer) else { throw unexpected("a row count or ALL", afterPrevious: true) }
        let count = take()
        guard let value = Int64(count.text) else {
            throw ParseFailure(.syntax, "the LIMIT \(count.text) is too large", at: count.location)
        }
        return value
    }
}
