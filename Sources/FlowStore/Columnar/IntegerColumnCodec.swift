/// The encoding of one integer column of a segment: every stored column is integers (numbers,
/// times, addresses, and text as word-list codes).
///
/// ```
/// u8  encoding     0 all NULL, 1 constant, 2 frame of reference, 3 dictionary
/// u8  flags        bit 1: some values are NULL, marked by the code past the last value
/// u32 count        values in the segment
/// 1: i64 value                                  (no NULLs)
/// 2: i64 base, u8 width, [with NULLs: u64 null code = high - base + 1], packed codes
///                                                value = base + code
/// 3: u32 entries, i64 base, u8 width, packed sorted distinct (value - base);
///    u8 code width, packed codes                value = entry[code]; with NULLs,
///                                                code `entries` is NULL
/// ```
/// All numbers little-endian; packed data as `BitPacking` writes it. A NULL costs no more than
/// the code past the largest value (no bitmap), and the encoder picks whichever of frame of
/// reference and dictionary is smaller.
package enum IntegerColumnCodec {
    /// Encodings, by their tag byte.
    package enum Kind: UInt8, Sendable {
        case allNull = 0, constant = 1, frameOfReference = 2, dictionary = 3
    }

    /// The most distinct values a dictionary may hold.
    package static let maximumDictionary = 4096
    static let nullFlag: UInt8 = 2

    /// What an encoding found: the blob and the zone map (over non-NULL values).
    package struct Encoded: Sendable {
        package var bytes: [UInt8]
        package var minimum: Int64?
        package var maximum: Int64?
        package var nullCount: Int
    }

    /// Encodes `count` values; `isNull`, when given, marks NULLs (their values are ignored).
    package static func encode(_ values: UnsafeBufferPointer<Int64>, isNull: UnsafeBufferPointer<Bool>?, scratch: EncoderScratch) -> Encoded {
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
        // A dictionary pays only when it saves bits a value: stop looking once it holds more
        // entries than a code two bits narrower than frame of reference could number.
        let limit = range == .max && nulls > 0 ? maximumDictionary : min(maximumDictionary, forWidth >= 14 ? maximumDictionary : 1 << max(0, forWidth - 2))
        if forWidth > 1, var distinct = scratch.distinctValues(values, isNull: isNull, limit: limit) {
            let codeWidth = BitPacking.width(of: UInt64(distinct.count - (nulls > 0 ? 0 : 1)))
            let entryWidth = BitPacking.width(of: range)
            let dictionaryBytes = 14 + BitPacking.byteCount(count: distinct.count, width: entryWidth) + BitPacking.byteCount(count: count, width: codeWidth)
            if dictionaryBytes < forBytes || (range == .max && nulls > 0) {
                distinct.sort()
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
        let nullCode = range &+ 1
        if nulls > 0 { out.append(Int64(bitPattern: nullCode)) }
        let deltas = scratch.unsigned(count)
        if let isNull {
            for index in 0..<count {
                deltas[index] = isNull[index] ? nullCode : UInt64(bitPattern: values[index] &- low)
            }
        } else {
            // Without NULLs a plain loop, which the compiler vectorises.
            for index in 0..<count { deltas[index] = UInt64(bitPattern: values[index] &- low) }
        }
        out.appendPacked(UnsafeBufferPointer(deltas), width: forWidth)
        return Encoded(bytes: out.bytes, minimum: low, maximum: high, nullCount: nulls)
    }

    /// Why a blob cannot be decoded (a damaged or foreign store).
    package struct CorruptColumn: Error, Sendable, CustomStringConvertible {
        package var reason: String
        /// A column found damaged, and why.
        package init(reason: String) { self.reason = reason }
        package var description: String { "a damaged column: \(reason)" }
    }

    /// The number of values in an encoded column, read from its header.
    package static func count(of blob: UnsafeRawBufferPointer) throws(CorruptColumn) -> Int {
        guard blob.count >= 6 else { throw CorruptColumn(reason: "\(blob.count) bytes, shorter than a header") }
        return Int(UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: 2, as: UInt32.self)))
    }

    /// Decodes a column into `values` (which holds `count(of:)` values); NULL flags into `isNull`
    /// (nil when no value is NULL). Returns the bytes the column took (a text column's word
    /// mapping, an address column's IPv6 table, follows).
    @discardableResult
    package static func decode(_ blob: UnsafeRawBufferPointer, into values: UnsafeMutablePointer<Int64>,
                              isNull: inout [Bool]?) throws(CorruptColumn) -> Int {
        let view = try ColumnView(blob)
        view.decode(at: nil, into: values, isNull: &isNull)
        return view.end
    }

    /// Decodes only the values at `positions` (late materialization: the rows a filter kept),
    /// into `values` (one per position). Returns the bytes the column took.
    @discardableResult
    package static func decode(_ blob: UnsafeRawBufferPointer, at positions: UnsafeBufferPointer<Int32>,
                              into values: UnsafeMutablePointer<Int64>, isNull: inout [Bool]?) throws(CorruptColumn) -> Int {
        let view = try ColumnView(blob)
        view.decode(at: positions, into: values, isNull: &isNull)
        return view.end
    }
}

/// One encoded column, its header read: decodes all of it or chosen rows. The query engine
/// reads the codes directly to test a condition once per distinct stored value.
package struct ColumnView {
    package let kind: IntegerColumnCodec.Kind
    package let count: Int
    package let hasNulls: Bool
    /// The value of a constant column.
    package var constant: Int64 = 0
    /// Frame of reference: value = base + code.
    package var base: Int64 = 0
    /// Bits a packed code takes.
    package var width = 0
    /// The packed code of NULL (frame of reference and dictionary columns with NULLs).
    package var nullCode: UInt64 = .max
    /// Where the packed codes start.
    package var packed: UnsafeRawPointer? = nil
    /// Dictionary columns: the values, by code.
    package var entries: [Int64] = []
    /// Where the column's bytes end in the blob.
    package var end = 0

    package init(_ blob: UnsafeRawBufferPointer) throws(IntegerColumnCodec.CorruptColumn) {
        typealias Corrupt = IntegerColumnCodec.CorruptColumn
        var reader = Reader(blob)
        guard let kindByte = reader.u8(), let kind = IntegerColumnCodec.Kind(rawValue: kindByte), let flags = reader.u8(), let count32 = reader.u32() else {
            throw Corrupt(reason: "a header that names no encoding")
        }
        self.kind = kind
        count = Int(count32)
        hasNulls = flags & IntegerColumnCodec.nullFlag != 0
        switch kind {
        case .allNull:
            break
        case .constant:
            guard let value = reader.i64() else { throw Corrupt(reason: "a constant cut short") }
            constant = value
        case .frameOfReference:
            guard let base = reader.i64(), let width = reader.u8(), width <= 64 else { throw Corrupt(reason: "packed values cut short") }
            self.base = base
            self.width = Int(width)
            if hasNulls {
                guard let code = reader.i64() else { throw Corrupt(reason: "a null code cut short") }
                nullCode = UInt64(bitPattern: code)
            }
            guard let bytes = reader.bytes(BitPacking.byteCount(count: count, width: self.width)) else { throw Corrupt(reason: "packed values cut short") }
            packed = bytes.baseAddress
        case .dictionary:
            guard let entries32 = reader.u32(), let base = reader.i64(), let entryWidth = reader.u8(), entryWidth <= 64,
                  let packedEntries = reader.bytes(BitPacking.byteCount(count: Int(entries32), width: Int(entryWidth))),
                  let codeWidth = reader.u8(), codeWidth <= 32,
                  let codes = reader.bytes(BitPacking.byteCount(count: count, width: Int(codeWidth))) else {
                throw Corrupt(reason: "a dictionary cut short")
            }
            let n = Int(entries32)
            guard n > 0 else { throw Corrupt(reason: "an empty dictionary") }
            var decoded = [Int64](repeating: base, count: n)
            if let start = packedEntries.baseAddress {
                decoded.withUnsafeMutableBufferPointer { BitPacking.unpack(start, count: n, width: Int(entryWidth), base: base, into: $0.baseAddress!) }
            }
            entries = decoded
            width = Int(codeWidth)
            packed = codes.baseAddress
            nullCode = hasNulls ? UInt64(n) : .max
        }
        end = reader.offset
    }

    /// Decodes every row, or the rows at `positions`, into `values` (NULL flags in `isNull`,
    /// nil when no row given is NULL).
    func decode(at positions: UnsafeBufferPointer<Int32>?, into values: UnsafeMutablePointer<Int64>, isNull: inout [Bool]?) {
        isNull = nil
        let n = positions?.count ?? count
        guard n > 0 else { return }
        switch kind {
        case .allNull:
            values.update(repeating: 0, count: n)
            isNull = [Bool](repeating: true, count: n)
        case .constant:
            values.update(repeating: constant, count: n)
        case .frameOfReference, .dictionary:
            // Frame-of-reference codes without NULLs take the base while unpacking.
            let based = kind == .frameOfReference && !hasNulls
            let codeBase: Int64 = based ? base : 0
            if let packed {
                if let positions {
                    BitPacking.unpack(packed, positions: positions, width: width, base: codeBase, into: values)
                } else {
                    BitPacking.unpack(packed, count: n, width: width, base: codeBase, into: values)
                }
            } else {
                values.update(repeating: codeBase, count: n)
            }
            finish(values, count: n, isNull: &isNull, alreadyBased: based)
        }
    }

    /// Turns codes into values: the null code into NULL, dictionary codes into entries, frame
    /// of reference codes (when NULLs kept the base off) into base + code.
    private func finish(_ values: UnsafeMutablePointer<Int64>, count: Int, isNull: inout [Bool]?, alreadyBased: Bool) {
        if kind == .dictionary {
            var flags: [Bool]? = hasNulls ? [Bool](repeating: false, count: count) : nil
            entries.withUnsafeBufferPointer { dictionary in
                for index in 0..<count {
                    let code = Int(values[index])
                    if code < dictionary.count {
                        values[index] = dictionary[code]
                    } else {
                        flags?[index] = true
                        values[index] = 0
                    }
                }
            }
            isNull = flags
            return
        }
        guard !alreadyBased else { return }
        var flags = [Bool](repeating: false, count: count)
        let null = Int64(bitPattern: nullCode)
        for index in 0..<count {
            if values[index] == null { flags[index] = true; values[index] = 0 } else { values[index] = base &+ values[index] }
        }
        isNull = flags
    }
}

/// Reusable buffers for encoding, one per encoding thread: no allocation per column.
package final class EncoderScratch {
    private var unsignedBuffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 0)
    private var table = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 8192)
    private var used = UnsafeMutableBufferPointer<Bool>.allocate(capacity: 8192)

    package init() {}

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

    /// The distinct non-NULL values (in order of first sight), or nil as soon as there are more
    /// than `limit`.
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
package struct Writer {
    package var bytes: [UInt8] = []

    /// A writer that appends to `bytes`.
    package init(bytes: [UInt8] = []) { self.bytes = bytes }

    package mutating func append(_ value: UInt8) { bytes.append(value) }
    package mutating func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func append(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    package mutating func append(contentsOf other: [UInt8]) { bytes.append(contentsOf: other) }

    package mutating func appendPacked(_ values: UnsafeBufferPointer<UInt64>, width: Int) {
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
    @usableFromInline let blob: UnsafeRawBufferPointer
    package var offset = 0

    @inlinable
    package init(_ blob: UnsafeRawBufferPointer) { self.blob = blob }

    @inlinable
    package mutating func u8() -> UInt8? {
        guard offset + 1 <= blob.count else { return nil }
        defer { offset += 1 }
        return blob[offset]
    }

    @inlinable
    package mutating func u32() -> UInt32? {
        guard offset + 4 <= blob.count else { return nil }
        defer { offset += 4 }
        return UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable
    package mutating func i64() -> Int64? {
        guard offset + 8 <= blob.count else { return nil }
        defer { offset += 8 }
        return Int64(littleEndian: blob.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    @inlinable
    package mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, offset + count <= blob.count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: blob[offset..<(offset + count)])
    }
}
