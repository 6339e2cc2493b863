import Foundation

/// Distinct byte strings numbered in order of first sight (0, 1, 2, ...), looked up without
/// making a `String`: the word list of one text column of a segment being built.
///
/// Open addressing over a byte arena; the hot path of ingest calls `code(for:)` once per text
/// value.
final class TextInterner {
    private struct Entry {
        var hash: UInt64
        var offset: Int32
        var length: Int32
    }

    private var slots: UnsafeMutableBufferPointer<Int32>
    private var entries: [Entry] = []
    private var arena: [UInt8] = []

    init() {
        slots = .allocate(capacity: 64)
        slots.initialize(repeating: -1)
    }

    deinit {
        slots.deallocate()
    }

    /// Words so far.
    var count: Int { entries.count }

    /// Bytes held (the words and their entries).
    var byteCount: Int { arena.count + entries.count * 16 + slots.count * 4 }

    /// The code of `text`, adding it when new.
    @inline(__always)
    func code(for text: UnsafeRawBufferPointer) -> Int64 {
        let hash = Self.hash(text)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let found = slots[index]
            if found < 0 { break }
            let entry = entries[Int(found)]
            if entry.hash == hash, Int(entry.length) == text.count, matches(entry, text) { return Int64(found) }
            index = (index + 1) & mask
        }
        let code = Int32(entries.count)
        entries.append(Entry(hash: hash, offset: Int32(arena.count), length: Int32(text.count)))
        arena.append(contentsOf: text)
        slots[index] = code
        if entries.count * 2 > slots.count { grow() }
        return Int64(code)
    }

    /// The words, in code order.
    func words() -> [String] {
        arena.withUnsafeBufferPointer { bytes in
            entries.map { entry in
                String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(entry.offset)..<Int(entry.offset + entry.length)]), as: UTF8.self)
            }
        }
    }

    private func matches(_ entry: Entry, _ text: UnsafeRawBufferPointer) -> Bool {
        guard let base = text.baseAddress else { return entry.length == 0 }
        return arena.withUnsafeBytes { stored in
            memcmp(stored.baseAddress! + Int(entry.offset), base, Int(entry.length)) == 0
        }
    }

    private func grow() {
        let capacity = slots.count * 2
        slots.deallocate()
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: -1)
        for (code, entry) in entries.enumerated() {
            var index = Int(truncatingIfNeeded: entry.hash) & (capacity - 1)
            while slots[index] >= 0 { index = (index + 1) & (capacity - 1) }
            slots[index] = Int32(code)
        }
    }

    /// FNV-1a, then a multiply to spread the low bits.
    @inline(__always)
    private static func hash(_ text: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return (hash ^ (hash >> 29)) &* 0xbf58_476d_1ce4_e5b9
    }
}

@available(*, unavailable)
extension TextInterner: Sendable {}
