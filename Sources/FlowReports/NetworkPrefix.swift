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
