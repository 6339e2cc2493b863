/// The encoding of one integer column of a segment: every stored column is integers (numbers,
/// times, addresses, and text as word-list codes).
///
/// ```
/// u8  encoding     0 all NULL, 1 constant, 2 frame of reference, 3 dictionary
/// u8  flags        bit 1: some values are NULL, marked by the code past the last value
/// u32 count        values in the segment
/// 1: i64 value                                  (no NULLs)
/// 2: i64 base, u8 width, packed codes           value = base + code; with NULLs,
///                                                code (high - base + 1) is NULL
/// 3: u32 entries, i64 base, u8 width, packed sorted distinct (value - base);
///    u8 code width, packed codes                value = entry[code]; with NULLs,
///                                                code `entries` is NULL
/// ```
/// All numbers little-endian; packed data as `BitPacking` writes it. A NULL costs no more than
/// the code past the largest value (no bitmap), and the encoder picks whichever of frame of
/// reference and dictionary is smaller.
public enum IntegerColumnCodec {
    /// Encodings, by their tag byte.
    public enum Kind: UInt8, Sendable {
        case allNull = 0, constant = 1, frameOfReference = 2, dictionary = 3
    }

    /// The most distinct values a dictionary may hold.
    public static let maximumDictionary = 4096
    static let nullFlag: UInt8 = 2

    /// What an encoding found: the blob and the zone map (over non-NULL values).
    public struct Encoded: Sendable {
        public var bytes: [UInt8]
        public var minimum: Int64?
        public var maximum: Int64?
        public var nullCount: Int
    }

    /// Encodes `count` values; `isNull`, when given, marks NULLs (their values are ignored).
    public static func encode(_ values: UnsafeBufferPointer<Int64>, isNull: UnsafeBufferPointer<Bool>?, scratch: EncoderScratch) -> Encoded {
        let count = values.count
        var nulls = 0
        var low = Int64.max, high = Int64.min
        if let isNull {
            for index in 0..<count {
                if isNull[index] { nulls += 1; continue }
                let value = values[index]
                if value < low { low = value }
                if value > high { high = value }
            }
        } else {
            for value in values {
                if value < low { low = value }
                if value > high { high = value }
            }
        }
        var out = Writer()
        func header(_ kind: Kind) {
            out.append(kind.rawValue)
            out.append(nulls > 0 && kind != .allNull ? nullFlag : 0)
            out.append(UInt32(count))
        }
        guard nulls < count else {
            header(.allNull)
            return Encoded(bytes: out.bytes, minimum: nil, maximum: nil, nullCount: nulls)
        }
        if low == high && nulls == 0 {
            header(.constant)
            out.append(low)
            return Encoded(bytes: out.bytes, minimum: low, maximum: high, nullCount: nulls)
        }
        let range = UInt64(bitPattern: high &- low)
        // With NULLs, the code past the range marks them (a range of 2^64 - 1 has no room:
        // such a column always takes the dictionary or full-width path with the flag).
        let forWidth = nulls > 0 ? (range == .max ? 64 : BitPacking.width(of: range &+ 1)) : BitPacking.width(of: range)
        let forBytes = 9 + BitPacking.byteCount(count: count, width: forWidth)
        if forWidth > 1, let distinct = scratch.distinctValues(values, isNull: isNull, limit: maximumDictionary) {
            let codeWidth = BitPacking.width(of: UInt64(distinct.count - (nulls > 0 ? 0 : 1)))
            let entryWidth = BitPacking.width(of: range)
            let dictionaryBytes = 14 + BitPacking.byteCount(count: distinct.count, width: entryWidth) + BitPacking.byteCount(count: count, width: codeWidth)
            if dictionaryBytes < forBytes || (range == .max && nulls > 0) {
                header(.dictionary)
                out.append(UInt32(distinct.count))
                out.append(low)
                out.append(UInt8(entryWidth))
                let entries = scratch.unsigned(distinct.count)
                for (index, value) in distinct.enumerated() { entries[index] = UInt64(bitPattern: value &- low) }
                out.appendPacked(UnsafeBufferPointer(entries), width: entryWidth)
                out.append(UInt8(codeWidth))
                let codes = scratch.unsigned(count)
                scratch.codes(values, isNull: isNull, sorted: distinct, nullCode: UInt64(distinct.count), into: codes)
                out.appendPacked(UnsafeBufferPointer(codes), width: codeWidth)
                return Encoded(bytes: out.bytes, minimum: low, maximum: high, nullCount: nulls)
            }
        }
        header(.frameOfReference)
        out.append(low)
        out.append(UInt8(forWidth))
        let deltas = scratch.unsigned(count)
        let nullCode = range &+ 1
        for index in 0..<count {
            deltas[index] = isNull?[index] == true ? nullCode : UInt64(bitPattern: values[index] &- low)
        }
        out.appendPacked(UnsafeBufferPointer(deltas), width: forWidth)
        return Encoded(bytes: out.bytes, minimum: low, maximum: high, nullCount: nulls)
    }

    /// Why a blob cannot be decoded (a damaged or foreign store).
    public struct CorruptColumn: Error, Sendable, CustomStringConvertible {
        public var reason: String
        /// A column found damaged, and why.
        public init(reason: String) { self.reason = reason }
        public var description: String { "a damaged column: \(reason)" }
    }

    /// The number of values in an encoded column, read from its header.
    public static func count(of blob: UnsafeRawBufferPointer) throws(CorruptColumn) -> Int {
        guard blob.count >= 6 else { throw CorruptColumn(reason: "\(blob.count) bytes, shorter than a header") }
        return Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 2, as: UInt32.self)))
    }

    /// Decodes a column into `values` (which holds `count(of:)` values); NULL flags into `isNull`
    /// (nil when no value is NULL). Returns the bytes the column took (a text column's word
    /// mapping, an address column's IPv6 table, follows).
    @discardableResult
    public static func decode(_ blob: UnsafeRawBufferPointer, into values: UnsafeMutablePointer<Int64>,
                              isNull: inout [Bool]?) throws(CorruptColumn) -> Int {
        var reader = Reader(blob)
        guard let kindByte = reader.u8(), let kind = Kind(rawValue: kindByte), let flags = reader.u8(), let count32 = reader.u32() else {
            throw CorruptColumn(reason: "a header that names no encoding")
        }
        let count = Int(count32)
        let hasNulls = flags & nullFlag != 0
        isNull = nil
        if count == 0 { return reader.offset }
        switch kind {
        case .allNull:
            values.update(repeating: 0, count: count)
            isNull = [Bool](repeating: true, count: count)
        case .constant:
            guard let value = reader.i64() else { throw CorruptColumn(reason: "a constant cut short") }
            values.update(repeating: value, count: count)
        case .frameOfReference:
            guard let base = reader.i64(), let width = reader.u8(), width <= 64,
                  let packed = reader.bytes(BitPacking.byteCount(count: count, width: Int(width))) else {
                throw CorruptColumn(reason: "packed values cut short")
            }
            if hasNulls {
                BitPacking.unpack(packed.baseAddress!, count: count, width: Int(width), base: 0, into: values)
                // The null code is the largest code present: one more than the range.
                var nullCode: Int64 = 0
                for index in 0..<count where values[index] > nullCode { nullCode = values[index] }
                var flagsOut = [Bool](repeating: false, count: count)
                for index in 0..<count {
                    if values[index] == nullCode { flagsOut[index] = true; values[index] = 0 } else { values[index] = base &+ values[index] }
                }
                isNull = flagsOut
            } else {
                BitPacking.unpack(packed.baseAddress!, count: count, width: Int(width), base: base, into: values)
            }
        case .dictionary:
            guard let entries32 = reader.u32(), let base = reader.i64(), let width = reader.u8(), width <= 64,
                  let packedEntries = reader.bytes(BitPacking.byteCount(count: Int(entries32), width: Int(width))),
                  let codeWidth = reader.u8(), codeWidth <= 32,
                  let packedCodes = reader.bytes(BitPacking.byteCount(count: count, width: Int(codeWidth))) else {
                throw CorruptColumn(reason: "a dictionary cut short")
            }
            let entries = Int(entries32)
            guard entries > 0 else { throw CorruptColumn(reason: "an empty dictionary") }
            let dictionary = UnsafeMutablePointer<Int64>.allocate(capacity: entries)
            defer { dictionary.deallocate() }
            if BitPacking.byteCount(count: entries, width: Int(width)) > 0 {
                BitPacking.unpack(packedEntries.baseAddress!, count: entries, width: Int(width), base: base, into: dictionary)
            } else {
                dictionary.update(repeating: base, count: entries)
            }
            if BitPacking.byteCount(count: count, width: Int(codeWidth)) > 0 {
                BitPacking.unpack(packedCodes.baseAddress!, count: count, width: Int(codeWidth), base: 0, into: values)
            } else {
                values.update(repeating: 0, count: count)
            }
            var flagsOut: [Bool]? = hasNulls ? [Bool](repeating: false, count: count) : nil
            for index in 0..<count {
                let code = Int(values[index])
                if code == entries && hasNulls {
                    flagsOut![index] = true
                    values[index] = 0
                    continue
                }
                guard code < entries else { throw CorruptColumn(reason: "a code past the dictionary") }
                values[index] = dictionary[code]
            }
            isNull = flagsOut
        }
        return reader.offset
    }
}

/// Reusable buffers for encoding, one per encoding thread: no allocation per column.
public final class EncoderScratch {
    private var unsignedBuffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 0)
    private var table = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 8192)
    private var used = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 8192)

    public init() {}

    deinit {
        unsignedBuffer.deallocate()
        table.deallocate()
        used.deallocate()
    }

    /// A buffer of at least `count` unsigned values (reused: valid until the next call).
    func unsigned(_ count: Int) -> UnsafeMutableBufferPointer<UInt64> {
        if unsignedBuffer.count < count {
            unsignedBuffer.deallocate()
            unsignedBuffer = .allocate(capacity: max(count, 1024))
        }
        return UnsafeMutableBufferPointer(rebasing: unsignedBuffer[0..<count])
    }

    /// The sorted distinct non-NULL values, or nil as soon as there are more than `limit`.
    func distinctValues(_ values: UnsafeBufferPointer<Int64>, isNull: UnsafeBufferPointer<Bool>?, limit: Int) -> [Int64]? {
        let capacity = table.count
        used.update(repeating: false)
        var found: [Int64] = []
        found.reserveCapacity(256)
        for index in 0..<values.count {
            if isNull?[index] == true { continue }
            let value = values[index]
            var slot = Int(truncatingIfNeeded: UInt64(bitPattern: value) &* 0x9E37_79B9_7F4A_7C15 >> 51) & (capacity - 1)
            while used[slot] && table[slot] != value { slot = (slot + 1) & (capacity - 1) }
            if !used[slot] {
                used[slot] = true
                table[slot] = value
                found.append(value)
                if found.count > limit { return nil }
            }
        }
        found.sort()
        return found
    }

    /// Each value's index in `sorted` (NULLs get `nullCode`).
    func codes(_ values: UnsafeBufferPointer<Int64>, isNull: UnsafeBufferPointer<Bool>?, sorted: [Int64], nullCode: UInt64,
               into codes: UnsafeMutableBufferPointer<UInt64>) {
        // A small hash from value to index, rebuilt over the same table.
        let capacity = table.count
        used.update(repeating: false)
        let indexes = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
        defer { indexes.deallocate() }
        for (position, value) in sorted.enumerated() {
            var slot = Int(truncatingIfNeeded: UInt64(bitPattern: value) &* 0x9E37_79B9_7F4A_7C15 >> 51) & (capacity - 1)
            while used[slot] { slot = (slot + 1) & (capacity - 1) }
            used[slot] = true
            table[slot] = value
            indexes[slot] = Int32(position)
        }
        for index in 0..<values.count {
            if isNull?[index] == true { codes[index] = nullCode; continue }
            let value = values[index]
            var slot = Int(truncatingIfNeeded: UInt64(bitPattern: value) &* 0x9E37_79B9_7F4A_7C15 >> 51) & (capacity - 1)
            while table[slot] != value || !used[slot] { slot = (slot + 1) & (capacity - 1) }
            codes[index] = UInt64(indexes[slot])
        }
    }
}

@available(*, unavailable)
extension EncoderScratch: Sendable {}

/// Appends little-endian numbers and packed runs to a byte array.
struct Writer {
    var bytes: [UInt8] = []

    mutating func append(_ value: UInt8) { bytes.append(value) }
    mutating func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func append(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func append(contentsOf other: [UInt8]) { bytes.append(contentsOf: other) }

    mutating func appendPacked(_ values: UnsafeBufferPointer<UInt64>, width: Int) {
        let size = BitPacking.byteCount(count: values.count, width: width)
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: size))
        bytes.withUnsafeMutableBytes { raw in
            BitPacking.pack(values, width: width, into: raw.baseAddress! + start)
        }
    }
}

/// Reads little-endian numbers from a blob, failing (nil) past its end.
package struct Reader {
    let blob: UnsafeRawBufferPointer
    package var offset = 0

    package init(_ blob: UnsafeRawBufferPointer) { self.blob = blob }

    package mutating func u8() -> UInt8? {
        guard offset + 1 <= blob.count else { return nil }
        defer { offset += 1 }
        return blob[offset]
    }

    package mutating func u32() -> UInt32? {
        guard offset + 4 <= blob.count else { return nil }
        defer { offset += 4 }
        return UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    package mutating func i64() -> Int64? {
        guard offset + 8 <= blob.count else { return nil }
        defer { offset += 8 }
        return Int64(littleEndian: blob.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    package mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, offset + count <= blob.count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: blob[offset..<(offset + count)])
    }
}
