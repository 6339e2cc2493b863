/// Nested CIDR prefixes flattened into sorted, disjoint address intervals, each labelled with
/// the longest prefix that covers it: a longest-prefix match is then one binary search.
///
/// Two CIDR prefixes are either disjoint or one contains the other, so a sweep in start order
/// with a stack of the open prefixes cuts each prefix into the pieces not covered by a longer
/// one. There are at most 2n - 1 intervals for n prefixes.
struct PrefixIntervals<Address: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    /// First address of each interval, ascending.
    private var starts: [Address] = []
    /// Last address of each interval (inclusive).
    private var ends: [Address] = []
    /// The label (an index the caller chose) of each interval's prefix.
    private var labels: [Int32] = []

    /// One prefix to flatten: its network address (host bits clear), length and label.
    struct Prefix {
        var network: Address
        var length: Int
        var label: Int
    }

    /// Flattens `prefixes`, which must be distinct (no two with the same network and length).
    init(_ prefixes: [Prefix]) {
        let sorted = prefixes.sorted { $0.network != $1.network ? $0.network < $1.network : $0.length < $1.length }
        var open: [(end: Address, label: Int)] = []
        // The first address of the innermost open prefix not yet given to an interval; nil once
        // an interval has reached the last address of the space.
        var cursor: Address? = nil
        for prefix in sorted {
            let end = prefix.network | PrefixIntervals.hostMask(prefix.length)
            while let top = open.last, top.end < prefix.network {
                closeInnermost(&open, cursor: &cursor)
            }
            if let top = open.last, let next = cursor, next < prefix.network {
                append(next, prefix.network - 1, top.label)
            }
            precondition(open.last.map { end <= $0.end } ?? true, "CIDR prefixes overlap without nesting")
            open.append((end, prefix.label))
            cursor = prefix.network
        }
        while !open.isEmpty { closeInnermost(&open, cursor: &cursor) }
    }

    /// Gives the rest of the innermost open prefix to its label and closes it.
    private mutating func closeInnermost(_ open: inout [(end: Address, label: Int)], cursor: inout Address?) {
        let top = open.removeLast()
        if let next = cursor, next <= top.end { append(next, top.end, top.label) }
        cursor = top.end == Address.max ? nil : top.end + 1
    }

    private mutating func append(_ start: Address, _ end: Address, _ label: Int) {
        starts.append(start)
        ends.append(end)
        labels.append(Int32(label))
    }

    /// The label of the longest prefix containing `address`, if any: O(log n).
    func label(for address: Address) -> Int? {
        // The last interval starting at or before `address`.
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= address { low = middle + 1 } else { high = middle }
        }
        guard low > 0, address <= ends[low - 1] else { return nil }
        return Int(labels[low - 1])
    }

    /// How many intervals the prefixes became.
    var intervalCount: Int { starts.count }

    /// The host bits of a prefix of `length`: all ones after the first `length` bits.
    static func hostMask(_ length: Int) -> Address {
        length >= Address.bitWidth ? 0 : Address.max >> Address(length)
    }
}
