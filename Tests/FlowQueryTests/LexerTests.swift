import Testing
@testable import FlowQuery

/// All tokens of `text` but the final `.endOfInput`, as (kind, text) pairs; fails the test on a
/// lexer error.
private func lex(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Token] {
    let (tokens, error) = Lexer.tokenize(text)
    #expect(error == nil, "unexpected lexer error: \(String(describing: error))", sourceLocation: sourceLocation)
    return Array(tokens.dropLast())
}

/// The lexer's error for a query marked with `1️⃣`, checked to be a syntax error at the marker.
@discardableResult
private func expectLexerError(
    _ marked: String, message: String? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> QueryError? {
    let query = MarkedQuery(marked)
    let error = #expect(throws: QueryError.self, sourceLocation: sourceLocation) {
        var lexer = Lexer(query.text)
        while try lexer.next().kind != .endOfInput {}
    }
    guard let error else { return nil }
    #expect(error.kind == .syntax, sourceLocation: sourceLocation)
    #expect(error.location == query.location, "error at \(String(describing: error.location))", sourceLocation: sourceLocation)
    if let message {
        #expect(error.message == message, sourceLocation: sourceLocation)
    }
    return error
}

@Suite("Lexer: tokens")
struct LexerTokenTests {
    @Test("a query splits into the expected kinds and texts")
    func wholeQuery() {
        let tokens = lex(#"SELECT f.srcaddr, "b""c" FROM t f WHERE x <> 'it''s' AND y >= 1.5e3;"#)
        let expected: [(TokenKind, String)] = [
            (.keyword(.select), "SELECT"), (.identifier, "f"), (.dot, "."), (.identifier, "srcaddr"), (.comma, ","),
            (.quotedIdentifier, #"b"c"#), (.keyword(.from), "FROM"), (.identifier, "t"), (.identifier, "f"),
            (.keyword(.where), "WHERE"), (.identifier, "x"), (.notEqual, "<>"), (.string, "it's"),
            (.keyword(.and), "AND"), (.identifier, "y"), (.greaterOrEqual, ">="), (.decimal, "1.5e3"), (.semicolon, ";"),
        ]
        #expect(tokens.map(\.kind) == expected.map(\.0))
        #expect(tokens.map(\.text) == expected.map(\.1))
    }

    @Test("keywords are recognised in any letter case and keep their spelling", arguments: ["select", "SELECT", "SeLeCt"])
    func keywordCase(spelling: String) {
        let tokens = lex(spelling)
        #expect(tokens.map(\.kind) == [.keyword(.select)])
        #expect(tokens.first?.text == spelling)
    }

    @Test("words that are column names in VPC flow logs are not keywords",
          arguments: ["date", "day", "hour", "year", "start", "action", "type", "version", "protocol",
                      "limit", "asc", "desc", "interval", "timestamp", "over", "all", "try_cast", "cast"])
    func nonReserved(word: String) {
        #expect(lex(word).map(\.kind) == [.identifier])
        #expect(lex(word.uppercased()).map(\.kind) == [.identifier])
    }

    @Test("end, from and the other reserved words are keywords", arguments: [
        ("end", Keyword.end), ("FROM", .from), ("current_date", .currentDate), ("Current_Timestamp", .currentTimestamp),
        ("join", .join), ("union", .union), ("with", .with), ("null", .null), ("between", .between),
    ])
    func reserved(word: String, keyword: Keyword) {
        #expect(lex(word).map(\.kind) == [.keyword(keyword)])
    }

    @Test("numbers", arguments: [
        ("443", TokenKind.integer), ("0", .integer), ("1.5", .decimal), (".5", .decimal), ("1.", .decimal),
        ("1e3", .decimal), ("2.5E-3", .decimal), ("1e+3", .decimal), ("99999999999999999999", .integer),
    ])
    func numbers(text: String, kind: TokenKind) {
        let tokens = lex(text)
        #expect(tokens.map(\.kind) == [kind])
        #expect(tokens.first?.text == text)
    }

    @Test("operators and punctuation", arguments: [
        ("=", TokenKind.equal), ("<>", .notEqual), ("!=", .notEqual), ("<", .less), ("<=", .lessOrEqual),
        (">", .greater), (">=", .greaterOrEqual), ("+", .plus), ("-", .minus), ("*", .star), ("/", .slash),
        ("%", .percent), ("||", .concat), ("(", .leftParen), (")", .rightParen), (",", .comma), (".", .dot),
        (";", .semicolon), ("->", .arrow), ("[", .leftBracket), ("]", .rightBracket),
    ])
    func operators(text: String, kind: TokenKind) {
        #expect(lex(text).map(\.kind) == [kind])
        #expect(lex(text).first?.text == text)
    }

    @Test("operators need no spaces around them")
    func adjacentOperators() {
        #expect(lex("a<=-1").map(\.kind) == [.identifier, .lessOrEqual, .minus, .integer])
        #expect(lex("'a'||'b'").map(\.kind) == [.string, .concat, .string])
        #expect(lex("a<>b").map(\.kind) == [.identifier, .notEqual, .identifier])
        #expect(lex("t.a").map(\.kind) == [.identifier, .dot, .identifier])
        #expect(lex("f(*)").map(\.kind) == [.identifier, .leftParen, .star, .rightParen])
    }

    @Test("strings: '' stands for one quote, and strings may span lines")
    func strings() {
        #expect(lex("'it''s'").map(\.text) == ["it's"])
        #expect(lex("''").map(\.text) == [""])
        #expect(lex("''''").map(\.text) == ["'"])
        #expect(lex("'a\nb'").map(\.text) == ["a\nb"])
        #expect(lex("'héllo 🙂'").map(\.text) == ["héllo 🙂"])
        #expect(lex("'-- not a comment'").map(\.text) == ["-- not a comment"])
    }

    @Test("quoted names: double quotes with \"\" and backquotes with ``")
    func quotedNames() {
        #expect(lex(#""end""#).map(\.kind) == [.quotedIdentifier])
        #expect(lex(#""end""#).map(\.text) == ["end"])
        #expect(lex(#""a""b""#).map(\.text) == [#"a"b"#])
        #expect(lex("`end`").map(\.text) == ["end"])
        #expect(lex("`a``b`").map(\.text) == ["a`b"])
        #expect(lex(#""SELECT""#).map(\.kind) == [.quotedIdentifier])
    }

    @Test("comments are skipped", arguments: [
        "a -- comment\nb", "a /* comment */ b", "a/* multi\nline\ncomment */b", "a -- comment at the end\nb -- x",
        "/**/a/***/b", "a --\nb", "a/* -- */b",
    ])
    func comments(text: String) {
        #expect(lex(text).map(\.text) == ["a", "b"])
    }

    @Test("a minus followed by a minus starts a comment, not two minus signs")
    func doubleMinus() {
        #expect(lex("1 --2\n3").map(\.text) == ["1", "3"])
        #expect(lex("1 - -2").map(\.kind) == [.integer, .minus, .minus, .integer])
    }
}

@Suite("Lexer: locations")
struct LexerLocationTests {
    @Test("line, column and offset across lines")
    func multiLine() {
        let tokens = lex("SELECT a,\n       b\n  FROM t")
        #expect(tokens.map(\.location) == [
            SourceLocation(line: 1, column: 1, offset: 0), SourceLocation(line: 1, column: 8, offset: 7),
            SourceLocation(line: 1, column: 9, offset: 8), SourceLocation(line: 2, column: 8, offset: 17),
            SourceLocation(line: 3, column: 3, offset: 21), SourceLocation(line: 3, column: 8, offset: 26),
        ])
    }

    @Test("columns count characters, offsets count UTF-8 bytes")
    func nonASCII() {
        let accent = lex("'héllo' x")
        #expect(accent.last?.location == SourceLocation(line: 1, column: 9, offset: 9))
        let emoji = lex("'🙂' x")
        #expect(emoji.last?.location == SourceLocation(line: 1, column: 5, offset: 7))
        let flag = lex("\"🇨🇭\" = 'é'\nnext")
        #expect(flag[1].location == SourceLocation(line: 1, column: 5, offset: 11))
        #expect(flag[2].location == SourceLocation(line: 1, column: 7, offset: 13))
        // A new line starts counting afresh, in ASCII again.
        #expect(flag[3].location == SourceLocation(line: 2, column: 1, offset: 18))
    }

    @Test("a line break inside a string or comment moves later tokens to the next line")
    func breaksInsideTokens() {
        let tokens = lex("'a\nbc' x /* \n\n */ y")
        #expect(tokens[1].location == SourceLocation(line: 2, column: 5, offset: 7))
        #expect(tokens[2].location == SourceLocation(line: 4, column: 5, offset: 18))
    }

    @Test("CRLF line ends count as one line break; a tab is one column")
    func crlfAndTabs() {
        let tokens = lex("SELECT\r\n\ta")
        #expect(tokens[1].location == SourceLocation(line: 2, column: 2, offset: 9))
    }

    @Test("the end of input sits right after the last token, not after trailing comments")
    func endOfInput() {
        let (tokens, _) = Lexer.tokenize("SELECT a  -- done\n\n")
        #expect(tokens.last?.kind == .endOfInput)
        #expect(tokens.last?.location == SourceLocation(line: 1, column: 9, offset: 8))
    }

    @Test("the marker helper agrees with the lexer on where a token starts", arguments: [
        "SELECT 1️⃣a", "SELECT\n  1️⃣a", "'é🙂' 1️⃣a", "x\r\n  1️⃣a", "/* 🙂\n é */ 1️⃣a",
    ])
    func markerAgreement(marked: String) {
        let query = MarkedQuery(marked)
        #expect(lex(query.text).last?.location == query.location)
    }
}

@Suite("Lexer: errors")
struct LexerErrorTests {
    @Test("unterminated strings, names and comments point at their opening")
    func unterminated() {
        expectLexerError("SELECT 1️⃣'abc", message: "unterminated string literal: the opening ' has no closing '")
        expectLexerError("SELECT 'a''b' || 1️⃣'it''s")
        expectLexerError("SELECT\n  1️⃣\"abc\nFROM t", message: "unterminated quoted name: the opening \" has no closing \"")
        expectLexerError("SELECT 1️⃣`abc")
        expectLexerError("SELECT a 1️⃣/* never closed\n * FROM t", message: "unterminated comment: '/*' has no closing '*/'")
        expectLexerError("SELECT a /* one */ 1️⃣/* two")
    }

    @Test("characters that cannot start a token", arguments: [
        ("SELECT 1️⃣# FROM t", "unexpected character '#'"),
        ("SELECT a 1️⃣! b", "unexpected character '!'"),
        ("SELECT a 1️⃣| b", "unexpected character '|'"),
        ("SELECT 1️⃣? FROM t", "unexpected character '?'"),
        ("SELECT 1️⃣é FROM t", "unexpected character 'é'"),
        ("SELECT 'é' 1️⃣{", "unexpected character '{'"),
        ("SELECT a,1️⃣\u{A0}b", "unexpected invisible character U+00A0"),
        ("SELECT 1️⃣\u{2018}x\u{2019}", "unexpected character '\u{2018}'"),
    ])
    func unexpectedCharacter(marked: String, message: String) {
        expectLexerError(marked, message: message)
    }

    @Test("hints suggest the likely fix")
    func hints() {
        #expect(expectLexerError("a 1️⃣| b")?.hint == "'||' concatenates strings")
        #expect(expectLexerError("1️⃣\u{2018}x\u{2019}")?.hint == "quote strings with a plain apostrophe (')")
        #expect(expectLexerError("1️⃣\u{201C}x\u{201D}")?.hint == "quote names with a plain double quote (\")")
    }

    @Test("a name cannot start with a digit")
    func digitName() {
        let error = expectLexerError(
            "SELECT 1️⃣1abc FROM t", message: "'1abc' is neither a number nor a name; a name that starts with a digit must be quoted")
        #expect(error?.hint == "write \"1abc\" if it is a column name")
        expectLexerError("SELECT 1️⃣1e FROM t")
        expectLexerError("SELECT 1️⃣1.5x FROM t")
    }

    @Test("an empty quoted name is an error")
    func emptyQuotedName() {
        expectLexerError("SELECT 1️⃣\"\" FROM t", message: "a quoted name cannot be empty")
    }

    @Test("tokenize stops at the error with an invalid token there")
    func tokenizeStops() {
        let (tokens, error) = Lexer.tokenize("SELECT a # b")
        #expect(tokens.map(\.kind) == [.keyword(.select), .identifier, .invalid])
        #expect(tokens.last?.location == SourceLocation(line: 1, column: 10, offset: 9))
        #expect(error?.location == SourceLocation(line: 1, column: 10, offset: 9))
    }
}
