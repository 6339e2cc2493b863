/// The distinct (group, value) pairs of a DISTINCT aggregate: one open-addressing hash set
/// over raw buffers for all groups, instead of a `Set` per group (which cost a hash with a
/// random seed, a uniqueness check and often a resize per row).
///
/// Not a `GroupTable` keyed on the pair: that keeps a key, a hash and a slot apart (28 bytes a
/// pair against 12 here), and with millions of pairs the extra memory traffic made
/// `array_agg(DISTINCT dstport)` per source 20% slower (0.47-0.49 s against 0.57-0.63 s).
final class DistinctPairs {
    private var groups: UnsafeMutablePointer<Int32>
    private var values: UnsafeMutablePointer<Int64>
    private var capacity: Int
    /// Pairs held.
    private(set) var count = 0

    init() {
        capacity = 1024
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values = .allocate(capacity: capacity)
    }

    deinit {
        groups.deallocate()
        values.deallocate()
    }

    /// Bytes the set holds.
    var byteCount: Int { capacity * 12 }

    @inline(__always)
    private static func slot(_ group: Int, _ value: Int64, mask: Int) -> Int {
        var hash = UInt64(bitPattern: value) &* 0x9E37_79B9_7F4A_7C15
        hash ^= UInt64(truncatingIfNeeded: group) &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 31
        return Int(truncatingIfNeeded: hash) & mask
    }

    /// Adds the pair; true when it was not there.
    @inline(__always)
    @discardableResult
    func insert(group: Int, value: Int64) -> Bool {
        let mask = capacity - 1
        var index = Self.slot(group, value, mask: mask)
        let key = Int32(truncatingIfNeeded: group)
        while true {
            let found = groups[index]
            if found < 0 { break }
            if found == key && values[index] == value { return false }
            index = (index + 1) & mask
        }
        groups[index] = key
        values[index] = value
        count += 1
        if count * 2 > capacity { grow() }
        return true
    }

    /// Calls `body` with every pair, in no particular order.
    func forEach(_ body: (Int, Int64) -> Void) {
        for index in 0..<capacity where groups[index] >= 0 { body(Int(groups[index]), values[index]) }
    }

    /// Pairs per group, for groups 0..<groupCount.
    func counts(groups groupCount: Int) -> [Int64] {
        var counts = [Int64](repeating: 0, count: groupCount)
        forEach { group, _ in if group < groupCount { counts[group] += 1 } }
        return counts
    }

    private func grow() {
        let oldGroups = groups, oldValues = values, oldCapacity = capacity
        capacity *= 2
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values = .allocate(capacity: capacity)
        let mask = capacity - 1
        for old in 0..<oldCapacity where oldGroups[old] >= 0 {
            var index = Self.slot(Int(oldGroups[old]), oldValues[old], mask: mask)
            while groups[index] >= 0 { index = (index + 1) & mask }
            groups[index] = oldGroups[old]
            values[index] = oldValues[old]
        }
        oldGroups.deallocate()
        oldValues.deallocate()
    }
}

@available(*, unavailable)
extension DistinctPairs: Sendable {}
