/// Unsigned integers packed at a fixed bit width, least significant bits first, in 64-bit
/// little-endian words: the payload of every integer column in a segment.
///
/// A width of 0 stores nothing (every value is 0). Packing and unpacking work on raw buffers:
/// they run for every value ingested and every value a query reads.
public enum BitPacking {
    /// Bytes needed for `count` values of `width` bits (whole 64-bit words).
    @inline(__always)
    public static func byteCount(count: Int, width: Int) -> Int {
        ((count * width + 63) / 64) * 8
    }

    /// The bits needed for `value` (0 for 0).
    @inline(__always)
    public static func width(of value: UInt64) -> Int {
        value == 0 ? 0 : 64 - value.leadingZeroBitCount
    }

    /// Packs `values` (each below 2^width) into `output`, which holds `byteCount(count:width:)` bytes.
    public static func pack(_ values: UnsafeBufferPointer<UInt64>, width: Int, into output: UnsafeMutableRawPointer) {
        let words = (values.count * width + 63) / 64
        let out = output.bindMemory(to: UInt64.self, capacity: max(words, 1))
        for index in 0..<words { out[index] = 0 }
        guard width > 0 else { return }
        if width == 64 {
            for index in 0..<values.count { out[index] = values[index].littleEndian }
            return
        }
        var bit = 0
        for value in values {
            let word = bit >> 6, offset = bit & 63
            out[word] |= value << UInt64(offset)
            if offset + width > 64 { out[word + 1] |= value >> UInt64(64 - offset) }
            bit += width
        }
        for index in 0..<words { out[index] = out[index].littleEndian }
    }

    /// Unpacks `count` values of `width` bits from `input` into `output`, adding `base` to each.
    public static func unpack(_ input: UnsafeRawPointer, count: Int, width: Int, base: Int64, into output: UnsafeMutablePointer<Int64>) {
        guard width > 0 else {
            output.update(repeating: base, count: count)
            return
        }
        if width == 64 {
            for index in 0..<count {
                output[index] = base &+ Int64(bitPattern: UInt64(littleEndian: input.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
            }
            return
        }
        let mask: UInt64 = (1 << UInt64(width)) &- 1
        let words = (count * width + 63) / 64
        // Words read one past the last are guarded: the final value never straddles past the end.
        var bit = 0
        for index in 0..<count {
            let word = bit >> 6, offset = bit & 63
            var value = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)) >> UInt64(offset)
            if offset + width > 64, word + 1 < words {
                value |= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: (word + 1) * 8, as: UInt64.self)) << UInt64(64 - offset)
            }
            output[index] = base &+ Int64(bitPattern: value & mask)
            bit += width
        }
    }

    /// Unpacks the values at `positions` (random access), adding `base` to each.
    public static func unpack(_ input: UnsafeRawPointer, positions: UnsafeBufferPointer<Int32>, width: Int, base: Int64,
                              into output: UnsafeMutablePointer<Int64>) {
        guard width > 0 else {
            output.update(repeating: base, count: positions.count)
            return
        }
        if width == 64 {
            for (index, position) in positions.enumerated() {
                output[index] = base &+ Int64(bitPattern: UInt64(littleEndian: input.loadUnaligned(fromByteOffset: Int(position) * 8, as: UInt64.self)))
            }
            return
        }
        let mask: UInt64 = (1 << UInt64(width)) &- 1
        for (index, position) in positions.enumerated() {
            let bit = Int(position) * width
            let word = bit >> 6, offset = bit & 63
            var value = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)) >> UInt64(offset)
            if offset + width > 64 {
                value |= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: (word + 1) * 8, as: UInt64.self)) << UInt64(64 - offset)
            }
            output[index] = base &+ Int64(bitPattern: value & mask)
        }
    }
}
