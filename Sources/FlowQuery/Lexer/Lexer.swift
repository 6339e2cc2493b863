/// Splits query text into tokens, scanning UTF-8 bytes and tracking line and column.
///
/// Comments (`-- ...` and `/* ... */`) and white space are skipped. Errors say what is wrong
/// and where: an unterminated string points at its opening quote.
public struct Lexer {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    /// A lexer over `text`.
    public init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Every token, ending with `.end`.
    public static func tokenize(_ text: String) throws(QueryError) -> [Token] {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var location: SourceLocation { SourceLocation(line: line, column: column, offset: index) }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < bytes.count ? bytes[index + ahead] : nil
    }

    /// Moves past one byte; columns count characters, so UTF-8 continuation bytes add none.
    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == 0x0A {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    /// The next token.
    public mutating func next() throws(QueryError) -> Token {
        try skipSpaceAndComments()
        let start = location
        guard let byte = peek() else { return Token(kind: .end, text: "", location: start) }
        switch byte {
        case 0x27: // '
            return Token(kind: .string, text: try quoted(0x27, start: start, what: "string"), location: start)
        case 0x22: // "
            return Token(kind: .quotedIdentifier, text: try quoted(0x22, start: start, what: "quoted name"), location: start)
        case 0x60: // `
            return Token(kind: .quotedIdentifier, text: try quoted(0x60, start: start, what: "quoted name"), location: start)
        case 0x30...0x39:
            return number(start: start)
        case 0x2E where peek(1).map { $0 >= 0x30 && $0 <= 0x39 } == true:
            return number(start: start)
        default:
            if Self.isIdentifierStart(byte) {
                let from = index
                while let b = peek(), Self.isIdentifierPart(b) { advance() }
                return Token(kind: .identifier, text: String(decoding: bytes[from..<index], as: UTF8.self), location: start)
            }
            return try symbol(start: start)
        }
    }

    private mutating func skipSpaceAndComments() throws(QueryError) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                advance()
            } else if byte == 0x2D, peek(1) == 0x2D {
                while let b = peek(), b != 0x0A { advance() }
            } else if byte == 0x2F, peek(1) == 0x2A {
                let start = location
                advance(); advance()
                while true {
                    guard let b = peek() else { throw QueryError(.syntax, "unterminated /* comment", at: start) }
                    if b == 0x2A, peek(1) == 0x2F { advance(); advance(); break }
                    advance()
                }
            } else {
                return
            }
        }
    }

    /// A quoted string or name; a doubled quote stands for one.
    private mutating func quoted(_ quote: UInt8, start: SourceLocation, what: String) throws(QueryError) -> String {
        advance()
        var content: [UInt8] = []
        while true {
            guard let byte = peek() else { throw QueryError(.syntax, "unterminated \(what): the closing quote is missing", at: start) }
            advance()
            if byte == quote {
                if peek() == quote {
                    content.append(quote)
                    advance()
                    continue
                }
                return String(decoding: content, as: UTF8.self)
            }
            content.append(byte)
        }
    }

    private mutating func number(start: SourceLocation) -> Token {
        let from = index
        var isDecimal = false
        while let b = peek(), b >= 0x30 && b <= 0x39 { advance() }
        if peek() == 0x2E, let next = peek(1), next >= 0x30 && next <= 0x39 {
            isDecimal = true
            advance()
            while let b = peek(), b >= 0x30 && b <= 0x39 { advance() }
        }
        if let e = peek(), e == 0x65 || e == 0x45 {
            let sign = peek(1) == 0x2B || peek(1) == 0x2D ? 1 : 0
            if let digit = peek(1 + sign), digit >= 0x30 && digit <= 0x39 {
                isDecimal = true
                for _ in 0...sign { advance() }
                while let b = peek(), b >= 0x30 && b <= 0x39 { advance() }
            }
        }
        return Token(kind: isDecimal ? .decimal : .integer, text: String(decoding: bytes[from..<index], as: UTF8.self), location: start)
    }

    private mutating func symbol(start: SourceLocation) throws(QueryError) -> Token {
        let byte = bytes[index]
        let two = peek(1).map { String(decoding: [byte, $0], as: UTF8.self) }
        if let two, ["<>", "!=", "<=", ">=", "||", "->"].contains(two) {
            advance(); advance()
            return Token(kind: .symbol, text: two, location: start)
        }
        let single = "=<>+-*/%(),.;[]"
        if byte < 0x80, single.utf8.contains(byte) {
            advance()
            return Token(kind: .symbol, text: String(UnicodeScalar(byte)), location: start)
        }
        // Show the whole character, not one byte of it.
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let character = String(decoding: bytes[index..<end], as: UTF8.self)
        throw QueryError(.syntax, "unexpected character '\(character)'", at: start)
    }

    private static func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F
    }

    private static func isIdentifierPart(_ b: UInt8) -> Bool {
        isIdentifierStart(b) || (b >= 0x30 && b <= 0x39)
    }
}
