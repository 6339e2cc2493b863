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

/// A CIDR prefix (`10.1.0.0/16`, `2001:db8::/56`) as its first address and a length.
///
/// Parsing clears host bits (`10.1.2.3/16` is `10.1.0.0/16`), as security group rules and subnet
/// blocks never carry them but hand-written ones might.
struct NetworkPrefix: Hashable, Comparable, Sendable {
    /// The first address, host bits cleared.
    let network: NetworkAddress
    /// The prefix length: 0 to 32 for IPv4, 0 to 128 for IPv6.
    let length: Int

    /// Parses `address/length`; nil for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = NetworkAddress(String(parts[0])), let length = Int(parts[1]),
              length >= 0, length <= address.bits else { return nil }
        self.init(covering: address, length: length)
    }

    /// The prefix of `length` bits that holds `address`.
    init(covering address: NetworkAddress, length: Int) {
        network = NetworkAddress(isIPv6: address.isIPv6, value: address.value & ~Self.hostMask(length, bits: address.bits))
        self.length = length
    }

    /// True when `address` is inside the prefix (same family).
    func contains(_ address: NetworkAddress) -> Bool {
        address.isIPv6 == network.isIPv6 && address.value & ~Self.hostMask(length, bits: network.bits) == network.value
    }

    /// How many addresses the prefix holds, as a power of two's exponent.
    var hostBits: Int { network.bits - length }

    /// `10.1.0.0/16`.
    var text: String { network.text + "/" + String(length) }

    static func < (a: NetworkPrefix, b: NetworkPrefix) -> Bool {
        (a.network, a.length) < (b.network, b.length)
    }

    /// The bits after a prefix of `length` in an address of `bits` bits.
    static func hostMask(_ length: Int, bits: Int) -> UInt128 {
        let host = bits - length
        guard host > 0 else { return 0 }
        return host >= 128 ? .max : (UInt128(1) << UInt128(host)) - 1
    }

    /// The fewest prefixes whose union is exactly `addresses`: each run of consecutive addresses
    /// split into the largest aligned blocks it holds. Sorted, IPv4 first.
    static func exactCover(_ addresses: some Sequence<NetworkAddress>) -> [NetworkPrefix] {
        let sorted = Set(addresses).sorted()
        var prefixes: [NetworkPrefix] = []
        var index = 0
        while index < sorted.count {
            // The run of consecutive addresses from `index`.
            var end = index
            while end + 1 < sorted.count, sorted[end + 1].isIPv6 == sorted[index].isIPv6,
                  sorted[end].value < UInt128.max, sorted[end + 1].value == sorted[end].value + 1 {
                end += 1
            }
            var start = sorted[index].value
            var remaining = UInt128(end - index + 1)
            let family = sorted[index]
            while remaining > 0 {
                // The largest block aligned at `start` that fits in what is left of the run.
                var host = 0
                while host < family.bits, start & ((UInt128(1) << UInt128(host + 1)) - 1) == 0,
                      UInt128(1) << UInt128(host + 1) <= remaining {
                    host += 1
                }
                prefixes.append(NetworkPrefix(covering: NetworkAddress(isIPv6: family.isIPv6, value: start), length: family.bits - host))
                let size = UInt128(1) << UInt128(host)
                remaining -= size
                start &+= size
            }
            index = end + 1
        }
        return prefixes
    }

    /// The single longest prefix per address family that holds every one of `addresses`.
    static func smallestCovering(_ addresses: some Sequence<NetworkAddress>) -> [NetworkPrefix] {
        var result: [NetworkPrefix] = []
        for isIPv6 in [false, true] {
            let family = addresses.filter { $0.isIPv6 == isIPv6 }
            guard let low = family.min(), let high = family.max() else { continue }
            let differing = low.value ^ high.value
            let common = differing == 0 ? low.bits : low.bits - (128 - differing.leadingZeroBitCount)
            result.append(NetworkPrefix(covering: low, length: common))
        }
        return result
    }
}

/// A set of ports written as ranges: `443`, `8080-8081`, `443, 5432`.
enum PortRanges {
    /// The fewest ranges holding exactly `ports`, in order.
    static func ranges(_ ports: some Sequence<Int64>) -> [ClosedRange<Int64>] {
        var ranges: [ClosedRange<Int64>] = []
        for port in Set(ports).sorted() {
            if let last = ranges.last, last.upperBound + 1 == port {
                ranges[ranges.count - 1] = last.lowerBound...port
            } else {
                ranges.append(port...port)
            }
        }
        return ranges
    }

    /// `443, 8080-8081`.
    static func text(_ ranges: [ClosedRange<Int64>]) -> String {
        ranges.map { $0.lowerBound == $0.upperBound ? String($0.lowerBound) : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ", ")
    }
}
