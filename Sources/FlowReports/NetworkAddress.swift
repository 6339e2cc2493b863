import FlowModel

/// An IPv4 or IPv6 address as a number, for prefix arithmetic: IPv4 in the low 32 bits.
///
/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 address, as flowq's `contains()`
/// treats it.
struct NetworkAddress: Hashable, Comparable, Sendable {
    /// True for IPv6.
    let isIPv6: Bool
    /// The address's bits, network order, right-aligned.
    let value: UInt128

    /// The address `text` names, nil when it is not one.
    init?(_ text: String) {
        guard let address = IPAddress(text) else { return nil }
        self.init(address)
    }

    /// The address as a number.
    init(_ address: IPAddress) {
        switch address {
        case .v4(let value):
            self.init(isIPv6: false, value: UInt128(value))
        case .v6(let bytes):
            if let v4 = IPAddress.mappedIPv4(bytes) {
                self.init(isIPv6: false, value: UInt128(v4))
            } else {
                self.init(isIPv6: true, value: bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
            }
        }
    }

    init(isIPv6: Bool, value: UInt128) {
        self.isIPv6 = isIPv6
        self.value = value
    }

    /// 32 or 128.
    var bits: Int { isIPv6 ? 128 : 32 }

    /// `10.0.0.1`, `2001:db8::1`.
    var text: String {
        if !isIPv6 { return IPAddress.format(v4: UInt32(truncatingIfNeeded: value)) }
        return IPAddress.format(v6: (0..<16).map { UInt8(truncatingIfNeeded: value >> UInt128(8 * (15 - $0))) })
    }

    /// True for addresses that never route on the internet: RFC 1918, shared (100.64/10),
    /// loopback, link-local, and IPv6 unique-local and link-local.
    var isPrivate: Bool {
        Self.privateBlocks.contains { $0.contains(self) }
    }

    private static let privateBlocks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
                                        "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"].compactMap(NetworkPrefix.init)

    static func < (a: NetworkAddress, b: NetworkAddress) -> Bool {
        (a.isIPv6 ? 1 : 0, a.value) < (b.isIPv6 ? 1 : 0, b.value)
    }
}
