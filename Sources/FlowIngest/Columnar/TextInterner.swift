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
        let hash = Self.hash(text)
        let mask = slotCount - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let found = slots[index]
            if found < 0 { break }
            let entry = entries[Int(found)]
            if entry.hash == hash, Int(entry.length) == text.count,
               text.count == 0 || memcmp(arena + Int(entry.offset), text.baseAddress!, text.count) == 0 {
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

    /// Eight bytes at a time, each word multiplied in, then the bits spread.
    @inline(__always)
    private static func hash(_ text: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(text.count)
        var index = 0
        let count = text.count
        while index + 8 <= count {
            hash = (hash ^ text.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
            hash ^= hash >> 32
            index += 8
        }
        if index < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(text[index]) << shift
                shift += 8
                index += 1
            }
            hash = (hash ^ tail) &* 0xff51_afd7_ed55_8ccd
        }
        return (hash ^ (hash >> 29)) &* 0xbf58_476d_1ce4_e5b9
    }
}

@available(*, unavailable)
extension TextInterner: Sendable {}
