/// A hash table from group keys (a fixed number of 64-bit lanes, plus a lane of NULL flags) to
/// group numbers 0, 1, 2, ... in order of first sight. Open addressing with linear probing over
/// raw buffers: a lookup is a hash, a few compares, no allocation, no exclusivity checks (this
/// runs once per row of every aggregate query).
final class GroupTable {
    /// Lanes per key: the key columns, then one of NULL flags.
    let width: Int
    private var keys: UnsafeMutablePointer<Int64>
    private var keyCapacity: Int
    private var hashes: UnsafeMutablePointer<UInt64>
    private var slots: UnsafeMutablePointer<Int32>
    private var slotCount: Int
    private(set) var count = 0

    init(keyColumns: Int) {
        width = keyColumns + 1
        keyCapacity = 1024
        keys = .allocate(capacity: keyCapacity * width)
        hashes = .allocate(capacity: keyCapacity)
        slotCount = 2048
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
    }

    deinit {
        keys.deallocate()
        hashes.deallocate()
        slots.deallocate()
        direct?.deallocate()
    }

    /// Bytes the table holds.
    var byteCount: Int { keyCapacity * (width * 8 + 8) + slotCount * 4 + (direct == nil ? 0 : directSize * 4) }

    @inline(__always)
    private func hash(_ lanes: UnsafePointer<Int64>) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15
        for lane in 0..<width {
            hash = (hash ^ UInt64(bitPattern: lanes[lane])) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 29
        }
        return hash
    }

    /// The group of the key in `lanes` (width values), adding it when new.
    @inline(__always)
    func group(_ lanes: UnsafePointer<Int64>) -> Int {
        let hash = self.hash(lanes)
        let mask = slotCount - 1
        var index = Int(truncatingIfNeeded: hash >> 7) & mask
        while true {
            let found = slots[index]
            if found < 0 { break }
            let group = Int(found)
            if hashes[group] == hash && sameKey(group, lanes) { return group }
            index = (index + 1) & mask
        }
        let group = count
        if group == keyCapacity { growKeys() }
        (keys + group * width).update(from: lanes, count: width)
        hashes[group] = hash
        slots[index] = Int32(group)
        count += 1
        if count * 2 > slotCount { growSlots() }
        return group
    }

    /// The group of the key in `lanes` if the table has it; never adds one. (The probe of
    /// `group(_:)` again: sharing it through a returned pair cost group-bys 8-13%.)
    func existingGroup(_ lanes: UnsafePointer<Int64>) -> Int? {
        let hash = self.hash(lanes)
        let mask = slotCount - 1
        var index = Int(truncatingIfNeeded: hash >> 7) & mask
        while slots[index] >= 0 {
            let group = Int(slots[index])
            if hashes[group] == hash && sameKey(group, lanes) { return group }
            index = (index + 1) & mask
        }
        return nil
    }

    @inline(__always)
    private func sameKey(_ group: Int, _ lanes: UnsafePointer<Int64>) -> Bool {
        let base = keys + group * width
        for lane in 0..<width where base[lane] != lanes[lane] { return false }
        return true
    }

    /// Groups looked up directly: with one key column, the last group seen at each folded key
    /// (checked against the key); with two, groups of two small values (ports, protocols, the
    /// first words a query meets), which skip hashing entirely.
    private var direct: UnsafeMutablePointer<Int32>? = nil
    /// 2^16 slots for two small keys (each below 256); 2^14 for one key, where the cache is
    /// checked against the stored key and a collision costs only a lookup in the table.
    private var directSize: Int { width == 3 ? 1 << 16 : 1 << 14 }

    /// Groups for `rows` keys laid out lane-major (`lanes[lane * rows + row]`), into `out`.
    func groups(lanes: UnsafePointer<Int64>, rows: Int, into out: UnsafeMutablePointer<Int>) {
        let nullLane = lanes + (width - 1) * rows
        if width == 2 {
            // One key column: a direct-mapped cache of recent groups by folded key, checked
            // against the stored key, so a repeated key (an address, a port, a word) costs one
            // lookup and one compare instead of a hash and a probe.
            let cache = directCache()
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: 2) { buffer in
                let key = buffer.baseAddress!
                for row in 0..<rows {
                    let a = lanes[row], isNull = nullLane[row]
                    let folded = UInt64(bitPattern: a)
                    let slot = Int(truncatingIfNeeded: (folded ^ (folded >> 14) ^ (folded >> 28) ^ (folded >> 42)) & 0x3FFF)
                    let known = cache[slot]
                    if known >= 0 {
                        let stored = keys + Int(known) * 2
                        if stored[0] == a && stored[1] == isNull { out[row] = Int(known); continue }
                    }
                    key[0] = a
                    key[1] = isNull
                    let found = group(UnsafePointer(key))
                    cache[slot] = Int32(found)
                    out[row] = found
                }
            }
            return
        }
        if width == 3 {
            let cache = directCache()
            let first = lanes, second = lanes + rows
            let limit: UInt64 = 256
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: width) { buffer in
                let key = buffer.baseAddress!
                for row in 0..<rows {
                    let a = UInt64(bitPattern: first[row])
                    let b = UInt64(bitPattern: second[row])
                    if nullLane[row] == 0, a < limit, b < limit {
                        let slot = Int(a << 8 | b)
                        let known = cache[slot]
                        if known >= 0 { out[row] = Int(known); continue }
                        for lane in 0..<width { key[lane] = lanes[lane * rows + row] }
                        let found = group(UnsafePointer(key))
                        cache[slot] = Int32(found)
                        out[row] = found
                        continue
                    }
                    for lane in 0..<width { key[lane] = lanes[lane * rows + row] }
                    out[row] = group(UnsafePointer(key))
                }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: width) { buffer in
            let key = buffer.baseAddress!
            for row in 0..<rows {
                for lane in 0..<width { key[lane] = lanes[lane * rows + row] }
                out[row] = group(UnsafePointer(key))
            }
        }
    }

    private func directCache() -> UnsafeMutablePointer<Int32> {
        if let direct { return direct }
        let made = UnsafeMutablePointer<Int32>.allocate(capacity: directSize)
        made.initialize(repeating: -1, count: directSize)
        direct = made
        return made
    }

    /// Lane `lane` of group `group`.
    @inline(__always)
    func key(_ group: Int, lane: Int) -> Int64 { keys[group * width + lane] }

    private func growKeys() {
        let capacity = keyCapacity * 2
        let freshKeys = UnsafeMutablePointer<Int64>.allocate(capacity: capacity * width)
        freshKeys.update(from: keys, count: count * width)
        keys.deallocate()
        keys = freshKeys
        let freshHashes = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        freshHashes.update(from: hashes, count: count)
        hashes.deallocate()
        hashes = freshHashes
        keyCapacity = capacity
    }

    private func growSlots() {
        slots.deallocate()
        slotCount *= 2
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        let mask = slotCount - 1
        for group in 0..<count {
            var index = Int(truncatingIfNeeded: hashes[group] >> 7) & mask
            while slots[index] >= 0 { index = (index + 1) & mask }
            slots[index] = Int32(group)
        }
    }
}

@available(*, unavailable)
extension GroupTable: Sendable {}
