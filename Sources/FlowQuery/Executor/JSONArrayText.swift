import FlowModel
import FlowSQLite

/// The flat JSON arrays SQLite's `json_group_array` writes, read back and written out.
///
/// Partial results of `count(DISTINCT x)` and `array_agg(x)` travel between the partition
/// queries and the merge as these arrays; their elements are numbers, strings and nulls only.
package enum JSONArrayText {
    /// The elements of `text`, or nil if it is not a flat JSON array of scalars.
    package static func parse(_ text: String) -> [SQLiteValue]? {
        let bytes = Array(text.utf8)
        var index = 0
        func skipSpace() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 } }
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x5B else { return nil }
        index += 1
        var values: [SQLiteValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == 0x5D { return values }
        while index < bytes.count {
            skipSpace()
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case 0x22:
                index += 1
                var scalars: [UInt8] = []
                var closed = false
                while index < bytes.count {
                    let b = bytes[index]
                    if b == 0x22 { closed = true; index += 1; break }
                    if b == 0x5C, index + 1 < bytes.count {
                        let e = bytes[index + 1]
                        index += 2
                        switch e {
                        case 0x6E: scalars.append(0x0A)
                        case 0x74: scalars.append(0x09)
                        case 0x72: scalars.append(0x0D)
                        case 0x62: scalars.append(0x08)
                        case 0x66: scalars.append(0x0C)
                        case 0x75:
                            guard index + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else { return nil }
                            index += 4
                            if let scalar = Unicode.Scalar(code) { scalars.append(contentsOf: Array(String(Character(scalar)).utf8)) }
                        default: scalars.append(e)
                        }
                        continue
                    }
                    scalars.append(b)
                    index += 1
                }
                guard closed else { return nil }
                values.append(.text(String(decoding: scalars, as: UTF8.self)))
            case 0x6E:
                guard index + 4 <= bytes.count else { return nil }
                index += 4
                values.append(.null)
            default:
                let start = index
                while index < bytes.count, bytes[index] != 0x2C, bytes[index] != 0x5D, bytes[index] != 0x20 { index += 1 }
                let token = String(decoding: bytes[start..<index], as: UTF8.self)
                if let integer = Int64(token) { values.append(.integer(integer)) } else if let real = Double(token) { values.append(.real(real)) } else { return nil }
            }
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x2C { index += 1; continue }
            if bytes[index] == 0x5D { return values }
            return nil
        }
        return nil
    }

    /// `values` as a JSON array.
    package static func write(_ values: [SQLiteValue]) -> String {
        "[" + values.map(element).joined(separator: ",") + "]"
    }

    /// One value as a JSON scalar.
    package static func element(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "null"
        case .integer(let v): return String(v)
        case .real(let v): return v.isFinite ? String(v) : "null"
        case .text(let s): return JSONString.quoted(s)
        case .blob(let b): return JSONString.quoted(b.map { String(format: "%02x", $0) }.joined())
        }
    }
}
