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
    private var columns: [ColumnBuffer]
    private let startSlot: Int
    private let endSlot: Int?
    private(set) var minStart = Int64.max, maxStart = Int64.min
    private(set) var minEnd = Int64.max, maxEnd = Int64.min

    /// One column's buffer: integers, NULL flags, and what text or IPv6 values map to.
    private final class ColumnBuffer {
        let kind: PartitionSchema.Kind
        var values: UnsafeMutableBufferPointer<Int64>
        var isNull: UnsafeMutableBufferPointer<Bool>? = nil
        let words: TextInterner?
        var ipv6: [UInt8] = []
        var ipv6Index: [IPv6Bits: Int64] = [:]

        init(kind: PartitionSchema.Kind, capacity: Int) {
            self.kind = kind
            values = .allocate(capacity: capacity)
            words = kind == .text ? TextInterner() : nil
        }

        deinit {
            values.deallocate()
            isNull?.deallocate()
        }

        func grow(to capacity: Int, rows: Int) {
            let fresh = UnsafeMutableBufferPointer<Int64>.allocate(capacity: capacity)
            _ = fresh.initialize(from: values[0..<rows])
            values.deallocate()
            values = fresh
            if let old = isNull {
                let flags = UnsafeMutableBufferPointer<Bool>.allocate(capacity: capacity)
                flags.initialize(repeating: false)
                for row in 0..<rows { flags[row] = old[row] }
                old.deallocate()
                isNull = flags
            }
        }

        /// Marks row `row` NULL, creating the flags on the first NULL.
        @inline(__always)
        func setNull(_ row: Int, capacity: Int) {
            if isNull == nil {
                let flags = UnsafeMutableBufferPointer<Bool>.allocate(capacity: capacity)
                flags.initialize(repeating: false)
                isNull = flags
            }
            isNull![row] = true
            values[row] = 0
        }
    }

    /// 128 bits of an IPv6 address, as a dictionary key.
    struct IPv6Bits: Hashable {
        let high: UInt64
        let low: UInt64
    }

    init(day: PartitionDay, layout: FlowLayout) {
        self.day = day
        self.layout = layout
        capacity = 1024
        columns = layout.slots.map { ColumnBuffer(kind: PartitionSchema.kind(of: $0), capacity: 1024) }
        startSlot = layout.position(of: .start) ?? 0
        endSlot = layout.position(of: .end)
    }

    /// The most bytes a segment's buffers may take: long records end a segment early, so
    /// memory stays bounded whatever the line length.
    static let maximumBytes = 16 << 20

    /// True when the segment holds as many rows, or bytes, as a segment may.
    var isFull: Bool { rows >= PartitionSchema.maximumSegmentRows || byteCount >= Self.maximumBytes }

    /// Bytes the buffers take, for the reader's memory budget.
    var byteCount: Int {
        capacity * columns.count * 9 + columns.reduce(0) { $0 + $1.ipv6.count + ($1.words?.byteCount ?? 0) }
    }

    /// Appends the parser's current record (its text read from `line`).
    func append(_ parser: FlowRecordParser, line: UnsafeRawBufferPointer) {
        if rows == capacity {
            let grown = min(capacity * 2, PartitionSchema.maximumSegmentRows)
            for column in columns { column.grow(to: grown, rows: rows) }
            capacity = grown
        }
        let row = rows
        let values = parser.values
        for slot in 0..<columns.count {
            let column = columns[slot]
            let value = values[slot]
            switch value.kind {
            case .null:
                column.setNull(row, capacity: capacity)
            case .integer:
                column.values[row] = value.integer
            case .text:
                let text = UnsafeRawBufferPointer(rebasing: line[value.textOffset..<(value.textOffset + value.textCount)])
                column.values[row] = column.words?.code(for: text) ?? 0
            case .ipv6:
                let bytes = UnsafeRawBufferPointer(rebasing: parser.addressBytes[value.textOffset..<(value.textOffset + 16)])
                let key = IPv6Bits(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                                   low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
                if let known = column.ipv6Index[key] {
                    column.values[row] = known
                } else {
                    let code = (Int64(1) << 32) + Int64(column.ipv6Index.count)
                    column.ipv6Index[key] = code
                    column.ipv6.append(contentsOf: bytes)
                    column.values[row] = code
                }
            }
        }
        let start = values[startSlot].integer
        if start < minStart { minStart = start }
        if start > maxStart { maxStart = start }
        if let endSlot, values[endSlot].kind == .integer {
            let end = values[endSlot].integer
            if end < minEnd { minEnd = end }
            if end > maxEnd { maxEnd = end }
        }
        rows += 1
    }

    /// Encodes the rows into a segment of file `fileID`; `key` fills account and region when
    /// the layout has no such field.
    func encode(fileID: Int64, key: S3Key, scratch: EncoderScratch) -> EncodedSegment {
        var encoded: [EncodedColumn] = []
        encoded.reserveCapacity(columns.count + 2)
        for (slot, column) in columns.enumerated() {
            let values = UnsafeBufferPointer(rebasing: column.values[0..<rows])
            let isNull = column.isNull.map { UnsafeBufferPointer(rebasing: $0[0..<rows]) }
            let result = IntegerColumnCodec.encode(values, isNull: isNull, scratch: scratch)
            var blob = result.bytes
            var words: [String] = []
            switch column.kind {
            case .address:
                var writer = Writer(bytes: blob)
                writer.append(UInt32(column.ipv6.count / 16))
                writer.append(contentsOf: column.ipv6)
                blob = writer.bytes
            case .text:
                words = column.words?.words() ?? []
            case .integer, .time:
                break
            }
            let zoned = column.kind != .text
            encoded.append(EncodedColumn(name: layout.slots[slot].columnName, kind: column.kind, blob: blob,
                                         minimum: zoned ? result.minimum : nil, maximum: zoned ? result.maximum : nil,
                                         nullCount: result.nullCount, words: words))
        }
        // Account and region from the S3 key, when the records do not carry them.
        for (field, value) in [(FlowField.accountID, key.accountID), (FlowField.region, key.region)] {
            guard let value, layout.position(of: field) == nil else { continue }
            let zeros = [Int64](repeating: 0, count: rows)
            let result = zeros.withUnsafeBufferPointer { IntegerColumnCodec.encode($0, isNull: nil, scratch: scratch) }
            encoded.append(EncodedColumn(name: field.columnName, kind: .text, blob: result.bytes, minimum: nil, maximum: nil,
                                         nullCount: 0, words: [value]))
        }
        return EncodedSegment(fileID: fileID, day: day, rows: rows, minStart: minStart, maxStart: maxStart,
                              minEnd: minEnd == .max ? nil : minEnd, maxEnd: maxEnd == .min ? nil : maxEnd, columns: encoded)
    }
}

@available(*, unavailable)
extension SegmentBuilder: Sendable {}
