import Foundation

/// Parsed records packed into one byte buffer, handed from the parsing thread to the writing
/// thread without a `String` or an array per record.
///
/// Each record is: its day number (4 bytes), then per slot a tag byte and the value: an 8-byte
/// integer, a 2-byte length and the text, or 16 address bytes; NULL is the tag alone.
public final class RecordBatch {
    enum Tag: UInt8 { case null = 0, integer = 1, text = 2, ipv6 = 3 }

    private(set) var bytes: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int
    /// Records in the batch.
    public private(set) var records = 0

    /// The usual capacity; a batch grows past it only for a record that does not fit.
    static let standardCapacity = 512 * 1024

    /// An empty batch, on a recycled buffer when one is free.
    init() {
        capacity = Self.standardCapacity
        bytes = BufferPool.shared.take() ?? .allocate(byteCount: Self.standardCapacity, alignment: 8)
    }

    deinit {
        if capacity == Self.standardCapacity { BufferPool.shared.give(bytes) } else { bytes.deallocate() }
    }

    /// True when the batch is full enough to hand over.
    var isFull: Bool { count >= capacity - 4096 }

    /// Appends the parser's current record, read from `line`.
    func append(_ parser: FlowRecordParser, line: UnsafeRawBufferPointer, day: PartitionDay) {
        let values = parser.values
        reserve(4 + values.count * 11 + line.count)
        store(UInt32(bitPattern: day.dayNumber))
        for value in values {
            switch value.kind {
            case .null:
                store(Tag.null.rawValue)
            case .integer:
                store(Tag.integer.rawValue)
                store(value.integer)
            case .text:
                store(Tag.text.rawValue)
                store(UInt16(value.textCount))
                if let base = line.baseAddress {
                    (bytes + count).copyMemory(from: base + value.textOffset, byteCount: value.textCount)
                }
                count += value.textCount
            case .ipv6:
                store(Tag.ipv6.rawValue)
                if let base = parser.addressBytes.baseAddress {
                    (bytes + count).copyMemory(from: base + value.textOffset, byteCount: 16)
                }
                count += 16
            }
        }
        records += 1
    }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 8)
        fresh.copyMemory(from: bytes, byteCount: count)
        bytes.deallocate()
        bytes = fresh
        capacity = grown
    }

    @inline(__always)
    private func store<T>(_ value: T) {
        (bytes + count).storeBytes(of: value, toByteOffset: 0, as: T.self)
        count += MemoryLayout<T>.size
    }

    /// Every record's day and the offset of its values, in order.
    func recordOffsets(slots: Int) -> [(day: PartitionDay, offset: Int)] {
        var result: [(day: PartitionDay, offset: Int)] = []
        result.reserveCapacity(records)
        forEachRecord(slots: slots) { day, cursor in result.append((day, cursor.offset)) }
        return result
    }

    /// A cursor over the values of the record whose values start at `offset`.
    func cursor(at offset: Int, slots: Int) -> RecordCursor {
        RecordCursor(base: bytes, offset: offset, remaining: slots)
    }

    /// Calls `body` for every record with a cursor over its values.
    func forEachRecord(slots: Int, _ body: (PartitionDay, inout RecordCursor) throws -> Void) rethrows {
        var offset = 0
        while offset < count {
            let day = PartitionDay(dayNumber: Int32(bitPattern: (bytes + offset).loadUnaligned(as: UInt32.self)))
            var cursor = RecordCursor(base: bytes, offset: offset + 4, remaining: slots)
            try body(day, &cursor)
            // The body may not read every value; skip what is left.
            while cursor.remaining > 0 { _ = cursor.next() }
            offset = cursor.offset
        }
    }
}

@available(*, unavailable)
extension RecordBatch: Sendable {}

/// Batch buffers no batch uses, kept for the next batch.
///
/// Readers allocate batches and writer lanes free them, on other threads; without recycling,
/// malloc keeps the freed half-megabytes in per-thread arenas and the process grows by tens of
/// megabytes. A few idle buffers are kept (enough for the batches in flight); the rest are freed.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var idle: [UnsafeMutableRawPointer] = []
    private static let maximumIdle = 32

    func take() -> UnsafeMutableRawPointer? {
        lock.withLock { idle.popLast() }
    }

    func give(_ buffer: UnsafeMutableRawPointer) {
        let kept = lock.withLock { () -> Bool in
            guard idle.count < Self.maximumIdle else { return false }
            idle.append(buffer)
            return true
        }
        if !kept { buffer.deallocate() }
    }
}

/// Reads one record's values out of a batch, in slot order.
struct RecordCursor {
    /// One value, pointing into the batch.
    enum Value {
        case null
        case integer(Int64)
        case text(UnsafeRawBufferPointer)
        case ipv6(UnsafeRawBufferPointer)
    }

    let base: UnsafeMutableRawPointer
    var offset: Int
    var remaining: Int

    @inline(__always)
    mutating func next() -> Value {
        remaining -= 1
        let tag = base.load(fromByteOffset: offset, as: UInt8.self)
        offset += 1
        switch tag {
        case RecordBatch.Tag.integer.rawValue:
            let value = (base + offset).loadUnaligned(as: Int64.self)
            offset += 8
            return .integer(value)
        case RecordBatch.Tag.text.rawValue:
            let length = Int((base + offset).loadUnaligned(as: UInt16.self))
            offset += 2
            let text = UnsafeRawBufferPointer(start: base + offset, count: length)
            offset += length
            return .text(text)
        case RecordBatch.Tag.ipv6.rawValue:
            let address = UnsafeRawBufferPointer(start: base + offset, count: 16)
            offset += 16
            return .ipv6(address)
        default:
            return .null
        }
    }
}
