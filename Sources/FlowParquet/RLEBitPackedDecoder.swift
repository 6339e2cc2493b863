/// A decoder for Parquet's RLE / bit-packing hybrid (Encodings.md), used for definition
/// levels, dictionary indices and RLE booleans.
///
/// The data is a sequence of runs, each starting with a ULEB128 header: an even header
/// `n << 1` is an RLE run of `n` copies of one value stored in ceil(bitWidth/8) little-
/// endian bytes; an odd header `g << 1 | 1` is `g` groups of 8 values bit-packed LSB
/// first. The decoder reads through a raw pointer for speed; it relies on the owner
/// (`PageBuffer`) keeping at least 8 readable bytes past `end`, so unpacking can always
/// load a whole 64-bit word.
struct RLEBitPackedDecoder {
    private let base: UnsafeRawPointer
    private var position: Int
    private let end: Int
    /// Bits per value, 0...32.
    let bitWidth: Int
    private let mask: UInt64
    private var rleRemaining = 0
    private var rleValue: UInt32 = 0
    private var packedRemaining = 0
    private var packedBit = 0

    /// Decodes the bytes `base[start..<end]`; `base` must stay valid (and readable 8
    /// bytes past `end`) for the decoder's lifetime.
    init(base: UnsafeRawPointer, start: Int, end: Int, bitWidth: Int) throws {
        guard (0...32).contains(bitWidth) else {
            throw ParquetError(.corruptPage, "RLE bit width \(bitWidth) is outside 0...32")
        }
        self.base = base
        self.position = start
        self.end = end
        self.bitWidth = bitWidth
        self.mask = bitWidth == 64 ? UInt64.max : (UInt64(1) << UInt64(bitWidth)) - 1
    }

    /// Where the next run header would be read.
    var offset: Int { position }

    private mutating func readRunHeader() throws {
        guard position < end else { throw ParquetError(.corruptPage, "RLE data ends early: a run is needed past the end of its section") }
        var header: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ParquetError(.corruptPage, "RLE data ends early (in a run header)") }
            let b = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            header |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
            guard shift < 35 else { throw ParquetError(.corruptPage, "RLE run header is longer than 5 bytes") }
        }
        let count = Int(header >> 1)
        if header & 1 == 0 {
            guard count > 0 else { throw ParquetError(.corruptPage, "RLE run of length 0") }
            let valueBytes = (bitWidth + 7) / 8
            guard end - position >= valueBytes else { throw ParquetError(.corruptPage, "RLE run value ends past the end of its section") }
            var value: UInt32 = 0
            for i in 0..<valueBytes {
                value |= UInt32(base.load(fromByteOffset: position + i, as: UInt8.self)) << UInt32(8 * i)
            }
            position += valueBytes
            guard UInt64(value) <= mask else { throw ParquetError(.corruptPage, "RLE run value \(value) does not fit in \(bitWidth) bits") }
            rleValue = value
            rleRemaining = count
        } else {
            guard count > 0 else { throw ParquetError(.corruptPage, "bit-packed run of 0 groups") }
            let bytes = count * bitWidth
            // Writers may end the last run early (the page's value count tells how many
            // are real), so a short final run yields only the values it holds.
            let available = min(bytes, end - position)
            packedBit = position * 8
            packedRemaining = bitWidth == 0 ? count * 8 : min(count * 8, available * 8 / bitWidth)
            position += available
            guard packedRemaining > 0 else { throw ParquetError(.corruptPage, "bit-packed run ends past the end of its section") }
        }
    }

    /// Decodes exactly `count` values into `out`, or throws if the data runs out.
    mutating func decode(into out: UnsafeMutablePointer<UInt32>, count: Int) throws {
        var filled = 0
        while filled < count {
            if rleRemaining > 0 {
                let n = min(rleRemaining, count - filled)
                (out + filled).update(repeating: rleValue, count: n)
                rleRemaining -= n
                filled += n
            } else if packedRemaining > 0 {
                let n = min(packedRemaining, count - filled)
                var bit = packedBit
                let width = bitWidth
                let mask = self.mask
                for i in 0..<n {
                    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                    out[filled + i] = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
                    bit += width
                }
                packedBit = bit
                packedRemaining -= n
                filled += n
            } else {
                try readRunHeader()
            }
        }
    }

    /// Decodes `count` values that must each be 0 or 1 (definition levels of a flat
    /// optional column) straight into booleans, returning how many were 1. RLE runs (the
    /// usual shape: long stretches with no nulls) become a single fill.
    mutating func decodeLevels(into out: UnsafeMutablePointer<Bool>, count: Int) throws -> Int {
        guard bitWidth == 1 else { throw ParquetError(.corruptPage, "definition levels need bit width 1, not \(bitWidth)") }
        var filled = 0
        var ones = 0
        while filled < count {
            if rleRemaining > 0 {
                let n = min(rleRemaining, count - filled)
                (out + filled).update(repeating: rleValue == 1, count: n)
                if rleValue == 1 { ones += n }
                rleRemaining -= n
                filled += n
            } else if packedRemaining > 0 {
                let n = min(packedRemaining, count - filled)
                var bit = packedBit
                for i in 0..<n {
                    let byte = base.load(fromByteOffset: bit >> 3, as: UInt8.self)
                    let set = (byte >> UInt8(bit & 7)) & 1
                    out[filled + i] = set == 1
                    ones &+= Int(set)
                    bit += 1
                }
                packedBit = bit
                packedRemaining -= n
                filled += n
            } else {
                try readRunHeader()
            }
        }
        return ones
    }
}

extension RLEBitPackedDecoder {
    /// Decodes `count` values from a standalone byte array (copied into a padded buffer);
    /// for tests and small inputs.
    static func decode(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [UInt32] {
        let buffer = PageBuffer(count: bytes.count)
        bytes.withUnsafeBytes { buffer.bytes.copyMemory(from: $0) }
        var decoder = try RLEBitPackedDecoder(base: buffer.base, start: 0, end: bytes.count, bitWidth: bitWidth)
        var out = [UInt32](repeating: 0, count: count)
        try out.withUnsafeMutableBufferPointer { p in
            guard let address = p.baseAddress else { return }
            try decoder.decode(into: address, count: count)
        }
        return withExtendedLifetime(buffer) { out }
    }
}
