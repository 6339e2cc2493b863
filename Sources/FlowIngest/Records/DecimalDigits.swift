/// Reads the unsigned decimal number a field starts with, eight digits at a time (SWAR: SIMD
/// within a register), for the record parser's hot path.
///
/// A profile of ingest found the digit-by-digit loop the costliest part of parsing: a record
/// has about 45 digits (ports, counters, two 10-digit times), and each took a load, a compare,
/// a branch and a multiply-add. Here one 8-byte load finds how many of its bytes are digits and
/// converts them with three multiplies, whatever their number.
enum DecimalDigits {
    /// The number at `start` and where it ends: nil unless 1...18 digits are followed by a blank
    /// (space or tab) or by the end at `length`. Exactly what a digit-by-digit loop accepts.
    ///
    /// Eight-byte loads are used only while 16 bytes are left in the line, so nothing past
    /// `length` is read; near the end, and for 17 or 18 digits, the plain loop runs.
    @inline(__always)
    static func number(_ bytes: UnsafePointer<UInt8>, from start: Int, length: Int) -> (value: Int64, end: Int)? {
        if start + 16 <= length {
            let raw = UnsafeRawPointer(bytes + start)
            let first = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            let count = digitCount(first)
            if count < 8 {
                // The byte after the digits is inside the 16 loaded-or-checked bytes.
                guard count > 0, isBlank(bytes[start + count]) else { return nil }
                return (Int64(bitPattern: value(first, digits: count)), start + count)
            }
            let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let more = digitCount(second)
            if more == 0 {
                guard isBlank(bytes[start + 8]) else { return nil }
                return (Int64(bitPattern: value(first, digits: 8)), start + 8)
            }
            if more < 8 {
                let end = start + 8 + more
                guard isBlank(bytes[end]) else { return nil }
                let high = value(first, digits: 8)
                return (Int64(bitPattern: high &* powerOfTen(more) &+ value(second, digits: more)), end)
            }
            // 16 digits or more: rare, the plain loop below checks them.
        }
        var index = start
        var number: Int64 = 0
        while index < length {
            let digit = bytes[index] &- 0x30
            if digit >= 10 { break }
            number = number &* 10 &+ Int64(digit)
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits <= 18, index == length || isBlank(bytes[index]) else { return nil }
        return (number, index)
    }

    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// How many of the eight bytes of `word` (first byte lowest) are digits before the first
    /// other byte: 0...8. A byte is a digit when `byte ^ 0x30` is below 10; adding 0x76 sets the
    /// top bit of any byte from 10 up, and carries only run upward, so the lowest flagged byte
    /// is the first non-digit.
    @inline(__always)
    static func digitCount(_ word: UInt64) -> Int {
        let values = word ^ 0x3030_3030_3030_3030
        let flags = ((values &+ 0x7676_7676_7676_7676) | values) & 0x8080_8080_8080_8080
        return flags.trailingZeroBitCount >> 3
    }

    /// The value of the first `digits` (1...8) bytes of `word`, all digits. Shifting them to
    /// the top of the word leaves zero bytes in front, which read as leading zeros; then
    /// neighbouring digits, pairs and quads are combined by one multiply each.
    @inline(__always)
    static func value(_ word: UInt64, digits: Int) -> UInt64 {
        var v = word &<< UInt64((8 - digits) * 8)
        v = ((v & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) &>> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
    }

    /// 10^n for n in 1...7 (a switch the compiler turns into a table, with no array to check).
    @inline(__always)
    private static func powerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 1: return 10
        case 2: return 100
        case 3: return 1000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        default: return 10_000_000
        }
    }
}
