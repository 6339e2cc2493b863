/// XXH64, Yann Collet's 64-bit non-cryptographic hash, computed incrementally.
///
/// flowq recognises a file's content by what it inflates to: its length and this hash of
/// every decompressed byte. XXH64 runs at memory speed (a cryptographic hash would cost more
/// than the parsing); with the length it makes an accidental match of two different 5-minute
/// files vanishingly unlikely. Checked against the reference implementation's published values.
public struct XXHash64: Sendable {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1, v2, v3, v4: UInt64
    private let seed: UInt64
    /// Bytes hashed so far.
    public private(set) var length: UInt64 = 0
    /// Up to 31 bytes not yet part of a full 32-byte stripe.
    private var tail: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var tailCount = 0

    /// A hash of nothing yet.
    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ Self.prime1 &+ Self.prime2
        v2 = seed &+ Self.prime2
        v3 = seed
        v4 = seed &- Self.prime1
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        let mixed = accumulator &+ input &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    @inline(__always)
    private static func merge(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        ((accumulator ^ round(0, value)) &* prime1) &+ prime4
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if tailCount > 0 {
            // Complete the pending stripe first.
            let needed = min(32 - tailCount, remaining)
            withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.advanced(by: tailCount).copyMemory(from: base, byteCount: needed) }
            tailCount += needed
            base += needed
            remaining -= needed
            guard tailCount == 32 else { return }
            let (a, b, c, d) = tail
            stripe(UInt64(littleEndian: a), UInt64(littleEndian: b), UInt64(littleEndian: c), UInt64(littleEndian: d))
            tailCount = 0
        }
        var a = v1, b = v2, c = v3, d = v4
        while remaining >= 32 {
            a = Self.round(a, UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
            b = Self.round(b, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            c = Self.round(c, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            d = Self.round(d, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
            base += 32
            remaining -= 32
        }
        v1 = a; v2 = b; v3 = c; v4 = d
        if remaining > 0 {
            withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: base, byteCount: remaining) }
            tailCount = remaining
        }
    }

    @inline(__always)
    private mutating func stripe(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) {
        v1 = Self.round(v1, a)
        v2 = Self.round(v2, b)
        v3 = Self.round(v3, c)
        v4 = Self.round(v4, d)
    }

    /// The hash of everything added so far.
    public var digest: UInt64 {
        var hash: UInt64
        if length >= 32 {
            hash = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            hash = Self.merge(hash, v1)
            hash = Self.merge(hash, v2)
            hash = Self.merge(hash, v3)
            hash = Self.merge(hash, v4)
        } else {
            hash = seed &+ Self.prime5
        }
        hash &+= length
        var copy = tail
        let count = tailCount
        withUnsafeBytes(of: &copy) { raw in
            var offset = 0
            while offset + 8 <= count {
                let k = Self.round(0, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                hash ^= k
                hash = ((hash << 27) | (hash >> 37)) &* Self.prime1 &+ Self.prime4
                offset += 8
            }
            if offset + 4 <= count {
                hash ^= UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) &* Self.prime1
                hash = ((hash << 23) | (hash >> 41)) &* Self.prime2 &+ Self.prime3
                offset += 4
            }
            while offset < count {
                hash ^= UInt64(raw[offset]) &* Self.prime5
                hash = ((hash << 11) | (hash >> 53)) &* Self.prime1
                offset += 1
            }
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }
}

extension XXHash64 {
    /// A content key: the length hashed and the digest, as `<length>-<16 hex digits>`.
    public var contentKey: String {
        let digits = String(digest, radix: 16)
        return "\(length)-" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
