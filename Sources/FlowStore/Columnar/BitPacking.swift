/// Unsigned integers packed at a fixed bit width, least significant bits first, in 64-bit
/// little-endian words: the payload of every integer column in a segment.
///
/// A width of 0 stores nothing (every value is 0). Packing and unpacking work on raw buffers:
/// they run for every value ingested and every value a query reads.
package enum BitPacking {
    /// Bytes needed for `count` values of `width` bits (whole 64-bit words).
    @inlinable @inline(__always)
    package static func byteCount(count: Int, width: Int) -> Int {
        ((count * width + 63) / 64) * 8
    }

    /// The bits needed for `value` (0 for 0).
    @inlinable @inline(__always)
    package static func width(of value: UInt64) -> Int {
        value == 0 ? 0 : 64 - value.leadingZeroBitCount
    }

    /// Packs `values` (each below 2^width) into `output`, which holds `byteCount(count:width:)` bytes.
    package static func pack(_ values: UnsafeBufferPointer<UInt64>, width: Int, into output: UnsafeMutableRawPointer) {
        let words = (values.count * width + 63) / 64
        let out = output.bindMemory(to: UInt64.self, capacity: max(words, 1))
        guard width > 0 else { return }
        if width == 64 {
            for index in 0..<values.count { out[index] = values[index].littleEndian }
            return
        }
        // The current word is built in a register and stored once it is full: no
        // read-modify-write of memory a value (this runs for every value ingested).
        var word: UInt64 = 0
        var filled = 0
        var next = 0
        let shift = UInt64(width)
        for value in values {
            word |= value &<< UInt64(filled)
            filled &+= width
            if filled >= 64 {
                out[next] = word.littleEndian
                next &+= 1
                filled &-= 64
                // The bits of `value` that did not fit start the next word (none when it
                // ended exactly at the boundary: `value >> width` is 0).
                word = value &>> (shift &- UInt64(filled))
            }
        }
        if filled > 0 { out[next] = word.littleEndian }
    }

    /// Unpacks `count` values of `width` bits from `input` into `output`, adding `base` to each.
    package static func unpack(_ input: UnsafeRawPointer, count: Int, width: Int, base: Int64, into output: UnsafeMutablePointer<Int64>) {
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
        let fast = fastCount(count: count, width: width)
        // One unaligned load a value, at the value's first byte: no branch on word boundaries.
        var bit = 0
        for index in 0..<fast {
            let value = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self)) >> UInt64(bit & 7)
            output[index] = base &+ Int64(bitPattern: value & mask)
            bit &+= width
        }
        for index in fast..<count {
            output[index] = base &+ Int64(bitPattern: word(input, at: index, width: width, mask: mask))
        }
    }

    /// Unpacks the values at `positions` (random access), adding `base` to each.
    package static func unpack(_ input: UnsafeRawPointer, positions: UnsafeBufferPointer<Int32>, width: Int, base: Int64,
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
        let fast = fastCount(count: Int(positions.last ?? 0) + 1, width: width)
        for (index, position) in positions.enumerated() {
            let row = Int(position)
            if row < fast {
                let bit = row &* width
                let value = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self)) >> UInt64(bit & 7)
                output[index] = base &+ Int64(bitPattern: value & mask)
            } else {
                output[index] = base &+ Int64(bitPattern: word(input, at: row, width: width, mask: mask))
            }
        }
    }

    /// The rows (of all `count`, or of `positions`) whose code has a nonzero entry in `table`,
    /// written ascending to `output` (room for every row); returns how many. `table` has an entry
    /// for every code of `width` bits (2^width of them), so the loop has no bounds test and no
    /// branch on the outcome: a row's index is always written, and kept by advancing.
    package static func select(_ input: UnsafeRawPointer, count: Int, positions: UnsafeBufferPointer<Int32>?, width: Int,
                              table: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<Int32>) -> Int {
        precondition(width <= 24, "select takes codes of at most 24 bits")
        var kept = 0
        guard width > 0 else {
            guard table[0] != 0 else { return 0 }
            if let positions {
                for (index, position) in positions.enumerated() { output[index] = position }
                return positions.count
            }
            for index in 0..<count { output[index] = Int32(index) }
            return count
        }
        let mask: UInt64 = (1 << UInt64(width)) &- 1
        if let positions {
            let fast = fastCount(count: Int(positions.last ?? 0) + 1, width: width)
            for position in positions {
                let row = Int(position)
                let code: UInt64
                if row < fast {
                    let bit = row &* width
                    code = (UInt64(littleEndian: input.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self)) >> UInt64(bit & 7)) & mask
                } else {
                    code = word(input, at: row, width: width, mask: mask)
                }
                output[kept] = position
                kept &+= Int(table[Int(code)])
            }
            return kept
        }
        let fast = fastCount(count: count, width: width)
        var bit = 0
        for index in 0..<fast {
            let code = (UInt64(littleEndian: input.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self)) >> UInt64(bit & 7)) & mask
            output[kept] = Int32(truncatingIfNeeded: index)
            kept &+= Int(table[Int(code)])
            bit &+= width
        }
        for index in fast..<count {
            output[kept] = Int32(truncatingIfNeeded: index)
            kept &+= Int(table[Int(word(input, at: index, width: width, mask: mask))])
        }
        return kept
    }

    /// How many leading values can be read by an 8-byte load at their first byte without
    /// reading past the packed words (widths up to 56 bits; a value then fits the load after
    /// its shift of at most 7 bits).
    @inline(__always)
    static func fastCount(count: Int, width: Int) -> Int {
        guard width <= 56 else { return 0 }
        let bytes = byteCount(count: count, width: width)
        // Value i is safe when (i * width) / 8 + 8 <= bytes.
        guard bytes >= 8 else { return 0 }
        return min(count, ((bytes - 8) * 8) / width + 1)
    }

    /// Value `index`, read word by word (the path near the end of the buffer).
    @inline(__always)
    static func word(_ input: UnsafeRawPointer, at index: Int, width: Int, mask: UInt64) -> UInt64 {
        let bit = index * width
        let word = bit >> 6, offset = bit & 63
        var value = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)) >> UInt64(offset)
        if offset + width > 64 {
            value |= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: (word + 1) * 8, as: UInt64.self)) << UInt64(64 - offset)
        }
        return value & mask
    }
}
