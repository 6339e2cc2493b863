/// A cursor over PLAIN-encoded values in a page (Encodings.md: little-endian fixed-width
/// numbers, LSB-first bit-packed booleans, 4-byte-length-prefixed byte arrays, raw fixed-
/// length byte arrays). Reads through a raw pointer owned by a `PageBuffer` the caller
/// keeps alive; every read is checked against `end` first.
struct PlainDecoder {
    private let base: UnsafeRawPointer
    private var position: Int
    private let end: Int
    /// Bit position for booleans, which pack eight to a byte.
    private var bit = 0

    /// Reads `base[start..<end]`.
    init(base: UnsafeRawPointer, start: Int, end: Int) {
        self.base = base
        self.position = start
        self.end = end
    }

    private func short(_ what: String, _ count: Int) -> ParquetError {
        ParquetError(.corruptPage, "PLAIN data ends early: \(count) \(what) do not fit in \(end - position) bytes")
    }

    /// Decodes `count` INT32 values, widened.
    mutating func int32s(into out: UnsafeMutablePointer<Int64>, count: Int) throws {
        guard count <= (end - position) / 4 else { throw short("INT32 values", count) }
        let p = base + position
        for i in 0..<count {
            out[i] = Int64(Int32(littleEndian: p.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
        }
        position += count * 4
    }

    /// Decodes `count` INT64 values.
    mutating func int64s(into out: UnsafeMutablePointer<Int64>, count: Int) throws {
        guard count <= (end - position) / 8 else { throw short("INT64 values", count) }
        UnsafeMutableRawPointer(out).copyMemory(from: base + position, byteCount: count * 8)
        #if _endian(big)
        for i in 0..<count { out[i] = Int64(littleEndian: out[i]) }
        #endif
        position += count * 8
    }

    /// Decodes `count` FLOAT values, widened.
    mutating func floats(into out: UnsafeMutablePointer<Double>, count: Int) throws {
        guard count <= (end - position) / 4 else { throw short("FLOAT values", count) }
        let p = base + position
        for i in 0..<count {
            let bits = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            out[i] = Double(Float(bitPattern: bits))
        }
        position += count * 4
    }

    /// Decodes `count` DOUBLE values.
    mutating func doubles(into out: UnsafeMutablePointer<Double>, count: Int) throws {
        guard count <= (end - position) / 8 else { throw short("DOUBLE values", count) }
        let p = base + position
        for i in 0..<count {
            out[i] = Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
        }
        position += count * 8
    }

    /// Decodes `count` bit-packed BOOLEAN values.
    mutating func booleans(into out: UnsafeMutablePointer<Bool>, count: Int) throws {
        let availableBits = (end - position) * 8 - bit
        guard count <= availableBits else { throw short("BOOLEAN values", count) }
        for i in 0..<count {
            let b = bit + i
            let byte = base.load(fromByteOffset: position + (b >> 3), as: UInt8.self)
            out[i] = (byte >> UInt8(b & 7)) & 1 == 1
        }
        bit += count
        position += bit >> 3
        bit &= 7
    }

    /// Reads the next BYTE_ARRAY value (4-byte length then bytes), returning its bytes.
    @inline(__always)
    mutating func nextByteArray() throws -> UnsafeRawBufferPointer {
        guard end - position >= 4 else { throw ParquetError(.corruptPage, "PLAIN data ends early (in a BYTE_ARRAY length)") }
        let length = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
        position += 4
        guard length <= end - position else {
            throw ParquetError(.corruptPage, "PLAIN BYTE_ARRAY of \(length) bytes runs past the page (\(end - position) left)")
        }
        let value = UnsafeRawBufferPointer(start: base + position, count: length)
        position += length
        return value
    }

    /// Reads the next FIXED_LEN_BYTE_ARRAY value of `length` bytes.
    @inline(__always)
    mutating func nextFixed(_ length: Int) throws -> UnsafeRawBufferPointer {
        guard length <= end - position else { throw ParquetError(.corruptPage, "PLAIN data ends early (in a FIXED_LEN_BYTE_ARRAY)") }
        let value = UnsafeRawBufferPointer(start: base + position, count: length)
        position += length
        return value
    }
}

/// A growable byte buffer in manually managed memory, for a batch's byte-array values:
/// appends are a bounds check and a copy, with no per-value allocation.
///
/// It always keeps `slack` bytes of spare capacity, so short values (the common case:
/// addresses, ids, actions) can be copied as two unaligned 8-byte words instead of a
/// `memmove` call; sources must likewise be readable 16 bytes past a value's start
/// (`PageBuffer` and dictionary storage are padded for this).
final class ByteBuilder {
    /// Spare bytes kept past `count`, and readable bytes a short-copy source must have.
    static let slack = 16
    private(set) var base: UnsafeMutableRawPointer
    private(set) var count = 0
    private var capacity: Int

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int) {
        self.capacity = max(capacity, 64) + ByteBuilder.slack
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes; throws if the batch would exceed the 2 GiB an
    /// `Int32` offset spans.
    @inline(__always)
    func reserve(_ extra: Int) throws {
        if count + extra + ByteBuilder.slack > capacity { try grow(count + extra) }
    }

    /// Appends `length` bytes from `source` after `reserve` made room for them; `source`
    /// must be readable for `max(length, 16)` bytes.
    @inline(__always)
    func appendReserved(_ source: UnsafeRawPointer, _ length: Int) {
        let target = base + count
        if length <= 16 {
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        } else {
            target.copyMemory(from: source, byteCount: length)
        }
        count += length
    }

    /// Appends `bytes` (no padding requirement on the source).
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try reserve(bytes.count)
        if let source = bytes.baseAddress, !bytes.isEmpty {
            (base + count).copyMemory(from: source, byteCount: bytes.count)
        }
        count += bytes.count
    }

    private func grow(_ needed: Int) throws {
        guard needed <= Int(Int32.max) else {
            throw ParquetError(.invalidArgument, "one batch holds more than 2 GiB of byte-array data; use a smaller batch size")
        }
        let newCapacity = max(needed, capacity * 2) + ByteBuilder.slack
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Copies the contents out as an array and empties the buffer (keeping its memory).
    /// `padding` zero bytes are added past the end (for dictionaries read by short copies).
    func take(padding: Int = 0) -> [UInt8] {
        let out = [UInt8](unsafeUninitializedCapacity: count + padding) { buffer, initialized in
            if let target = buffer.baseAddress {
                UnsafeMutableRawPointer(target).copyMemory(from: base, byteCount: count)
                (target + count).initialize(repeating: 0, count: padding)
            }
            initialized = count + padding
        }
        count = 0
        return out
    }
}

@available(*, unavailable)
extension ByteBuilder: Sendable {}
