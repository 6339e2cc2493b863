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
    ///
    /// Unrolled by part (one to three digits, then a dot) rather than a loop over bytes with
    /// running state: ingest parses two addresses a record, and this halves their branches.
    @inlinable @inline(__always)
    public static func parseIPv4(_ bytes: UnsafeRawBufferPointer) -> UInt32? {
        let count = bytes.count
        guard count >= 7, count <= 15, let base = bytes.baseAddress else { return nil }
        let text = base.assumingMemoryBound(to: UInt8.self)
        var index = 0
        var result: UInt32 = 0
        for part in 0..<4 {
            // `index < count` holds here: each part before the last ends with a dot that has
            // a byte after it, or the length check fails.
            guard index < count else { return nil }
            let first = text[index] &- 0x30
            guard first < 10 else { return nil }
            var value = UInt32(first)
            index += 1
            if index < count, case let second = text[index] &- 0x30, second < 10 {
                guard first != 0 else { return nil } // a leading zero
                value = value &* 10 &+ UInt32(second)
                index += 1
                if index < count, case let third = text[index] &- 0x30, third < 10 {
                    value = value &* 10 &+ UInt32(third)
                    index += 1
                    guard value <= 255 else { return nil }
                }
            }
            result = result << 8 | value
            if part < 3 {
                guard index < count, text[index] == 0x2E else { return nil }
                index += 1
            }
        }
        return index == count ? result : nil
    }

    /// Parses IPv6 text (with `::` and an optional trailing dotted quad) into 16 bytes.
    public static func parseIPv6(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var result = [UInt8](repeating: 0, count: 16)
        let parsed = result.withUnsafeMutableBytes { parseIPv6(bytes, into: $0.baseAddress!) }
        return parsed ? result : nil
    }

    /// Parses IPv6 text into the 16 bytes at `output` (network order) without allocating: the
    /// ingest hot path. Returns false, leaving `output` undefined, for anything else.
    public static func parseIPv6(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) -> Bool {
        let count = bytes.count
        guard count >= 2, count <= 45 else { return false }
        // Groups as written, before the gap is opened; at most 8.
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &groups) { raw -> Bool in
            let group = raw.bindMemory(to: UInt16.self)
            var found = 0
            var gapIndex = -1
            var index = 0
            if bytes[0] == 0x3A {
                guard bytes[1] == 0x3A else { return false }
                gapIndex = 0
                index = 2
            }
            while index < count {
                // A trailing dotted quad counts as two groups.
                var end = index
                var sawDot = false
                while end < count, bytes[end] != 0x3A {
                    if bytes[end] == 0x2E { sawDot = true }
                    end += 1
                }
                if sawDot {
                    guard end == count, found <= 6,
                          let v4 = parseIPv4(UnsafeRawBufferPointer(rebasing: bytes[index..<end])) else { return false }
                    group[found] = UInt16(v4 >> 16)
                    group[found + 1] = UInt16(v4 & 0xffff)
                    found += 2
                    index = end
                    break
                }
                let length = end - index
                guard length >= 1, length <= 4, found < 8 else { return false }
                var value: UInt32 = 0
                for position in index..<end {
                    guard let digit = hexValue(bytes[position]) else { return false }
                    value = value << 4 | UInt32(digit)
                }
                group[found] = UInt16(value)
                found += 1
                index = end
                if index < count {
                    // At a colon: `::` marks the gap, a single one separates groups.
                    index += 1
                    if index < count, bytes[index] == 0x3A {
                        guard gapIndex < 0 else { return false }
                        gapIndex = found
                        index += 1
                    } else if index == count {
                        return false // trailing single colon
                    }
                }
            }
            let out = output.assumingMemoryBound(to: UInt8.self)
            func put(_ value: UInt16, at position: Int) {
                out[2 * position] = UInt8(value >> 8)
                out[2 * position + 1] = UInt8(value & 0xff)
            }
            if gapIndex >= 0 {
                guard found < 8 else { return false }
                let zeros = 8 - found
                for position in 0..<8 {
                    if position < gapIndex { put(group[position], at: position) }
                    else if position < gapIndex + zeros { put(0, at: position) }
                    else { put(group[position - zeros], at: position) }
                }
                return true
            }
            guard found == 8 else { return false }
            for position in 0..<8 { put(group[position], at: position) }
            return true
        }
    }

    /// `10.0.0.1`.
    public static func format(v4 value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`), if it is one.
    public static func mappedIPv4(_ bytes: some Collection<UInt8>) -> UInt32? {
        guard bytes.count == 16 else { return nil }
        var value: UInt32 = 0
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 0..<10: guard byte == 0 else { return nil }
            case 10, 11: guard byte == 0xFF else { return nil }
            default: value = value << 8 | UInt32(byte)
            }
        }
        return value
    }

    /// The IPv4-mapped IPv6 address of `value` (`::ffff:a.b.c.d`), as 16 bytes.
    public static func mapped(_ value: UInt32) -> [UInt8] {
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as
    /// `::`, and an IPv4-mapped address in mixed notation (`::ffff:10.0.0.1`, section 5).
    public static func format(v6 bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return "" }
        if let v4 = mappedIPv4(bytes) { return "::ffff:" + format(v4: v4) }
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
///
/// Parsed as Trino's `contains(cidr, address)` parses it: the `/prefix` is required; an IPv4
/// network must have no bits set past its prefix (`10.1.2.3/8` is "Invalid CIDR"), while an
/// IPv6 one is masked; an IPv4-mapped network (`::ffff:10.0.0.0/8`) is the IPv4 block, its prefix
/// counted in IPv4 bits, since Trino's IPADDRESS holds IPv4 as IPv4-mapped IPv6.
public struct CIDRBlock: Sendable, Hashable {
    /// The lowest address in the block.
    public let low: IPAddress
    /// The highest address in the block.
    public let high: IPAddress

    /// Parses `address/prefix`; nil when Trino would refuse it (see `problem(with:)`).
    public init?(_ text: String) {
        guard case .success(let block) = CIDRBlock.parse(text) else { return nil }
        self = block
    }

    private init(low: IPAddress, high: IPAddress) {
        self.low = low
        self.high = high
    }

    /// Why Trino refuses `text` as a CIDR block (its messages), or nil when it is valid.
    public static func problem(with text: String) -> String? {
        if case .failure(let reason) = parse(text) { return reason.message }
        return nil
    }

    /// What is wrong with a CIDR text, in Trino's words.
    public enum Problem: Error, Sendable {
        case invalidCIDR, invalidNetworkAddress, invalidPrefixLength, prefixTooLong

        public var message: String {
            switch self {
            case .invalidCIDR: return "Invalid CIDR"
            case .invalidNetworkAddress: return "Invalid network IP address"
            case .invalidPrefixLength: return "Invalid prefix length"
            case .prefixTooLong: return "Prefix length exceeds address length"
            }
        }
    }

    /// Parses `address/prefix` with Trino's rules.
    public static func parse(_ text: String) -> Result<CIDRBlock, Problem> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(.invalidCIDR) }
        guard let address = IPAddress(String(parts[0])) else { return .failure(.invalidNetworkAddress) }
        guard let prefix = Int(parts[1]) else { return .failure(parts[1].hasPrefix("-") ? .invalidPrefixLength : .invalidCIDR) }
        guard prefix >= 0 else { return .failure(.invalidPrefixLength) }
        var v4: UInt32? = nil
        switch address {
        case .v4(let value): v4 = value
        case .v6(let bytes): v4 = IPAddress.mappedIPv4(bytes)
        }
        if let value = v4 {
            guard prefix <= 32 else { return .failure(.prefixTooLong) }
            let mask: UInt32 = prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
            guard value & ~mask == 0 else { return .failure(.invalidCIDR) }
            return .success(CIDRBlock(low: .v4(value), high: .v4(value | ~mask)))
        }
        guard case .v6(let bytes) = address else { return .failure(.invalidCIDR) }
        guard prefix <= 128 else { return .failure(.prefixTooLong) }
        var lowBytes = bytes, highBytes = bytes
        for bit in prefix..<128 {
            let byte = bit / 8, mask = UInt8(0x80) >> UInt8(bit % 8)
            lowBytes[byte] &= ~mask
            highBytes[byte] |= mask
        }
        return .success(CIDRBlock(low: .v6(lowBytes), high: .v6(highBytes)))
    }

    /// The IPv4 addresses the block holds (directly, or as IPv4-mapped IPv6), if any.
    public var ipv4Range: ClosedRange<UInt32>? {
        switch (low, high) {
        case (.v4(let lo), .v4(let hi)): return lo...hi
        case (.v6(let lo), .v6(let hi)):
            // The mapped range ::ffff:0.0.0.0 ... ::ffff:255.255.255.255, intersected.
            let first = IPAddress.mapped(0), last = IPAddress.mapped(.max)
            guard !lo.lexicographicallyPrecedes(first) || !hi.lexicographicallyPrecedes(first) else { return nil }
            guard !last.lexicographicallyPrecedes(lo) else { return nil }
            let from = lo.lexicographicallyPrecedes(first) ? 0 : IPAddress.mappedIPv4(lo) ?? 0
            let to = last.lexicographicallyPrecedes(hi) ? UInt32.max : IPAddress.mappedIPv4(hi) ?? .max
            return from <= to ? from...to : nil
        default: return nil
        }
    }

    /// The IPv6 addresses the block holds, as 16-byte bounds (an IPv4 block's mapped form).
    public var ipv6Range: (low: [UInt8], high: [UInt8]) {
        switch (low, high) {
        case (.v4(let lo), .v4(let hi)): return (IPAddress.mapped(lo), IPAddress.mapped(hi))
        case (.v6(let lo), .v6(let hi)): return (lo, hi)
        default: return ([UInt8](repeating: 0xFF, count: 16), [UInt8](repeating: 0, count: 16))
        }
    }
}
