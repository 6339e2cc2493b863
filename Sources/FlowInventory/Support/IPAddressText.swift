/// IPv4 and IPv6 addresses as text and numbers: IPv4 as a `UInt32`, IPv6 as a `UInt128`
/// (network order: the first group in the top bits), so a prefix is a range of integers.
///
/// Parsing matches flowq's own (`IPAddress` in FlowIngest): dotted quads without leading zeros,
/// IPv6 with `::` and an optional trailing dotted quad; formatting is RFC 5952, as flowq prints
/// addresses, so inventory addresses join with flow-log addresses as text.
enum IPAddressText {
    /// A parsed address.
    enum Address: Sendable, Hashable {
        case v4(UInt32)
        case v6(UInt128)
    }

    /// Parses IPv4 or IPv6 text.
    static func parse(_ text: String) -> Address? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Parses IPv4 or IPv6 text held as UTF-8 bytes.
    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Address? {
        if let v4 = parseIPv4(bytes) { return .v4(v4) }
        if let v6 = parseIPv6(bytes) { return .v6(v6) }
        return nil
    }

    /// The canonical text of an address (IPv4 dotted quad, IPv6 RFC 5952), or nil if `text` is
    /// not an address.
    static func canonical(_ text: String) -> String? {
        switch parse(text) {
        case .v4(let value): return format(v4: value)
        case .v6(let value): return format(v6: value)
        case nil: return nil
        }
    }

    /// Parses a dotted quad: four decimal parts 0 to 255, no leading zeros (a leading zero is
    /// octal to some tools, so it is refused rather than guessed).
    static func parseIPv4(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var result: UInt32 = 0
        var parts = 0
        var value: UInt32 = 0
        var digits = 0
        var firstDigit: UInt8 = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                result = result << 8 | value
                parts += 1
                value = 0
                digits = 0
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10, digits < 3 else { return nil }
            if digits == 0 { firstDigit = digit } else if firstDigit == 0 { return nil }
            value = value * 10 + UInt32(digit)
            digits += 1
            guard value <= 255 else { return nil }
        }
        guard digits > 0, parts == 3 else { return nil }
        return result << 8 | value
    }

    /// Parses IPv6 text with an optional `::` and an optional trailing dotted quad.
    ///
    /// Groups before the `::` accumulate in `head`, those after it in `tail`; the gap is the
    /// shift between them. Both are two 64-bit halves until the end: no arrays and one 128-bit
    /// conversion, so a file of 16,000 prefixes parses quickly even unoptimised.
    static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt128? {
        let count = bytes.count
        guard count >= 2, count <= 45 else { return nil }
        var head = Halves(), tail = Halves()
        var sawGap = false
        var index = 0
        if bytes[0] == UInt8(ascii: ":") {
            guard bytes[1] == UInt8(ascii: ":") else { return nil }
            sawGap = true
            index = 2
        }
        while index < count {
            var end = index
            var sawDot = false
            while end < count, bytes[end] != UInt8(ascii: ":") {
                if bytes[end] == UInt8(ascii: ".") { sawDot = true }
                end += 1
            }
            if sawDot {
                // A trailing dotted quad is the last two groups.
                guard end == count, let v4 = parseIPv4(UnsafeBufferPointer(rebasing: bytes[index..<end])) else { return nil }
                if sawGap { tail.push(UInt64(v4 >> 16)); tail.push(UInt64(v4 & 0xFFFF)) } else { head.push(UInt64(v4 >> 16)); head.push(UInt64(v4 & 0xFFFF)) }
            } else {
                guard end - index >= 1, end - index <= 4 else { return nil }
                var group: UInt64 = 0
                for position in index..<end {
                    guard let digit = hexValue(bytes[position]) else { return nil }
                    group = group << 4 | UInt64(digit)
                }
                if sawGap { tail.push(group) } else { head.push(group) }
            }
            guard head.groups + tail.groups <= 8 else { return nil }
            index = end
            if sawDot { break }
            if index < count {
                index += 1 // the colon
                if index < count, bytes[index] == UInt8(ascii: ":") {
                    guard !sawGap else { return nil }
                    sawGap = true
                    index += 1
                } else if index == count {
                    return nil // a single trailing colon
                }
            }
        }
        let written = head.groups + tail.groups
        if sawGap { guard written < 8 else { return nil } } else { guard written == 8 else { return nil } }
        // Open the gap: move the head groups to the top.
        while head.groups < 8 { head.push(0) }
        return UInt128(head.high | tail.high) << 64 | UInt128(head.low | tail.low)
    }

    /// Up to eight 16-bit groups held as two 64-bit halves, pushed in from the right.
    private struct Halves {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var groups = 0

        mutating func push(_ group: UInt64) {
            high = high << 16 | low >> 48
            low = low << 16 | group
            groups += 1
        }
    }

    /// `10.0.0.1`.
    static func format(v4 value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    /// RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups as `::`
    /// (the first such run on a tie), IPv4-mapped addresses as `::ffff:a.b.c.d`.
    static func format(v6 value: UInt128) -> String {
        if value >> 32 == 0xFFFF { return "::ffff:" + format(v4: UInt32(truncatingIfNeeded: value)) }
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> UInt128(112 - 16 * $0)) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for position in 0...8 {
            if position < 8 && groups[position] == 0 {
                if runStart < 0 { runStart = position }
            } else if runStart >= 0 {
                if position - runStart > bestLength { bestStart = runStart; bestLength = position - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var position = 0
        while position < 8 {
            if position == bestStart {
                text += "::"
                position += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[position], radix: 16)
            position += 1
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
