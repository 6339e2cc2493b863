/// One lexical token of a query: what it is, its text, and where it starts.
struct Token: Sendable, Equatable {
    /// What kind of token this is.
    var kind: TokenKind
    /// The token's text. Names, keywords, numbers and operators keep their spelling as written;
    /// strings and quoted names hold their content, without the quotes and with `''` / `""`
    /// escapes undone.
    var text: String
    /// Where the token starts (for `.endOfInput`: just after the last real token).
    var location: SourceLocation

    /// Creates a token.
    init(_ kind: TokenKind, _ text: String, at location: SourceLocation) {
        self.kind = kind
        self.text = text
        self.location = location
    }

    /// The keyword this token is, if it is one.
    var keyword: Keyword? {
        if case .keyword(let keyword) = kind { return keyword }
        return nil
    }

    /// True for an unquoted name spelled `word` in any letter case. Non-reserved words such as
    /// `ASC`, `LIMIT` or `INTERVAL` are lexed as names and recognised by the parser this way,
    /// so the same words still work as column names (`day`, `date`, `end` when quoted, ...).
    func isWord(_ word: String) -> Bool {
        kind == .identifier && text.lowercased() == word
    }

    /// True for a name of either spelling: unquoted or quoted.
    var isName: Bool {
        kind == .identifier || kind == .quotedIdentifier
    }

    /// How the token reads in an error message: `'FROM'`, `the string 'abc'`, `"end"`.
    var quotedForMessage: String {
        switch kind {
        case .string:
            // Long literals would swamp the message; the caret shows which one is meant.
            let shown = text.count > 24 ? String(text.prefix(21)) + "..." : text
            return "the string '\(shown.replacing("'", with: "''"))'"
        case .quotedIdentifier:
            return "\"\(text.replacing("\"", with: "\"\""))\""
        case .endOfInput:
            return "the end of the query"
        default:
            return "'\(text)'"
        }
    }
}

/// The kinds of token the lexer produces.
enum TokenKind: Sendable, Equatable {
    /// An unquoted name or non-reserved word, such as `srcaddr`, `day` or `asc`.
    case identifier
    /// A name written in double quotes (`"end"`) or backquotes.
    case quotedIdentifier
    /// A reserved word such as `SELECT` or `AND`, which can never be a name.
    case keyword(Keyword)
    /// A string literal in single quotes.
    case string
    /// A whole number such as `443`.
    case integer
    /// A number with a point or an exponent: `1.5`, `.5`, `1e3`.
    case decimal
    /// `=`
    case equal
    /// `<>` or `!=`
    case notEqual
    /// `<`
    case less
    /// `<=`
    case lessOrEqual
    /// `>`
    case greater
    /// `>=`
    case greaterOrEqual
    /// `+`
    case plus
    /// `-`
    case minus
    /// `*`
    case star
    /// `/`
    case slash
    /// `%`
    case percent
    /// `||`
    case concat
    /// `(`
    case leftParen
    /// `)`
    case rightParen
    /// `,`
    case comma
    /// `.`
    case dot
    /// `;`
    case semicolon
    /// `->`, lexed only so the parser can say lambdas are not supported.
    case arrow
    /// `[`, lexed only so the parser can say arrays and subscripts are not supported.
    case leftBracket
    /// `]`
    case rightBracket
    /// The end of the query text.
    case endOfInput
    /// Where the lexer stopped on an error; the parser reports that error if it gets this far.
    case invalid
}

/// The reserved words of flowq's SQL.
///
/// Deliberately few: Trino's reserved words that shape the grammar. Everything else (`ASC`,
/// `LIMIT`, `INTERVAL`, `DATE`, `DAY`, `OVER`, ...) is lexed as an identifier and recognised by
/// position, because VPC flow log tables have columns named `date`, `day`, `action`, `start`...
enum Keyword: String, Sendable, CaseIterable {
    case select = "SELECT"
    case from = "FROM"
    case `where` = "WHERE"
    case group = "GROUP"
    case by = "BY"
    case having = "HAVING"
    case order = "ORDER"
    case `as` = "AS"
    case distinct = "DISTINCT"
    case and = "AND"
    case or = "OR"
    case not = "NOT"
    case `is` = "IS"
    case null = "NULL"
    case `true` = "TRUE"
    case `false` = "FALSE"
    case between = "BETWEEN"
    case `in` = "IN"
    case like = "LIKE"
    case escape = "ESCAPE"
    case `case` = "CASE"
    case when = "WHEN"
    case then = "THEN"
    case `else` = "ELSE"
    case end = "END"
    case currentDate = "CURRENT_DATE"
    case currentTime = "CURRENT_TIME"
    case currentTimestamp = "CURRENT_TIMESTAMP"
    case localTime = "LOCALTIME"
    case localTimestamp = "LOCALTIMESTAMP"
    case join = "JOIN"
    case inner = "INNER"
    case left = "LEFT"
    case right = "RIGHT"
    case full = "FULL"
    case cross = "CROSS"
    case natural = "NATURAL"
    case union = "UNION"
    case intersect = "INTERSECT"
    case except = "EXCEPT"
    case with = "WITH"

    /// Keywords by their lowercase spelling, for the lexer's case-insensitive lookup.
    static let byLowercaseName: [String: Keyword] = {
        var table: [String: Keyword] = [:]
        for keyword in allCases { table[keyword.rawValue.lowercased()] = keyword }
        return table
    }()
}
