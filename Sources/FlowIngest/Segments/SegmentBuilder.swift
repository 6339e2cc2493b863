import FlowModel
import FlowStore
import Foundation

/// Collects parsed records of one file and one day into column buffers, and encodes them into
/// a segment: the reading thread's side of ingest.
///
/// Values go straight from the parser into per-column integer buffers (text through a word
/// list, IPv6 through a per-segment table), so a record costs a few stores, not an allocation.
final class SegmentBuilder {
    let day: PartitionDay
    let layout: FlowLayout
    private(set) var rows = 0
    private var capacity = 0
    private let slotCount: Int
    /// The slot whose times fill the segment's start range: `start`, else `end`, else none
    /// (then `deliveryTime` for every row).
    private let timeSlot: Int?
    private let endSlot: Int?
    private let deliveryTime: Int64
    /// True when the layout has no `start`: every row reads NULL there.
    private let lacksStart: Bool
    /// True for AWS's default format, which `append` stores with one call a slot (a test
    /// turns it off to compare the two paths).
    var isDefaultLayout: Bool
    private(set) var minStart = Int64.max, maxStart = Int64.min
    private(set) var minEnd = Int64.max, maxEnd = Int64.min

    // Per slot, in raw tables so the per-field loop touches no reference counts: the storage
    // kind, the integers, the NULL flags (nil until the first NULL), the word list of text.
    private let kinds: UnsafeMutablePointer<PartitionSchema.Kind>
    private let values: UnsafeMutablePointer<UnsafeMutablePointer<Int64>>
    private let isNull: UnsafeMutablePointer<UnsafeMutablePointer<Bool>?>
    private let words: UnsafeMutablePointer<TextInterner>
    /// IPv6 addresses by slot (rare: created on the first one).
    private var ipv6: [Int: IPv6Table] = [:]
    /// Bytes taken by words and IPv6 tables, kept as they grow.
    private var variableBytes = 0

    /// A segment's own IPv6 addresses, numbered in order of first sight from 2^32.
    private final class IPv6Table {
        var bytes: [UInt8] = []
        var index: [IPv6Bits: Int64] = [:]
    }

    /// 128 bits of an IPv6 address, as a dictionary key.
    struct IPv6Bits: Hashable {
        let high: UInt64
        let low: UInt64
    }

    init(day: PartitionDay, layout: FlowLayout, deliveryTime: Int64 = 0) {
        self.day = day
        self.layout = layout
        capacity = 1024
        slotCount = layout.slots.count
        kinds = .allocate(capacity: slotCount)
        values = .allocate(capacity: slotCount)
        isNull = .allocate(capacity: slotCount)
        words = .allocate(capacity: slotCount)
        for (slot, layoutSlot) in layout.slots.enumerated() {
            let kind = PartitionSchema.kind(of: layoutSlot)
            (kinds + slot).initialize(to: kind)
            (values + slot).initialize(to: .allocate(capacity: capacity))
            (isNull + slot).initialize(to: nil)
            // Every slot gets an interner so the table has no holes; only text slots use theirs.
            (words + slot).initialize(to: TextInterner())
        }
        timeSlot = layout.position(of: .start) ?? layout.position(of: .end)
        endSlot = layout.position(of: .end)
        self.deliveryTime = deliveryTime
        lacksStart = layout.position(of: .start) == nil
        var isDefault = layout.isDefaultFormat && slotCount == Self.defaultKinds.count
        for slot in 0..<slotCount where isDefault { isDefault = kinds[slot] == Self.defaultKinds[slot] }
        isDefaultLayout = isDefault
    }

    deinit {
        for slot in 0..<slotCount {
            values[slot].deallocate()
            isNull[slot]?.deallocate()
            words[slot].deallocate()
        }
        kinds.deallocate()
        values.deallocate()
        isNull.deallocate()
        words.deinitialize(count: slotCount)
        words.deallocate()
    }

    /// The most bytes a segment's buffers may take: long records end a segment early, so
    /// memory stays bounded whatever the line length.
    static let maximumBytes = 16 << 20

    /// True when the segment holds as many rows, or bytes, as a segment may.
    var isFull: Bool { rows >= PartitionSchema.maximumSegmentRows || byteCount >= Self.maximumBytes }

    /// Bytes the buffers take, for the reader's memory budget.
    var byteCount: Int { capacity * slotCount * 9 + variableBytes }

    /// Grows the buffers fourfold (1,024, 4,096, 16,384, then the 65,536-row maximum): a
    /// typical 5-minute file of 15,000 records copies 5,120 rows on the way instead of 15,360
    /// (the copies of doubling were 2% of ingest's instructions). The bound is unchanged.
    private func grow() {
        let grown = min(capacity * 4, PartitionSchema.maximumSegmentRows)
        for slot in 0..<slotCount {
            let fresh = UnsafeMutablePointer<Int64>.allocate(capacity: grown)
            fresh.moveInitialize(from: values[slot], count: rows)
            values[slot].deallocate()
            values[slot] = fresh
            if let old = isNull[slot] {
                let flags = UnsafeMutablePointer<Bool>.allocate(capacity: grown)
                flags.initialize(repeating: false, count: grown)
                flags.update(from: old, count: rows)
                old.deallocate()
                isNull[slot] = flags
            }
        }
        capacity = grown
    }

    /// The storage kinds of AWS's default format, which `append` stores slot by slot.
    static let defaultKinds: [PartitionSchema.Kind] = [.integer, .text, .text, .address, .address, .integer, .integer, .integer,
                                                       .integer, .integer, .time, .time, .text, .text]

    /// Appends the parser's current record (its text read from `line`).
    func append(_ parser: FlowRecordParser, line: UnsafeRawBufferPointer) {
        if rows == capacity { grow() }
        let row = rows
        let fields = parser.values
        if isDefaultLayout {
            // One call a slot, each testing for the value kind its slot nearly always has: a
            // profile found the shared switch below mispredicting several times a record.
            number(0, fields, row, parser, line)
            word(1, fields, row, parser, line)
            word(2, fields, row, parser, line)
            number(3, fields, row, parser, line)
            number(4, fields, row, parser, line)
            number(5, fields, row, parser, line)
            number(6, fields, row, parser, line)
            number(7, fields, row, parser, line)
            number(8, fields, row, parser, line)
            number(9, fields, row, parser, line)
            number(10, fields, row, parser, line)
            number(11, fields, row, parser, line)
            word(12, fields, row, parser, line)
            word(13, fields, row, parser, line)
        } else {
            for slot in 0..<slotCount { store(slot, fields[slot], row: row, parser, line) }
        }
        // The parser accepted the record, so its time slot holds a number.
        let start = timeSlot.map { fields[$0].integer } ?? deliveryTime
        if start < minStart { minStart = start }
        if start > maxStart { maxStart = start }
        if let endSlot, fields[endSlot].kind == .integer {
            let end = fields[endSlot].integer
            if end < minEnd { minEnd = end }
            if end > maxEnd { maxEnd = end }
        }
        rows += 1
    }

    /// A slot that nearly always holds a number (integers, times, IPv4 addresses).
    @inline(__always)
    private func number(_ slot: Int, _ fields: UnsafeMutableBufferPointer<FieldValue>, _ row: Int,
                        _ parser: FlowRecordParser, _ line: UnsafeRawBufferPointer) {
        let value = fields[slot]
        if value.kind == .integer {
            values[slot][row] = value.integer
        } else {
            store(slot, value, row: row, parser, line)
        }
    }

    /// A text slot that nearly always holds a word.
    @inline(__always)
    private func word(_ slot: Int, _ fields: UnsafeMutableBufferPointer<FieldValue>, _ row: Int,
                      _ parser: FlowRecordParser, _ line: UnsafeRawBufferPointer) {
        let value = fields[slot]
        if value.kind == .text {
            values[slot][row] = code(slot, UnsafeRawBufferPointer(start: line.baseAddress! + value.textOffset, count: value.textCount))
        } else {
            store(slot, value, row: row, parser, line)
        }
    }

    /// The word list code of `text` in text slot `slot`.
    @inline(__always)
    private func code(_ slot: Int, _ text: UnsafeRawBufferPointer) -> Int64 {
        let before = words[slot].count
        let code = words[slot].code(for: text)
        if words[slot].count != before { variableBytes += text.count + 20 }
        return code
    }

    /// Stores any value in any slot.
    private func store(_ slot: Int, _ value: FieldValue, row: Int, _ parser: FlowRecordParser, _ line: UnsafeRawBufferPointer) {
        switch value.kind {
        case .null:
            if isNull[slot] == nil {
                let flags = UnsafeMutablePointer<Bool>.allocate(capacity: capacity)
                flags.initialize(repeating: false, count: capacity)
                isNull[slot] = flags
            }
            isNull[slot]![row] = true
            values[slot][row] = 0
        case .integer:
            values[slot][row] = value.integer
        case .text:
            if kinds[slot] == .text {
                values[slot][row] = code(slot, UnsafeRawBufferPointer(rebasing: line[value.textOffset..<(value.textOffset + value.textCount)]))
            } else {
                values[slot][row] = 0
            }
        case .ipv6:
            values[slot][row] = ipv6Code(slot: slot, UnsafeRawBufferPointer(rebasing: parser.addressBytes[value.textOffset..<(value.textOffset + 16)]))
        }
    }

    private func ipv6Code(slot: Int, _ bytes: UnsafeRawBufferPointer) -> Int64 {
        let table: IPv6Table
        if let existing = ipv6[slot] { table = existing } else { table = IPv6Table(); ipv6[slot] = table }
        let key = IPv6Bits(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                           low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        if let known = table.index[key] { return known }
        let code = (Int64(1) << 32) + Int64(table.index.count)
        table.index[key] = code
        table.bytes.append(contentsOf: bytes)
        variableBytes += 16 + 32
        return code
    }

    /// Encodes the rows into a segment of file `fileID`; `key` fills account and region when
    /// the layout has no such field.
    func encode(fileID: Int64, key: S3Key, scratch: EncoderScratch) -> EncodedSegment {
        var encoded: [EncodedColumn] = []
        encoded.reserveCapacity(slotCount + 2)
        for slot in 0..<slotCount {
            let kind = kinds[slot]
            let numbers = UnsafeBufferPointer(start: values[slot], count: rows)
            let flags = isNull[slot].map { UnsafeBufferPointer(start: $0, count: rows) }
            let result = IntegerColumnCodec.encode(numbers, isNull: flags, scratch: scratch)
            var blob = result.bytes
            var columnWords: [String] = []
            switch kind {
            case .address:
                let table = ipv6[slot]
                var writer = Writer(bytes: blob)
                writer.append(UInt32((table?.bytes.count ?? 0) / 16))
                if let table { writer.append(contentsOf: table.bytes) }
                blob = writer.bytes
            case .text:
                columnWords = words[slot].words()
            case .integer, .time:
                break
            }
            let zoned = kind != .text
            encoded.append(EncodedColumn(name: layout.slots[slot].columnName, kind: kind, blob: blob,
                                         minimum: zoned ? result.minimum : nil, maximum: zoned ? result.maximum : nil,
                                         nullCount: result.nullCount, words: columnWords))
        }
        // Account and region from the S3 key, when the records do not carry them.
        for (field, value) in [(FlowField.accountID, key.accountID), (FlowField.region, key.region)] {
            guard let value, layout.position(of: field) == nil else { continue }
            let zeros = [Int64](repeating: 0, count: rows)
            let result = zeros.withUnsafeBufferPointer { IntegerColumnCodec.encode($0, isNull: nil, scratch: scratch) }
            encoded.append(EncodedColumn(name: field.columnName, kind: .text, blob: result.bytes, minimum: nil, maximum: nil,
                                         nullCount: 0, words: [value]))
        }
        return EncodedSegment(fileID: fileID, table: layout.table, day: day, rows: rows, rowsWithoutStart: lacksStart ? rows : 0, minStart: minStart, maxStart: maxStart,
                              minEnd: minEnd == .max ? nil : minEnd, maxEnd: maxEnd == .min ? nil : maxEnd, columns: encoded)
    }
}

@available(*, unavailable)
extension SegmentBuilder: Sendable {}
