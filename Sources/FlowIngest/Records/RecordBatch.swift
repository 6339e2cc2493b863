import Foundation
import Synchronization

/// Parsed records packed into one byte buffer, handed from a reading thread to the writing
/// threads without a `String` or an array per record.
///
/// Each record is: its day number (4 bytes), then per slot a tag byte and the value: an 8-byte
/// integer, a 2-byte length and the text, or 16 address bytes; NULL is the tag alone.
///
/// A batch is built by a `RecordBatchBuilder` on one thread and sealed: from then on its bytes
/// are never written again, so any number of threads may read it at once (two lanes read one
/// batch of a file that spans midnight) and ARC frees it after the last reader.
public final class RecordBatch: @unchecked Sendable {
    // `@unchecked Sendable`: every stored property is a `let`, and the memory `bytes` points to
    // is written only by the builder, before `init` takes it; after that it is read-only.
    enum Tag: UInt8 { case null = 0, integer = 1, text = 2, ipv6 = 3 }

    private let bytes: UnsafeMutableRawPointer
    private let capacity: Int
    /// Bytes in use.
    let count: Int
    /// Records in the batch.
    public let records: Int

    fileprivate init(bytes: UnsafeMutableRawPointer, capacity: Int, count: Int, records: Int) {
        self.bytes = bytes
        self.capacity = capacity
        self.count = count
        self.records = records
    }

    deinit {
        RecordBatchBuilder.release(bytes, capacity: capacity)
    }

    /// Every record's day and the offset of its values, grouped by day in first-seen order,
    /// each day's records in file order.
    func recordsByDay(slots: Int) -> [(day: PartitionDay, offsets: [Int])] {
        var order: [PartitionDay] = []
        var byDay: [PartitionDay: [Int]] = [:]
        forEachRecord(slots: slots) { day, cursor in
            if byDay[day] == nil { order.append(day) }
            byDay[day, default: []].append(cursor.offset)
        }
        return order.map { ($0, byDay[$0] ?? []) }
    }

    /// A cursor over the values of the record whose values start at `offset`.
    func cursor(at offset: Int, slots: Int) -> RecordCursor {
        RecordCursor(base: UnsafeRawPointer(bytes), offset: offset, remaining: slots)
    }

    /// Calls `body` for every record with a cursor over its values.
    func forEachRecord(slots: Int, _ body: (PartitionDay, inout RecordCursor) throws -> Void) rethrows {
        var offset = 0
        while offset < count {
            let day = PartitionDay(dayNumber: Int32(bitPattern: (bytes + offset).loadUnaligned(as: UInt32.self)))
            var cursor = RecordCursor(base: UnsafeRawPointer(bytes), offset: offset + 4, remaining: slots)
            try body(day, &cursor)
            // The body may not read every value; skip what is left.
            while cursor.remaining > 0 { _ = cursor.next() }
            offset = cursor.offset
        }
    }
}

/// Fills one batch buffer with records on the reading thread, then seals it into a `RecordBatch`.
final class RecordBatchBuilder {
    private var bytes: UnsafeMutableRawPointer
    private var count = 0
    private var capacity: Int
    /// Records appended so far.
    private(set) var records = 0

    /// The usual capacity; a buffer grows past it only for a single record that does not fit.
    static let standardCapacity = 512 * 1024

    /// An empty builder, on a recycled buffer when one is free; a smaller `initialCapacity`
    /// starts small and grows to the standard size as records come.
    init(initialCapacity: Int = RecordBatchBuilder.standardCapacity) {
        capacity = min(initialCapacity, Self.standardCapacity)
        bytes = capacity == Self.standardCapacity ? Self.pool.take() ?? .allocate(byteCount: capacity, alignment: 8)
            : .allocate(byteCount: capacity, alignment: 8)
    }

    /// Bytes of records appended so far.
    var byteCount: Int { count }

    deinit {
        // The buffer being filled (of a failed file, or the fresh one after the last seal).
        Self.release(bytes, capacity: capacity)
    }

    /// The most bytes one record of `line` bytes can take in a batch.
    static func size(ofRecordWith slots: Int, lineLength: Int) -> Int {
        4 + slots * 17 + lineLength
    }

    /// True when a record of `line` bytes would not fit and the batch already holds records:
    /// send this batch first. Batches so stay at their standard size whatever the line length
    /// (a batch that grew for each long record would hold a whole file).
    func needsSeal(beforeRecordWith slots: Int, lineLength: Int) -> Bool {
        records > 0 && count + Self.size(ofRecordWith: slots, lineLength: lineLength) > max(capacity, Self.standardCapacity)
    }

    /// True when the batch is full enough to hand over.
    var isFull: Bool { count >= max(capacity, Self.standardCapacity) - 4096 }

    /// Appends the parser's current record, read from `line`.
    func append(_ parser: FlowRecordParser, line: UnsafeRawBufferPointer, day: PartitionDay) {
        let values = parser.values
        reserve(Self.size(ofRecordWith: values.count, lineLength: line.count))
        store(UInt32(bitPattern: day.dayNumber))
        for value in values {
            switch value.kind {
            case .null:
                store(RecordBatch.Tag.null.rawValue)
            case .integer:
                store(RecordBatch.Tag.integer.rawValue)
                store(value.integer)
            case .text:
                store(RecordBatch.Tag.text.rawValue)
                store(UInt16(value.textCount))
                if let base = line.baseAddress {
                    (bytes + count).copyMemory(from: base + value.textOffset, byteCount: value.textCount)
                }
                count += value.textCount
            case .ipv6:
                store(RecordBatch.Tag.ipv6.rawValue)
                if let base = parser.addressBytes.baseAddress {
                    (bytes + count).copyMemory(from: base + value.textOffset, byteCount: 16)
                }
                count += 16
            }
        }
        records += 1
    }

    /// Hands the records over as an immutable batch; the builder starts again, empty.
    func seal() -> RecordBatch {
        let batch = RecordBatch(bytes: bytes, capacity: capacity, count: count, records: records)
        capacity = Self.standardCapacity
        bytes = Self.pool.take() ?? .allocate(byteCount: Self.standardCapacity, alignment: 8)
        count = 0
        records = 0
        return batch
    }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        // Small buffers double up to the standard size; only one record larger than that
        // makes a bigger one.
        let grown = count + extra <= Self.standardCapacity ? min(Self.standardCapacity, max(capacity * 2, count + extra)) : count + extra
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 8)
        fresh.copyMemory(from: bytes, byteCount: count)
        Self.release(bytes, capacity: capacity)
        bytes = fresh
        capacity = grown
    }

    @inline(__always)
    private func store<T>(_ value: T) {
        (bytes + count).storeBytes(of: value, toByteOffset: 0, as: T.self)
        count += MemoryLayout<T>.size
    }

    /// Buffers no batch uses, kept for the next batch.
    ///
    /// Readers allocate batches and writer lanes free them, on other threads; without recycling,
    /// malloc keeps the freed half-megabytes in per-thread arenas and the process grows by tens
    /// of megabytes. A few idle buffers are kept (enough for the batches in flight).
    private static let pool = BufferPool()

    /// Returns a buffer: standard-size ones to the pool, others to the allocator.
    fileprivate static func release(_ buffer: UnsafeMutableRawPointer, capacity: Int) {
        if capacity == standardCapacity { pool.give(buffer) } else { buffer.deallocate() }
    }
}

@available(*, unavailable)
extension RecordBatchBuilder: Sendable {}

/// Idle batch buffers, shared by the threads of an ingest.
private final class BufferPool: Sendable {
    /// Addresses of idle buffers (as integers: a pointer is not `Sendable`, an address is).
    private let idle = Mutex<[UInt]>([])
    private static let maximumIdle = 32

    func take() -> UnsafeMutableRawPointer? {
        idle.withLock { $0.popLast() }.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    func give(_ buffer: UnsafeMutableRawPointer) {
        let address = UInt(bitPattern: buffer)
        let kept = idle.withLock { idle -> Bool in
            guard idle.count < Self.maximumIdle else { return false }
            idle.append(address)
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

    let base: UnsafeRawPointer
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
