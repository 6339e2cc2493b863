/// Which AWS service and region an address belongs to, from `ip-ranges.json`: what flowq's
/// `aws_service(addr)` and `aws_region(addr)` answer.
///
/// The rule, for an address:
/// 1. **The longest prefix wins.** Among the listed prefixes containing the address, the one with
///    the most prefix bits decides, whatever its service (a `/24` listed only as `AMAZON` inside
///    an `EC2` `/16` is something other than EC2, so it answers `AMAZON`).
/// 2. **Among rows for that same prefix, the narrowest subset wins.** The file lists a prefix
///    once per subset it is in: `3.5.140.0/22` as `AMAZON`, `EC2` and `S3`. `AMAZON` is every
///    range and never wins over another service; otherwise the service with fewer prefixes in
///    the whole file is the narrower subset (EC2's ranges host S3, DynamoDB, IVS endpoints, so
///    `S3` beats `EC2`; `CLOUDFRONT_ORIGIN_FACING` beats `CLOUDFRONT`). Equal counts go to the
///    name first in alphabetical order, so the answer never depends on file order.
///
/// Region and network border group come from the winning row. IPv4 and IPv6 are kept apart;
/// an IPv4-mapped IPv6 address (`::ffff:52.216.8.14`) is looked up as IPv4. Lookups are a binary
/// search over sorted disjoint intervals: O(log n).
public struct AWSIPRanges: Sendable {
    /// The row that answers for an address.
    public struct Match: Sendable, Hashable {
        /// The longest listed prefix containing the address, as the file prints it (`52.216.0.0/15`).
        public var prefix: String
        /// The service subset chosen by the rule above (`S3`).
        public var service: String
        /// The region (`us-east-1`, `GLOBAL`).
        public var region: String
        /// The network border group, when the row has one.
        public var networkBorderGroup: String?
    }

    private let matches: [Match]
    private let ipv4: PrefixIntervals<UInt32>
    private let ipv6: PrefixIntervals<UInt128>

    /// Builds the lookup from `aws_ip_ranges` rows (one file's, or rows read back from a store).
    ///
    /// - Throws: `InventoryError` (`.invalidRow`) for a row whose prefix is not CIDR text of its
    ///   `ip_version`; rows from `InventoryDocument.parse` never are.
    public init(rows: [IPRangeRow]) throws(InventoryError) {
        var counts: [String: Int] = [:]
        for row in rows { counts[row.service, default: 0] += 1 }
        // The winning row per distinct prefix.
        var winners: [IPPrefix: IPRangeRow] = [:]
        for row in rows {
            guard let prefix = IPPrefix(row.prefix), prefix.version == row.ipVersion else {
                throw InventoryError(.invalidRow, file: IPRangeRow.tableName, message:
                    "'\(row.prefix)' is not an IPv\(row.ipVersion) CIDR prefix")
            }
            if let current = winners[prefix], !AWSIPRanges.prefers(row.service, over: current.service, counts: counts) {
                continue
            }
            winners[prefix] = row
        }
        var matches: [Match] = []
        var v4: [PrefixIntervals<UInt32>.Prefix] = []
        var v6: [PrefixIntervals<UInt128>.Prefix] = []
        for (prefix, row) in winners {
            let label = matches.count
            matches.append(Match(prefix: row.prefix, service: row.service, region: row.region,
                                 networkBorderGroup: row.networkBorderGroup))
            switch prefix.network {
            case .v4(let network): v4.append(.init(network: network, length: prefix.length, label: label))
            case .v6(let network): v6.append(.init(network: network, length: prefix.length, label: label))
            }
        }
        self.matches = matches
        ipv4 = PrefixIntervals(v4)
        ipv6 = PrefixIntervals(v6)
    }

    /// Builds the lookup from a parsed `ip-ranges.json`.
    public init(_ file: IPRangesFile) throws(InventoryError) {
        try self.init(rows: file.rows)
    }

    /// Whether `candidate` should answer instead of `current` for the same prefix: rule 2 above.
    static func prefers(_ candidate: String, over current: String, counts: [String: Int]) -> Bool {
        let amazon = "AMAZON"
        if (candidate == amazon) != (current == amazon) { return current == amazon }
        let candidateCount = counts[candidate, default: 0]
        let currentCount = counts[current, default: 0]
        if candidateCount != currentCount { return candidateCount < currentCount }
        return candidate < current
    }

    // MARK: Lookups

    /// The row answering for an address given as text (`52.216.8.14`, `2600:1f18::1`), or nil
    /// when no listed prefix contains it or the text is not an address.
    public func match(for address: String) -> Match? {
        switch IPAddressText.parse(address) {
        case .v4(let value): return match(forIPv4: value)
        case .v6(let value): return match(forIPv6: value)
        case nil: return nil
        }
    }

    /// The row answering for an IPv4 address held as a 32-bit number (`0x34D8080E` is 52.216.8.14).
    public func match(forIPv4 address: UInt32) -> Match? {
        ipv4.label(for: address).map { matches[$0] }
    }

    /// The row answering for an IPv6 address held as a 128-bit number (first group in the top
    /// bits); an IPv4-mapped address is looked up as IPv4.
    public func match(forIPv6 address: UInt128) -> Match? {
        if address >> 32 == 0xFFFF { return match(forIPv4: UInt32(truncatingIfNeeded: address)) }
        return ipv6.label(for: address).map { matches[$0] }
    }

    /// The row answering for an IPv6 address held as 16 bytes in network order (as flowq stores
    /// IPv6); nil for any other length.
    public func match(forIPv6Bytes bytes: [UInt8]) -> Match? {
        guard bytes.count == 16 else { return nil }
        return match(forIPv6: bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
    }

    /// The service for an address given as text (`S3`), or nil.
    public func service(for address: String) -> String? { match(for: address)?.service }

    /// The region for an address given as text (`us-east-1`, `GLOBAL`), or nil.
    public func region(for address: String) -> String? { match(for: address)?.region }

    /// The service for an IPv4 address held as a 32-bit number, or nil.
    public func service(forIPv4 address: UInt32) -> String? { match(forIPv4: address)?.service }

    /// The region for an IPv4 address held as a 32-bit number, or nil.
    public func region(forIPv4 address: UInt32) -> String? { match(forIPv4: address)?.region }

    /// How many distinct prefixes the lookup holds.
    public var prefixCount: Int { matches.count }
}
