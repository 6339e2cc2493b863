/// IPv4 and IPv6 addresses as flowq stores them: IPv4 as a 32-bit number, IPv6 as 16 bytes.
///
/// Parsing works on bytes so the ingest hot path makes no `String`; formatting produces the
/// text Athena shows (dotted quad, RFC 5952 IPv6).
public enum IPAddress: Sendable, Hashable {
    case v4(UInt32)
    case v6([UInt8])

    /// Parses IPv4 or IPv6 text.
    public init?(_ text: String) {
        var text = text
        let parsed: IPAddress? = text.withUTF8 { IPAddress(bytes: UnsafeRawBufferPointer($0)) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses IPv4 or IPv6 text held in `bytes`.
    public init?(bytes: UnsafeRawBufferPointer) {
        if let v4 = IPAddress.parseIPv4(bytes) {
            self = .v4(v4)
        } else if let v6 = IPAddress.parseIPv6(bytes) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// The text form: `10.0.0.1`, `2001:db8::1`.
    public var text: String {
        switch self {
        case .v4(let value): return IPAddress.format(v4: value)
        case .v6(let bytes): return IPAddress.format(v6: bytes)
        }
    }

    /// Parses a dotted quad with no leading zeros beyond a lone `0`.
    @inline(__always)
    public static func parseIPv4(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        guard bytes.count >= 7, bytes.count <= 15 else { return nil }
        var result: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                if digits > 0 && part == 0 { return nil } // leading zero
                part = part * 10 + UInt32(byte - 0x30)
                digits += 1
                if part > 255 { return nil }
            } else if byte == 0x2E {
                guard digits > 0, dots < 3 else { return nil }
                result = result << 8 | part
                part = 0
                digits = 0
                dots += 1
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return result << 8 | part
    }

    /// Parses IPv6 text (with `::` and an optional trailing dotted quad) into 16 bytes.
    public static func parseIPv6(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard bytes.count >= 2, bytes.count <= 45 else { return nil }
        var groups: [UInt16] = []
        groups.reserveCapacity(8)
        var gapIndex: Int? = nil
        var index = 0
        let count = bytes.count
        if bytes[0] == 0x3A {
            guard count > 1, bytes[1] == 0x3A else { return nil }
            gapIndex = 0
            index = 2
            if index == count { return [UInt8](repeating: 0, count: 16) }
        }
        while index < count {
            // A trailing dotted quad counts as two groups.
            var end = index
            var value: UInt32 = 0
            var sawDot = false
            while end < count, bytes[end] != 0x3A {
                if bytes[end] == 0x2E { sawDot = true }
                end += 1
            }
            if sawDot {
                guard end == count, groups.count <= 6,
                      let v4 = parseIPv4(UnsafeRawBufferPointer(rebasing: bytes[index..<end])) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xffff))
                index = end
                break
            }
            let length = end - index
            guard length >= 1, length <= 4 else { return nil }
            for position in index..<end {
                guard let digit = hexValue(bytes[position]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            groups.append(UInt16(value))
            guard groups.count <= 8 else { return nil }
            index = end
            if index < count {
                // At a colon: `::` marks the gap, a single one separates groups.
                index += 1
                if index < count, bytes[index] == 0x3A {
                    guard gapIndex == nil else { return nil }
                    gapIndex = groups.count
                    index += 1
                } else if index == count {
                    return nil // trailing single colon
                }
            }
        }
        if let gapIndex {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: gapIndex)
        }
        guard groups.count == 8 else { return nil }
        var result = [UInt8](repeating: 0, count: 16)
        for (i, group) in groups.enumerated() {
            result[2 * i] = UInt8(group >> 8)
            result[2 * i + 1] = UInt8(group & 0xff)
        }
        return result
    }

    /// `10.0.0.1`.
    public static func format(v4 value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    /// RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as `::`.
    public static func format(v6 bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return "" }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { bestStart = -1 }
        var text = ""
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                i += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[i], radix: 16)
            i += 1
        }
        return text
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        case 0x41...0x46: return byte - 0x41 + 10
        default: return nil
        }
    }
}

/// A CIDR block such as `10.0.0.0/8` or `2001:db8::/32`, as the lowest and highest address in it.
public struct CIDRBlock: Sendable, Hashable {
    /// The lowest address in the block.
    public let low: IPAddress
    /// The highest address in the block.
    public let high: IPAddress

    /// Parses `address/prefix`; a bare address is a block of one. Host bits may be set
    /// (Trino accepts `10.1.2.3/8` and means `10.0.0.0/8`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        switch address {
        case .v4(let value):
            var prefix = 32
            if parts.count == 2 {
                guard let p = Int(parts[1]), (0...32).contains(p) else { return nil }
                prefix = p
            }
            let mask: UInt32 = prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
            low = .v4(value & mask)
            high = .v4(value | ~mask)
        case .v6(let bytes):
            var prefix = 128
            if parts.count == 2 {
                guard let p = Int(parts[1]), (0...128).contains(p) else { return nil }
                prefix = p
            }
            var lowBytes = bytes, highBytes = bytes
            for bit in prefix..<128 {
                let byte = bit / 8, mask = UInt8(0x80) >> UInt8(bit % 8)
                lowBytes[byte] &= ~mask
                highBytes[byte] |= mask
            }
            low = .v6(lowBytes)
            high = .v6(highBytes)
        }
    }
}
