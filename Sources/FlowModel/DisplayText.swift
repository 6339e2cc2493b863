/// Text from outside (file names, header fields, catalog messages) made safe to show on a
/// terminal or in a log.
///
/// A file name or a header may carry escape sequences that retitle or clear a terminal, or a
/// newline that forges a log line. Everything flowq prints that it did not write itself goes
/// through here: control characters (C0, DEL, C1) and invalid UTF-8 become visible escapes.
public enum DisplayText {
    /// `text` with every control character written as `\n`, `\t`, `\r`, `\x1b` or `\u{85}`.
    public static func escaped(_ text: some StringProtocol) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return String(text) }
        var out = ""
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out += scalar.value < 0x80 ? hex(UInt8(scalar.value)) : "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return out
    }

    /// Bytes as text: valid UTF-8 is kept (control characters escaped); otherwise every byte
    /// outside printable ASCII is shown as `\xNN`.
    public static func escaped(bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return escaped(text) }
        var out = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += hex(byte) }
        }
        return out
    }

    /// Like `escaped(_:)`, but keeps line breaks and tabs: for multi-line messages flowq wrote
    /// itself, which may quote outside text.
    public static func escapedKeepingLines(_ text: some StringProtocol) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return String(text) }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.split(separator: "\t", omittingEmptySubsequences: false).map { escaped($0) }.joined(separator: "\t") }
            .joined(separator: "\n")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return "\\x" + (digits.count < 2 ? "0" + digits : digits)
    }

    /// C0 controls, DEL and C1 controls.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }
}
