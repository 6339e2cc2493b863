/// A decoder for raw Snappy blocks (the format Parquet's SNAPPY codec uses: no framing
/// stream, no checksums), written from the format description.
///
/// A block is a varint uncompressed length followed by elements whose tag byte's low two
/// bits say what follows: 00 literal, 01 copy with 11-bit offset, 10 copy with 16-bit
/// offset, 11 copy with 32-bit offset. Every read of input and every write of output is
/// bounds-checked, and a copy may only reach back into bytes already written.
enum SnappyDecompressor {
    /// Reads the uncompressed length from the block preamble.
    static func uncompressedLength(_ input: UnsafeRawBufferPointer) throws -> Int {
        var pos = 0
        return try readPreamble(input, &pos)
    }

    private static func readPreamble(_ input: UnsafeRawBufferPointer, _ pos: inout Int) throws -> Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < input.count else { throw ParquetError(.corruptPage, "SNAPPY data ends early (in the length preamble)") }
            let b = input[pos]
            pos += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift += 7
            // Snappy lengths are at most 32 bits: five varint bytes.
            guard shift < 35 else { throw ParquetError(.corruptPage, "SNAPPY length preamble is too long") }
        }
        guard result <= UInt64(UInt32.max) else { throw ParquetError(.corruptPage, "SNAPPY length \(result) exceeds 32 bits") }
        return Int(result)
    }

    /// Decompresses `input` into `output`, which must be exactly the declared length.
    static func decompress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws {
        var ip = 0
        let expected = try readPreamble(input, &ip)
        guard expected == output.count else {
            throw ParquetError(.corruptPage, "SNAPPY block says \(expected) bytes but the page header says \(output.count)")
        }
        guard let src = input.baseAddress else {
            if expected == 0 { return }
            throw ParquetError(.corruptPage, "SNAPPY data ends early")
        }
        guard let dst = output.baseAddress else {
            // Zero-length output: the block must hold nothing but the preamble.
            guard ip == input.count else { throw ParquetError(.corruptPage, "SNAPPY data continues past its declared length") }
            return
        }
        let inEnd = input.count
        let outEnd = output.count
        var op = 0

        while ip < inEnd {
            let tag = src.load(fromByteOffset: ip, as: UInt8.self)
            ip += 1
            var length: Int
            var offset: Int
            switch tag & 3 {
            case 0:
                // Literal: length-1 in the upper six bits, or in 1-4 following bytes.
                length = Int(tag >> 2)
                if length >= 60 {
                    let extra = length - 59
                    guard ip + extra <= inEnd else { throw ParquetError(.corruptPage, "SNAPPY data ends early (in a literal length)") }
                    length = 0
                    for i in 0..<extra { length |= Int(src.load(fromByteOffset: ip + i, as: UInt8.self)) << (8 * i) }
                    ip += extra
                }
                length += 1
                guard length <= inEnd - ip else { throw ParquetError(.corruptPage, "SNAPPY data ends early (literal of \(length) bytes)") }
                guard length <= outEnd - op else { throw ParquetError(.corruptPage, "SNAPPY literal overruns the declared length") }
                (dst + op).copyMemory(from: src + ip, byteCount: length)
                ip += length
                op += length
                continue
            case 1:
                // Copy, 1-byte offset: length 4-11 from bits 2-4, offset high bits 5-7.
                guard ip < inEnd else { throw ParquetError(.corruptPage, "SNAPPY data ends early (in a copy)") }
                length = 4 + Int((tag >> 2) & 7)
                offset = (Int(tag >> 5) << 8) | Int(src.load(fromByteOffset: ip, as: UInt8.self))
                ip += 1
            case 2:
                guard ip + 2 <= inEnd else { throw ParquetError(.corruptPage, "SNAPPY data ends early (in a copy)") }
                length = 1 + Int(tag >> 2)
                offset = Int(src.load(fromByteOffset: ip, as: UInt8.self))
                    | Int(src.load(fromByteOffset: ip + 1, as: UInt8.self)) << 8
                ip += 2
            default:
                guard ip + 4 <= inEnd else { throw ParquetError(.corruptPage, "SNAPPY data ends early (in a copy)") }
                length = 1 + Int(tag >> 2)
                offset = 0
                for i in 0..<4 { offset |= Int(src.load(fromByteOffset: ip + i, as: UInt8.self)) << (8 * i) }
                ip += 4
            }
            guard offset > 0 && offset <= op else {
                throw ParquetError(.corruptPage, "SNAPPY copy offset \(offset) at output byte \(op) reaches outside the data")
            }
            guard length <= outEnd - op else { throw ParquetError(.corruptPage, "SNAPPY copy overruns the declared length") }
            if offset >= length {
                (dst + op).copyMemory(from: dst + (op - offset), byteCount: length)
            } else {
                // Overlapping copy repeats the last `offset` bytes; it must go forward one
                // byte at a time so each byte sees the ones just written.
                let out = dst.assumingMemoryBound(to: UInt8.self)
                for i in 0..<length { out[op + i] = out[op - offset + i] }
            }
            op += length
        }
        guard op == outEnd else {
            throw ParquetError(.corruptPage, "SNAPPY data ends early (\(op) of \(outEnd) bytes)")
        }
    }

    /// Convenience for tests and small inputs: decompresses a whole block into an array.
    static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        try input.withUnsafeBytes { raw in
            let length = try uncompressedLength(raw)
            // Cap what a hostile preamble can make us allocate: a Snappy element never
            // expands more than 64 bytes out of 2 bytes in.
            guard length <= raw.count * 32 + 64 else {
                throw ParquetError(.corruptPage, "SNAPPY length \(length) is impossible for \(raw.count) input bytes")
            }
            var out = [UInt8](repeating: 0, count: length)
            try out.withUnsafeMutableBytes { try decompress(raw, into: $0) }
            return out
        }
    }
}
