extension JSONParser {
    /// Parses a string starting at its opening quote, escapes resolved.
    ///
    /// The common case (no escapes, ASCII: every key and almost every value the AWS CLI prints)
    /// becomes a `String` straight from the file's bytes; only a string with escapes is copied.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        let bytes = input
        let start = position
        var index = start + 1
        var sawNonASCII = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let body = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<index])
                position = index + 1
                return try makeString(body, checkUTF8: sawNonASCII, stringStart: start)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw controlCharacter(at: index) }
            sawNonASCII = sawNonASCII || byte >= 0x80
            index += 1
        }
        guard index < bytes.count else {
            throw JSONSyntaxError(offset: start, message: "unterminated string: no closing '\"' before the end of the file")
        }
        // An escape: copy what came before it and decode the rest piece by piece.
        var buffer: [UInt8] = Array(bytes[(start + 1)..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                position = index + 1
                return try buffer.withUnsafeBufferPointer { body throws(JSONSyntaxError) -> String in
                    try makeString(body, checkUTF8: sawNonASCII, stringStart: start)
                }
            case UInt8(ascii: "\\"):
                index = try decodeEscape(at: index, into: &buffer)
            case 0x00..<0x20:
                throw controlCharacter(at: index)
            default:
                sawNonASCII = sawNonASCII || byte >= 0x80
                buffer.append(byte)
                index += 1
            }
        }
        throw JSONSyntaxError(offset: start, message: "unterminated string: no closing '\"' before the end of the file")
    }

    private func makeString(_ body: UnsafeBufferPointer<UInt8>, checkUTF8: Bool, stringStart: Int) throws(JSONSyntaxError) -> String {
        guard checkUTF8 else { return String(decoding: body, as: UTF8.self) }
        // `String(decoding:)` would repair bad bytes with U+FFFD silently.
        guard let text = String(validating: body, as: UTF8.self) else {
            throw JSONSyntaxError(offset: stringStart, message: "this string is not valid UTF-8")
        }
        return text
    }

    private func controlCharacter(at offset: Int) -> JSONSyntaxError {
        let byte = input[offset]
        let name = byte == 0x0A || byte == 0x0D ? "a line break" : byte == 0x09 ? "a tab" : "control character U+\(hex4(UInt32(byte)))"
        return JSONSyntaxError(offset: offset, message: "\(name) inside a string must be escaped")
    }

    /// Decodes the escape at `offset` (its backslash) into `buffer`; returns the offset after it.
    private func decodeEscape(at offset: Int, into buffer: inout [UInt8]) throws(JSONSyntaxError) -> Int {
        let bytes = input
        guard offset + 1 < bytes.count else {
            throw JSONSyntaxError(offset: offset, message: "unterminated string: no closing '\"' before the end of the file")
        }
        switch bytes[offset + 1] {
        case UInt8(ascii: "\""): buffer.append(0x22)
        case UInt8(ascii: "\\"): buffer.append(0x5C)
        case UInt8(ascii: "/"): buffer.append(0x2F)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            return try decodeUnicodeEscape(at: offset, into: &buffer)
        default:
            throw JSONSyntaxError(offset: offset, message: "invalid escape '\\\(describeEscaped(offset + 1))' in a string")
        }
        return offset + 2
    }

    /// `\uXXXX`, combining a high surrogate with the `\uXXXX` low surrogate that must follow it.
    private func decodeUnicodeEscape(at offset: Int, into buffer: inout [UInt8]) throws(JSONSyntaxError) -> Int {
        let first = try hexQuad(at: offset + 2)
        var scalarValue = first
        var next = offset + 6
        switch first {
        case 0xD800...0xDBFF:
            let bytes = input
            guard next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\\"), bytes[next + 1] == UInt8(ascii: "u") else {
                throw JSONSyntaxError(offset: offset, message: "lone surrogate '\\u\(hex4(first))': a high surrogate must be followed by a '\\u' low surrogate")
            }
            let second = try hexQuad(at: next + 2)
            guard (0xDC00...0xDFFF).contains(second) else {
                throw JSONSyntaxError(offset: offset, message: "lone surrogate '\\u\(hex4(first))': a high surrogate must be followed by a '\\u' low surrogate")
            }
            scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            next += 6
        case 0xDC00...0xDFFF:
            throw JSONSyntaxError(offset: offset, message: "lone surrogate '\\u\(hex4(first))': a low surrogate must follow a high one")
        default:
            break
        }
        // Every value left is a valid scalar: surrogates were combined or refused above.
        guard let scalar = Unicode.Scalar(scalarValue) else {
            preconditionFailure("\\u escape produced a surrogate")
        }
        UTF8.encode(scalar) { buffer.append($0) }
        return next
    }

    private func hexQuad(at offset: Int) throws(JSONSyntaxError) -> UInt32 {
        let bytes = input
        var value: UInt32 = 0
        for position in offset..<(offset + 4) {
            guard position < bytes.count, let digit = hexDigit(bytes[position]) else {
                throw JSONSyntaxError(offset: offset - 2, message: "expected four hexadecimal digits after '\\u'")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The character after a backslash, for messages.
    private func describeEscaped(_ offset: Int) -> String {
        let byte = input[offset]
        return (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "U+\(hex4(UInt32(byte)))"
    }
}
