import FlowSQLite
import Foundation

/// Text values of one partition stored once, in its `dict` table, and referred to by number.
///
/// Interface, account, VPC and subnet ids repeat on almost every record; storing a small integer
/// instead of 12 to 80 bytes of text is most of what keeps the store compact. The lookup from
/// bytes to id is an open-addressing table over a byte arena, so the hot path makes no `String`.
final class PartitionDictionary {
    private struct Entry {
        var hash: UInt64
        var id: Int64
        var offset: Int
        var length: Int
    }

    private var slots: [Entry?]
    private var count = 0
    private var arena: [UInt8] = []
    private let insert: Statement
    private let database: Database

    init(database: Database) throws(SQLiteError) {
        self.database = database
        try database.execute("CREATE TABLE IF NOT EXISTS dict(id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE)")
        insert = try database.prepare("INSERT INTO dict(value) VALUES (?)")
        slots = Array(repeating: nil, count: 1024)
        try load()
    }

    /// Reads the table into the lookup (values added since live in both).
    private func load() throws(SQLiteError) {
        for row in try database.rows("SELECT id, value FROM dict") {
            guard let id = row[0].integerValue, var text = row[1].textValue else { continue }
            text.withUTF8 { add(UnsafeRawBufferPointer($0), id: id) }
        }
    }

    /// The id of `text`, adding it to the table (inside the open transaction) when new.
    @inline(__always)
    func id(for text: UnsafeRawBufferPointer) throws(SQLiteError) -> Int64 {
        let hash = Self.hash(text)
        var index = Int(hash & UInt64(slots.count - 1))
        while let entry = slots[index] {
            if entry.hash == hash, entry.length == text.count, matches(entry, text) { return entry.id }
            index = (index + 1) & (slots.count - 1)
        }
        insert.bindText(text, at: 1)
        try insert.step()
        insert.reset()
        let id = database.lastInsertRowID
        add(text, id: id)
        return id
    }

    /// The id of `word`, adding it when new.
    func id(for word: String) throws(SQLiteError) -> Int64 {
        var word = word
        var failure: SQLiteError? = nil
        let found: Int64 = word.withUTF8 { bytes in
            do throws(SQLiteError) { return try id(for: UnsafeRawBufferPointer(bytes)) } catch { failure = error; return 0 }
        }
        if let failure { throw failure }
        return found
    }

    private func matches(_ entry: Entry, _ text: UnsafeRawBufferPointer) -> Bool {
        guard let base = text.baseAddress else { return entry.length == 0 }
        return arena.withUnsafeBytes { stored in
            guard let start = stored.baseAddress else { return false }
            return memcmp(start + entry.offset, base, entry.length) == 0
        }
    }

    private func add(_ text: UnsafeRawBufferPointer, id: Int64) {
        if (count + 1) * 2 > slots.count { grow() }
        let entry = Entry(hash: Self.hash(text), id: id, offset: arena.count, length: text.count)
        arena.append(contentsOf: text)
        place(entry)
        count += 1
    }

    private func place(_ entry: Entry) {
        var index = Int(entry.hash & UInt64(slots.count - 1))
        while slots[index] != nil { index = (index + 1) & (slots.count - 1) }
        slots[index] = entry
    }

    private func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        for case let entry? in old { place(entry) }
    }

    /// FNV-1a over the bytes.
    @inline(__always)
    private static func hash(_ text: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

@available(*, unavailable)
extension PartitionDictionary: Sendable {}
