/// A CIDR prefix (`52.216.0.0/15`, `2600:1f18::/33`) as the first address and a length.
struct IPPrefix: Sendable, Hashable {
    /// The address family and the prefix's first address, host bits cleared.
    let network: IPAddressText.Address
    /// The prefix length: 0 to 32 for IPv4, 0 to 128 for IPv6.
    let length: Int

    /// Parses `address/length`. Host bits set after the length (`198.51.100.2/24`, as AWS's own
    /// syntax page writes its example) are cleared rather than refused: the range meant is clear.
    init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ IPPrefix.parse($0) }) else { return nil }
        self = parsed
    }

    private init(network: IPAddressText.Address, length: Int) {
        self.network = network
        self.length = length
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPPrefix? {
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")), slash + 1 < bytes.count, bytes.count - slash <= 4 else { return nil }
        var length = 0
        for byte in bytes[(slash + 1)...] {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            length = length * 10 + Int(digit)
        }
        switch IPAddressText.parse(bytes: UnsafeBufferPointer(rebasing: bytes[..<slash])) {
        case .v4(let value):
            guard length <= 32 else { return nil }
            return IPPrefix(network: .v4(value & ~PrefixIntervals<UInt32>.hostMask(length)), length: length)
        case .v6(let value):
            guard length <= 128 else { return nil }
            return IPPrefix(network: .v6(value & ~PrefixIntervals<UInt128>.hostMask(length)), length: length)
        case nil:
            return nil
        }
    }

    /// 4 or 6.
    var version: Int {
        if case .v4 = network { return 4 }
        return 6
    }

    /// The canonical text: `52.216.0.0/15`, `2600:1f18::/33`.
    var text: String {
        switch network {
        case .v4(let value): return IPAddressText.format(v4: value) + "/\(length)"
        case .v6(let value): return IPAddressText.format(v6: value) + "/\(length)"
        }
    }
}
