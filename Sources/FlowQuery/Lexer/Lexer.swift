/// Splits a query into tokens.
///
/// Like swift-syntax's `Cursor`, it walks the UTF-8 bytes of the text rather than its
/// `Character`s: every byte that matters to SQL's grammar is ASCII, and multi-byte characters
/// can only appear inside strings, quoted names and comments, which are copied through whole.
struct Lexer {
    /// The query text as UTF-8.
    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    private var position = 0
    /// The 1-based line of `position`.
    private var line = 1
    /// The offset where the current line starts.
    private var lineStart = 0
    /// Whether the current line has a non-ASCII byte before `position`; only then does a column
    /// need counting in `Character`s instead of taking the byte distance.
    private var lineHasNonASCII = false
    /// Where the last real token ended; `.endOfInput` points here so a "but the query ended"
    /// caret sits right after the last word instead of after trailing blank lines or comments.
    private var lastTokenEnd = SourceLocation.start

    /// A lexer at the start of `text`.
    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Every token of `text`. The list ends with `.endOfInput`, or, when the text cannot be
    /// lexed, with an `.invalid` token at the spot and the error beside it; the parser reports
    /// that error only when it reaches the spot, so an earlier mistake is reported first.
    static func tokenize(_ text: String) -> (tokens: [Token], error: QueryError?) {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            do {
                let token = try lexer.next()
                tokens.append(token)
                if token.kind == .endOfInput { return (tokens, nil) }
            } catch {
                tokens.append(Token(.invalid, "", at: error.location ?? lexer.lastTokenEnd))
                return (tokens, error)
            }
        }
    }

    /// The next token; `.endOfInput` (repeatedly) once the text is used up.
    mutating func next() throws(QueryError) -> Token {
        try skipWhitespaceAndComments()
        guard let byte = peekByte() else {
            return Token(.endOfInput, "", at: lastTokenEnd)
        }
        let start = currentLocation()
        let token: Token
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            token = lexWord(start: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            token = try lexNumber(start: start)
        case UInt8(ascii: ".") where peekByte(1).map(isDigit) ?? false:
            token = try lexNumber(start: start)
        case UInt8(ascii: "'"):
            token = Token(.string, try lexQuoted(closing: byte, start: start, what: "string literal"), at: start)
        case UInt8(ascii: "\""), UInt8(ascii: "`"):
            let name = try lexQuoted(closing: byte, start: start, what: "quoted name")
            // Trino rejects `""` as a name too; an empty column name can only be a slip.
            guard !name.isEmpty else { throw QueryError(.syntax, "a quoted name cannot be empty", at: start) }
            token = Token(.quotedIdentifier, name, at: start)
        default:
            token = try lexOperator(start: start)
        }
        lastTokenEnd = currentLocation()
        return token
    }

    // MARK: Position bookkeeping

    /// The byte `ahead` bytes after the current one, or nil past the end.
    private func peekByte(_ ahead: Int = 0) -> UInt8? {
        let index = position + ahead
        return index < bytes.count ? bytes[index] : nil
    }

    /// Moves past one byte, keeping line tracking right; used wherever newlines or non-ASCII
    /// bytes may occur (whitespace, strings, quoted names, comments).
    private mutating func advanceByte() {
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            lineStart = position
            lineHasNonASCII = false
        } else if byte >= 0x80 {
            lineHasNonASCII = true
        }
    }

    /// Where `position` is. Columns count `Character`s, so a line with non-ASCII text before the
    /// spot is decoded to count them; on plain ASCII lines the byte distance is the column.
    private func currentLocation() -> SourceLocation {
        let column = lineHasNonASCII
            ? String(decoding: bytes[lineStart..<position], as: UTF8.self).count + 1
            : position - lineStart + 1
        return SourceLocation(line: line, column: column, offset: position)
    }

    /// The source text between two offsets.
    private func text(from start: Int, to end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    // MARK: Trivia

    /// Skips spaces, line breaks and `--` / `/* */` comments.
    private mutating func skipWhitespaceAndComments() throws(QueryError) {
        while let byte = peekByte() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                advanceByte()
            case UInt8(ascii: "-") where peekByte(1) == UInt8(ascii: "-"):
                while let b = peekByte(), b != UInt8(ascii: "\n") { advanceByte() }
            case UInt8(ascii: "/") where peekByte(1) == UInt8(ascii: "*"):
                let start = currentLocation()
                advanceByte()
                advanceByte()
                // Block comments do not nest, as in Trino: the first `*/` closes it.
                while true {
                    guard let b = peekByte() else {
                        throw QueryError(.syntax, "unterminated comment: '/*' has no closing '*/'", at: start)
                    }
                    if b == UInt8(ascii: "*"), peekByte(1) == UInt8(ascii: "/") {
                        advanceByte()
                        advanceByte()
                        break
                    }
                    advanceByte()
                }
            default:
                return
            }
        }
    }

    // MARK: Tokens

    /// An unquoted name or keyword: `[A-Za-z_][A-Za-z0-9_]*`, as in Trino (ASCII only).
    private mutating func lexWord(start: SourceLocation) -> Token {
        let begin = position
        while let b = peekByte(), isWordByte(b) { position += 1 }
        let word = text(from: begin, to: position)
        if let keyword = Keyword.byLowercaseName[word.lowercased()] {
            return Token(.keyword(keyword), word, at: start)
        }
        return Token(.identifier, word, at: start)
    }

    /// `443`, `1.5`, `1.`, `.5`, `1e3`, `2.5E-3`.
    private mutating func lexNumber(start: SourceLocation) throws(QueryError) -> Token {
        let begin = position
        var isDecimal = false
        while let b = peekByte(), isDigit(b) { position += 1 }
        if peekByte() == UInt8(ascii: ".") {
            isDecimal = true
            position += 1
            while let b = peekByte(), isDigit(b) { position += 1 }
        }
        if let e = peekByte(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            // Only an exponent with digits belongs to the number; `1e` or `1ex` falls through to
            // the check below and is reported as a name that starts with a digit.
            let signLength = peekByte(1) == UInt8(ascii: "+") || peekByte(1) == UInt8(ascii: "-") ? 1 : 0
            if let d = peekByte(1 + signLength), isDigit(d) {
                isDecimal = true
                position += 1 + signLength
                while let b = peekByte(), isDigit(b) { position += 1 }
            }
        }
        if let b = peekByte(), isWordByte(b) {
            var end = position
            while end < bytes.count, isWordByte(bytes[end]) || bytes[end] == UInt8(ascii: ".") { end += 1 }
            let word = text(from: begin, to: end)
            throw QueryError(
                .syntax, "'\(word)' is neither a number nor a name; a name that starts with a digit must be quoted",
                at: start, hint: "write \"\(word)\" if it is a column name")
        }
        return Token(isDecimal ? .decimal : .integer, text(from: begin, to: position), at: start)
    }

    /// The content of a `'string'`, `"name"` or `` `name` ``, where a doubled closing quote
    /// stands for one. Strings may span lines.
    private mutating func lexQuoted(closing quote: UInt8, start: SourceLocation, what: String) throws(QueryError) -> String {
        advanceByte()
        var content: [UInt8] = []
        while true {
            guard let b = peekByte() else {
                let mark = String(UnicodeScalar(quote))
                throw QueryError(.syntax, "unterminated \(what): the opening \(mark) has no closing \(mark)", at: start)
            }
            if b == quote {
                if peekByte(1) == quote {
                    content.append(quote)
                    advanceByte()
                    advanceByte()
                    continue
                }
                advanceByte()
                // The source is valid UTF-8 and only ASCII quote bytes were dropped, so this
                // decoding never replaces anything.
                return String(decoding: content, as: UTF8.self)
            }
            content.append(b)
            advanceByte()
        }
    }

    /// Operators and punctuation.
    private mutating func lexOperator(start: SourceLocation) throws(QueryError) -> Token {
        let byte = bytes[position]
        let next = peekByte(1)
        let kind: TokenKind
        var length = 1
        switch byte {
        case UInt8(ascii: "="): kind = .equal
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") { kind = .lessOrEqual; length = 2 }
            else if next == UInt8(ascii: ">") { kind = .notEqual; length = 2 }
            else { kind = .less }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") { kind = .greaterOrEqual; length = 2 } else { kind = .greater }
        case UInt8(ascii: "!") where next == UInt8(ascii: "="): kind = .notEqual; length = 2
        case UInt8(ascii: "|") where next == UInt8(ascii: "|"): kind = .concat; length = 2
        case UInt8(ascii: "-"):
            if next == UInt8(ascii: ">") { kind = .arrow; length = 2 } else { kind = .minus }
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "*"): kind = .star
        case UInt8(ascii: "/"): kind = .slash
        case UInt8(ascii: "%"): kind = .percent
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: ";"): kind = .semicolon
        case UInt8(ascii: "["): kind = .leftBracket
        case UInt8(ascii: "]"): kind = .rightBracket
        default:
            throw unexpectedCharacter(at: start)
        }
        let begin = position
        position += length
        return Token(kind, text(from: begin, to: position), at: start)
    }

    /// The error for a character that cannot start a token, naming it so it can be found even
    /// when it is invisible (a no-break space pasted from a web page, say).
    private func unexpectedCharacter(at start: SourceLocation) -> QueryError {
        var iterator = bytes[position...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
            return QueryError(.syntax, "unexpected byte in the query", at: start)
        }
        let properties = scalar.properties
        let visible = !properties.isWhitespace && properties.generalCategory != .control
            && properties.generalCategory != .format && properties.generalCategory != .spaceSeparator
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let message = visible ? "unexpected character '\(scalar)'" : "unexpected invisible character \(code)"
        let hint: String?
        switch scalar {
        case "|": hint = "'||' concatenates strings"
        case "!": hint = "write '<>' or '!=' for not-equal, NOT for negation"
        case "\u{2018}", "\u{2019}": hint = "quote strings with a plain apostrophe (')"
        case "\u{201C}", "\u{201D}": hint = "quote names with a plain double quote (\")"
        case "?", "$", ":": hint = "query parameters are not supported; write the value itself"
        default: hint = scalar.isASCII ? nil : "outside strings and quoted names, only ASCII is allowed"
        }
        return QueryError(.syntax, message, at: start, hint: hint)
    }

    /// `[A-Za-z0-9_]`.
    private func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// `[0-9]`.
    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
