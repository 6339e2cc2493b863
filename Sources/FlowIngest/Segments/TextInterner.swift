import Foundation

/// Distinct byte strings numbered in order of first sight (0, 1, 2, ...), looked up without
/// making a `String`: the word list of one text column of a segment being built.
///
/// Open addressing over a byte arena, all in raw buffers: the hot path of ingest calls
/// `code(for:)` once per text value, and a struct of pointers costs no reference counting
/// there. The owner calls `deallocate()` once.
struct TextInterner {
    private struct Entry {
        var hash: UInt64
        var offset: Int32
        var length: Int32
    }

    private var slots: UnsafeMutablePointer<Int32>
    private var slotCount: Int
    private var entries: UnsafeMutablePointer<Entry>
    private var entryCapacity: Int
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaCount = 0
    /// Words so far.
    private(set) var count = 0
    /// The code `code(for:)` returned last: most columns repeat their previous value (one
    /// account, mostly ACCEPT and OK), which a comparison finds without hashing.
    private var lastCode = -1

    init() {
        slotCount = 64
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        entryCapacity = 32
        entries = .allocate(capacity: entryCapacity)
        arenaCapacity = 1024
        arena = .allocate(capacity: arenaCapacity)
    }

    /// Frees the buffers; the interner must not be used again.
    func deallocate() {
        slots.deallocate()
        entries.deallocate()
        arena.deallocate()
    }

    /// Bytes held (the words and their entries).
    var byteCount: Int { arenaCapacity + entryCapacity * 16 + slotCount * 4 }

    /// The code of `text`, adding it when new.
    @inline(__always)
    mutating func code(for text: UnsafeRawBufferPointer) -> Int64 {
        if lastCode >= 0 {
            let last = entries[lastCode]
            if Int(last.length) == text.count, Self.equal(UnsafeRawPointer(arena + Int(last.offset)), text) { return Int64(lastCode) }
        }
        let code = lookUp(text)
        lastCode = Int(code)
        return code
    }

    /// The code of `text` by its hash, adding it when new.
    @inline(__always)
    private mutating func lookUp(_ text: UnsafeRawBufferPointer) -> Int64 {
        let hash = Self.hash(text)
        let mask = slotCount - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let found = slots[index]
            if found < 0 { break }
            let entry = entries[Int(found)]
            if entry.hash == hash, Int(entry.length) == text.count,
               Self.equal(UnsafeRawPointer(arena + Int(entry.offset)), text) {
                return Int64(found)
            }
            index = (index + 1) & mask
        }
        return add(text, hash: hash, slot: index)
    }

    private mutating func add(_ text: UnsafeRawBufferPointer, hash: UInt64, slot: Int) -> Int64 {
        let code = count
        if count == entryCapacity {
            let grown = UnsafeMutablePointer<Entry>.allocate(capacity: entryCapacity * 2)
            grown.moveInitialize(from: entries, count: count)
            entries.deallocate()
            entries = grown
            entryCapacity *= 2
        }
        if arenaCount + text.count > arenaCapacity {
            let capacity = max(arenaCapacity * 2, arenaCount + text.count)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.initialize(from: arena, count: arenaCount)
            arena.deallocate()
            arena = grown
            arenaCapacity = capacity
        }
        if let source = text.baseAddress { (arena + arenaCount).initialize(from: source.assumingMemoryBound(to: UInt8.self), count: text.count) }
        (entries + code).initialize(to: Entry(hash: hash, offset: Int32(arenaCount), length: Int32(text.count)))
        arenaCount += text.count
        count += 1
        slots[slot] = Int32(code)
        if count * 2 > slotCount { grow() }
        return Int64(code)
    }

    /// The words, in code order.
    func words() -> [String] {
        (0..<count).map { code in
            let entry = entries[code]
            return String(decoding: UnsafeBufferPointer(start: arena + Int(entry.offset), count: Int(entry.length)), as: UTF8.self)
        }
    }

    private mutating func grow() {
        let capacity = slotCount * 2
        slots.deallocate()
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: -1, count: capacity)
        slotCount = capacity
        for code in 0..<count {
            var index = Int(truncatingIfNeeded: entries[code].hash) & (capacity - 1)
            while slots[index] >= 0 { index = (index + 1) & (capacity - 1) }
            slots[index] = Int32(code)
        }
    }

    /// True when the `text.count` bytes at `stored` are `text`'s: compared eight bytes at a
    /// time in line (the words are short: a `memcmp` call cost more than the comparison).
    @inline(__always)
    private static func equal(_ stored: UnsafeRawPointer, _ text: UnsafeRawBufferPointer) -> Bool {
        let count = text.count
        guard count > 0, let base = text.baseAddress else { return true }
        if count < 8 { return tail(stored, count: count) == tail(base, count: count) }
        var index = 0
        while index + 8 < count {
            if stored.loadUnaligned(fromByteOffset: index, as: UInt64.self) != base.loadUnaligned(fromByteOffset: index, as: UInt64.self) { return false }
            index += 8
        }
        // The last eight bytes, overlapping what was compared: no byte loop.
        return stored.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    /// The `count` (1...7) bytes at `start` as one integer, loading only those bytes: two
    /// overlapping loads of four or two bytes.
    @inline(__always)
    private static func tail(_ start: UnsafeRawPointer, count: Int) -> UInt64 {
        if count >= 4 {
            let low = UInt64(start.loadUnaligned(as: UInt32.self))
            return low | UInt64(start.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) &<< UInt64((count - 4) * 8)
        }
        if count >= 2 {
            let low = UInt64(start.loadUnaligned(as: UInt16.self))
            return low | UInt64(start.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)) &<< UInt64((count - 2) * 8)
        }
        return UInt64(start.load(as: UInt8.self))
    }

    /// Eight bytes at a time, each word multiplied in, then the bits spread. The last partial
    /// word is read with overlapping loads, not byte by byte (the hash is only ever compared
    /// within this interner, so how the tail is read is free to choose).
    @inline(__always)
    private static func hash(_ text: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(text.count)
        var index = 0
        let count = text.count
        guard count > 0, let base = text.baseAddress else { return (hash ^ (hash >> 29)) &* 0xbf58_476d_1ce4_e5b9 }
        while index + 8 <= count {
            hash = (hash ^ base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 32
            index += 8
        }
        if index < count {
            let rest = count - index
            let last = count >= 8 ? base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) : tail(base, count: rest)
            hash = (hash ^ last) &* 0xff51_afd7_ed55_8ccd
        }
        return (hash ^ (hash >> 29)) &* 0xbf58_476d_1ce4_e5b9
    }
}

@available(*, unavailable)
extension TextInterner: Sendable {}
