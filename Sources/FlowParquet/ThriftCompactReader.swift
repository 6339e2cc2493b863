/// Wire types of the Thrift compact protocol (the low nibble of a field header).
enum ThriftCompactType: UInt8, Sendable {
    case stop = 0
    case boolTrue = 1
    case boolFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case `struct` = 12
}

/// A decoder for the Thrift compact protocol, the encoding of Parquet's footer and page
/// headers.
///
/// The input is untrusted: every length and count is checked against the bytes that
/// remain before anything is allocated, nesting depth is capped, and running out of
/// input throws `.truncated` (which `PageReader` uses to fetch a longer header).
struct ThriftCompactReader {
    /// Deeper nesting than this is hostile: Parquet's own structures nest about 5 deep.
    static let maxDepth = 64

    private let bytes: [UInt8]
    /// The next byte to read.
    private(set) var position: Int
    private var lastFieldID: Int16 = 0
    private var fieldIDStack: [Int16] = []

    /// Reads `bytes` from the start.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
    }

    /// Bytes left to read.
    var remaining: Int { bytes.count - position }

    // MARK: Primitives

    private mutating func readByte() throws -> UInt8 {
        guard position < bytes.count else { throw ParquetError(.truncated, "Thrift data ends early") }
        let b = bytes[position]
        position += 1
        return b
    }

    /// An unsigned LEB128 varint of at most 10 bytes (64 bits).
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift == 63 && b > 1 { throw ParquetError(.corruptMetadata, "Thrift varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetError(.corruptMetadata, "Thrift varint longer than 10 bytes") }
        }
    }

    private static func unzigzag(_ v: UInt64) -> Int64 {
        Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// A zigzag varint i64.
    mutating func readI64() throws -> Int64 { ThriftCompactReader.unzigzag(try readVarint()) }

    /// A zigzag varint i32; values outside 32 bits are corrupt.
    mutating func readI32() throws -> Int32 {
        let v = try readI64()
        guard let narrow = Int32(exactly: v) else { throw ParquetError(.corruptMetadata, "Thrift i32 out of range: \(v)") }
        return narrow
    }

    /// A zigzag varint i16.
    mutating func readI16() throws -> Int16 {
        let v = try readI64()
        guard let narrow = Int16(exactly: v) else { throw ParquetError(.corruptMetadata, "Thrift i16 out of range: \(v)") }
        return narrow
    }

    /// A single signed byte (compact `byte` is not varint encoded).
    mutating func readI8() throws -> Int8 { Int8(bitPattern: try readByte()) }

    /// An 8-byte little-endian double.
    mutating func readDouble() throws -> Double {
        guard remaining >= 8 else { throw ParquetError(.truncated, "Thrift data ends early") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    /// A varint length then that many bytes; the length is checked before copying.
    mutating func readBinary() throws -> [UInt8] {
        let length = try readLength()
        let out = Array(bytes[position..<(position + length)])
        position += length
        return out
    }

    /// A binary field as UTF-8 text (invalid sequences repaired, never rejected: names are
    /// only for display and matching).
    mutating func readString() throws -> String {
        let length = try readLength()
        let text = String(decoding: bytes[position..<(position + length)], as: UTF8.self)
        position += length
        return text
    }

    private mutating func readLength() throws -> Int {
        let raw = try readVarint()
        guard raw <= UInt64(remaining) else {
            throw ParquetError(.truncated, "Thrift binary of \(raw) bytes runs past the end (\(remaining) left)")
        }
        return Int(raw)
    }

    /// The value of a boolean struct field, which the compact protocol folds into the
    /// field header's type nibble.
    func boolValue(_ type: ThriftCompactType) -> Bool { type == .boolTrue }

    // MARK: Containers

    /// A list or set header: element type and count. Every element takes at least one
    /// byte, so a count above the bytes left is corrupt and is refused here, before any
    /// caller reserves space for it.
    mutating func readListHeader() throws -> (type: ThriftCompactType, count: Int) {
        let header = try readByte()
        guard let type = ThriftCompactType(rawValue: header & 0x0F), type != .stop else {
            throw ParquetError(.corruptMetadata, "Thrift list has invalid element type \(header & 0x0F)")
        }
        var count = UInt64(header >> 4)
        if count == 15 { count = try readVarint() }
        guard count <= UInt64(remaining) else {
            throw ParquetError(.truncated, "Thrift list of \(count) elements runs past the end (\(remaining) bytes left)")
        }
        return (type, Int(count))
    }

    /// A list whose elements are read by `element`.
    mutating func readList<T>(_ element: (inout ThriftCompactReader, ThriftCompactType) throws -> T) throws -> [T] {
        let (type, count) = try readListHeader()
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self, type)) }
        return out
    }

    /// Reads a struct's fields, handing each (id, type) to `field`, which must consume the
    /// value (or call `skip`). Field ids are delta encoded against the previous field of
    /// the same struct, so the last id is saved across nested structs.
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, ThriftCompactType) throws -> Void) throws {
        guard fieldIDStack.count < ThriftCompactReader.maxDepth else {
            throw ParquetError(.corruptMetadata, "Thrift structs nested deeper than \(ThriftCompactReader.maxDepth)")
        }
        fieldIDStack.append(lastFieldID)
        lastFieldID = 0
        while true {
            let header = try readByte()
            if header == 0 { break }
            guard let type = ThriftCompactType(rawValue: header & 0x0F), type != .stop else {
                throw ParquetError(.corruptMetadata, "Thrift field has invalid type \(header & 0x0F)")
            }
            let delta = Int16(header >> 4)
            let id: Int16 = delta == 0 ? try readI16() : lastFieldID &+ delta
            lastFieldID = id
            try field(&self, id, type)
        }
        lastFieldID = fieldIDStack.removeLast()
    }

    /// Skips one value of `type`, recursing into containers; unknown fields written by
    /// newer Parquet versions go through here.
    mutating func skip(_ type: ThriftCompactType, depth: Int = 0) throws {
        guard depth < ThriftCompactReader.maxDepth else {
            throw ParquetError(.corruptMetadata, "Thrift values nested deeper than \(ThriftCompactReader.maxDepth)")
        }
        switch type {
        case .stop:
            throw ParquetError(.corruptMetadata, "Thrift STOP where a value was expected")
        case .boolTrue, .boolFalse:
            // In a struct field the value lives in the header; callers skipping list
            // elements pass `.byte` semantics via skipListElement instead.
            return
        case .byte:
            _ = try readByte()
        case .i16, .i32, .i64:
            _ = try readVarint()
        case .double:
            guard remaining >= 8 else { throw ParquetError(.truncated, "Thrift data ends early") }
            position += 8
        case .binary:
            position += try readLength()
        case .list, .set:
            let (elementType, count) = try readListHeader()
            for _ in 0..<count { try skipElement(elementType, depth: depth + 1) }
        case .map:
            let raw = try readVarint()
            guard raw <= UInt64(remaining / 2) else {
                throw ParquetError(.truncated, "Thrift map of \(raw) entries runs past the end")
            }
            if raw == 0 { return }
            let types = try readByte()
            guard let keyType = ThriftCompactType(rawValue: types >> 4), keyType != .stop,
                  let valueType = ThriftCompactType(rawValue: types & 0x0F), valueType != .stop else {
                throw ParquetError(.corruptMetadata, "Thrift map has invalid key/value types \(types)")
            }
            for _ in 0..<Int(raw) {
                try skipElement(keyType, depth: depth + 1)
                try skipElement(valueType, depth: depth + 1)
            }
        case .struct:
            try readStruct { reader, _, fieldType in try reader.skip(fieldType, depth: depth + 1) }
        }
    }

    /// Skips a container element: unlike struct fields, booleans in lists and maps take a
    /// byte of their own.
    private mutating func skipElement(_ type: ThriftCompactType, depth: Int) throws {
        if type == .boolTrue || type == .boolFalse {
            _ = try readByte()
        } else {
            try skip(type, depth: depth)
        }
    }
}
