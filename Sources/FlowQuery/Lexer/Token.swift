/// One token of a query.
public struct Token: Sendable, Equatable {
    /// What kind of token.
    public enum Kind: Sendable, Equatable {
        /// An unquoted name or keyword; `text` is as written.
        case identifier
        /// A `"quoted"` (or backquoted) name; `text` is unescaped.
        case quotedIdentifier
        /// A `'string'`; `text` is unescaped.
        case string
        /// Digits only.
        case integer
        /// A number with a point or an exponent.
        case decimal
        /// An operator or punctuation: `= <> != < <= > >= + - * / % || ( ) , . ;`.
        case symbol
        /// The end of the query.
        case end
    }

    /// The kind.
    public var kind: Kind
    /// The text (unescaped for strings and quoted names).
    public var text: String
    /// Where it starts.
    public var location: SourceLocation

    /// True for an unquoted identifier spelled `keyword` in any case.
    public func isKeyword(_ keyword: String) -> Bool {
        kind == .identifier && text.caseInsensitiveEquals(keyword)
    }

    /// True for the symbol `symbol`.
    public func isSymbol(_ symbol: String) -> Bool {
        kind == .symbol && text == symbol
    }

    /// How the token is named in "expected X but found Y".
    public var shown: String {
        switch kind {
        case .end: return "the end of the query"
        case .string: return "'\(text)'"
        case .quotedIdentifier: return "\"\(text)\""
        default: return "'\(text)'"
        }
    }
}

extension String {
    /// ASCII case-insensitive equality (SQL keywords are ASCII).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }
}
