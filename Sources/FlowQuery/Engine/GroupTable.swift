/// A hash table from group keys (a fixed number of 64-bit lanes, plus a lane of NULL flags) to
/// group numbers 0, 1, 2, ... in order of first sight. Open addressing with linear probing over
/// flat arrays: a lookup is a hash, a few compares, no allocation.
struct GroupTable {
    /// Lanes per key: the key columns, then one of NULL flags.
    let width: Int
    private(set) var keys: [Int64] = []
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private(set) var count = 0

    init(keyColumns: Int) {
        width = keyColumns + 1
        slots = [Int32](repeating: -1, count: 1024)
    }

    /// The group of the key in `lanes` (width values), adding it when new.
    @inline(__always)
    mutating func group(_ lanes: UnsafePointer<Int64>) -> Int {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
        for lane in 0..<width {
            hash = (hash ^ UInt64(bitPattern: lanes[lane])) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
        }
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let found = slots[index]
            if found < 0 { break }
            let group = Int(found)
            if hashes[group] == hash {
                var same = true
                let base = group * width
                for lane in 0..<width where keys[base + lane] != lanes[lane] { same = false; break }
                if same { return group }
            }
            index = (index + 1) & mask
        }
        let group = count
        slots[index] = Int32(group)
        for lane in 0..<width { keys.append(lanes[lane]) }
        hashes.append(hash)
        count += 1
        if count * 2 > slots.count { grow() }
        return group
    }

    /// Lane `lane` of group `group`.
    @inline(__always)
    func key(_ group: Int, lane: Int) -> Int64 { keys[group * width + lane] }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = [Int32](repeating: -1, count: capacity)
        for group in 0..<count {
            var index = Int(truncatingIfNeeded: hashes[group]) & (capacity - 1)
            while slots[index] >= 0 { index = (index + 1) & (capacity - 1) }
            slots[index] = Int32(group)
        }
    }
}
