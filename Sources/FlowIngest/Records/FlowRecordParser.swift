/// One parsed field of the current record, pointing into the line it came from.
public struct FieldValue: Sendable {
    /// The value's storage class.
    public enum Kind: UInt8, Sendable {
        /// `-`: not applicable, stored as NULL.
        case null
        /// A number, an IPv4 address or a word code, in `integer`.
        case integer
        /// Text at `textOffset..<textOffset+textCount` of the line.
        case text
        /// An IPv6 address: 16 bytes in the parser's address buffer at `textOffset`.
        case ipv6
    }

    /// The storage class.
    public var kind: Kind = .null
    /// The value when `kind` is `.integer`.
    public var integer: Int64 = 0
    /// Start of the text in the line (or of the IPv6 bytes in the address buffer).
    public var textOffset: Int = 0
    /// Length of the text.
    public var textCount: Int = 0
}

/// Turns one record line into typed field values, in place, without making Strings.
///
/// Fields are split on runs of spaces or tabs; `-` becomes NULL; integers are range-checked;
/// addresses validated (IPv4 to a number, IPv6 to 16 bytes); millisecond times become seconds;
/// action and log-status words become codes. A line that breaks any rule is reported with the
/// reason and stored nowhere.
public final class FlowRecordParser {
    /// The result of parsing one line.
    public enum Outcome: Equatable {
        /// A valid record; its values are in `values`.
        case record(start: Int64)
        /// An empty line: ignored.
        case blank
        /// A line that breaks a rule: why.
        case malformed(String)
    }

    /// The layout every line is read with.
    public let layout: FlowLayout
    /// The values of the last parsed record, one per layout slot.
    public private(set) var values: [FieldValue]
    /// IPv6 addresses of the last record, 16 bytes per slot.
    public private(set) var addressBytes: [UInt8]

    private let storages: [FieldStorage?]
    private let startSlot: Int
    private var fieldStarts: [Int]
    private var fieldEnds: [Int]

    /// A parser for records of `layout`.
    public init(layout: FlowLayout) {
        self.layout = layout
        values = Array(repeating: FieldValue(), count: layout.slots.count)
        addressBytes = Array(repeating: 0, count: 16 * layout.slots.count)
        storages = layout.slots.map { slot in
            if case .known(let field) = slot { return field.storage } else { return nil }
        }
        // FlowLayout guarantees a start field.
        startSlot = layout.position(of: .start) ?? 0
        fieldStarts = Array(repeating: 0, count: layout.slots.count + 1)
        fieldEnds = Array(repeating: 0, count: layout.slots.count + 1)
    }

    /// Parses `line`; on `.record` the values are in `values` until the next call.
    public func parse(_ line: UnsafeRawBufferPointer) -> Outcome {
        let expected = layout.slots.count
        var count = 0
        var index = 0
        let length = line.count
        // Split on runs of blanks, checking for control and non-ASCII bytes on the way.
        while index < length {
            var byte = line[index]
            while byte == 0x20 || byte == 0x09 {
                index += 1
                if index == length { break }
                byte = line[index]
            }
            if index == length { break }
            let start = index
            while index < length {
                byte = line[index]
                if byte == 0x20 || byte == 0x09 { break }
                if byte < 0x20 || byte >= 0x7F {
                    return .malformed(byte == 0 ? "NUL byte at column \(index + 1)" : "control or non-ASCII byte 0x\(String(byte, radix: 16)) at column \(index + 1)")
                }
                index += 1
            }
            if count < expected {
                fieldStarts[count] = start
                fieldEnds[count] = index
            }
            count += 1
        }
        if count == 0 { return .blank }
        guard count == expected else {
            return .malformed("expected \(expected) fields as the header says, found \(count)")
        }
        for slot in 0..<expected {
            let start = fieldStarts[slot], end = fieldEnds[slot]
            let field = UnsafeRawBufferPointer(rebasing: line[start..<end])
            if field.count == 1 && field[0] == 0x2D {
                values[slot].kind = .null
                continue
            }
            guard let storage = storages[slot] else {
                values[slot] = FieldValue(kind: .text, integer: 0, textOffset: start, textCount: end - start)
                continue
            }
            switch storage {
            case .text:
                values[slot] = FieldValue(kind: .text, integer: 0, textOffset: start, textCount: end - start)
            case .integer(let range):
                guard let number = Self.parseInteger(field), range.contains(number) else {
                    return .malformed(invalidValue(slot, field, "an integer in \(range.lowerBound)...\(range.upperBound)"))
                }
                values[slot] = FieldValue(kind: .integer, integer: number)
            case .timestamp:
                guard var number = Self.parseInteger(field) else {
                    return .malformed(invalidValue(slot, field, "Unix seconds"))
                }
                // Some exports carry milliseconds; flowq stores seconds.
                if number > 100_000_000_000 { number /= 1000 }
                values[slot] = FieldValue(kind: .integer, integer: number)
            case .address:
                if let v4 = IPAddress.parseIPv4(field) {
                    values[slot] = FieldValue(kind: .integer, integer: Int64(v4))
                } else if let v6 = IPAddress.parseIPv6(field) {
                    let offset = slot * 16
                    for i in 0..<16 { addressBytes[offset + i] = v6[i] }
                    values[slot] = FieldValue(kind: .ipv6, integer: 0, textOffset: offset, textCount: 16)
                } else {
                    return .malformed(invalidValue(slot, field, "an IPv4 or IPv6 address"))
                }
            case .code(let code, let strict):
                if let number = Self.code(of: field, in: code) {
                    values[slot] = FieldValue(kind: .integer, integer: number)
                } else if strict {
                    return .malformed(invalidValue(slot, field, code.words.joined(separator: " or ")))
                } else {
                    values[slot] = FieldValue(kind: .text, integer: 0, textOffset: start, textCount: end - start)
                }
            }
        }
        guard values[startSlot].kind == .integer else {
            return .malformed("start is '-': the record cannot be placed in a day partition")
        }
        return .record(start: values[startSlot].integer)
    }

    private func invalidValue(_ slot: Int, _ field: UnsafeRawBufferPointer, _ expected: String) -> String {
        let shown = String(decoding: field.prefix(60), as: UTF8.self)
        return "\(layout.slots[slot].columnName) is '\(shown)', expected \(expected)"
    }

    /// Parses unsigned decimal digits (no sign, at most 18 digits so it cannot overflow).
    @inline(__always)
    static func parseInteger(_ field: UnsafeRawBufferPointer) -> Int64? {
        guard field.count > 0, field.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in field {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int64(digit)
        }
        return value
    }

    @inline(__always)
    private static func code(of field: UnsafeRawBufferPointer, in code: FieldCode) -> Int64? {
        for (index, word) in code.words.enumerated() where word.utf8.count == field.count {
            if word.utf8.elementsEqual(field) { return Int64(index + 1) }
        }
        return nil
    }
}

@available(*, unavailable)
extension FlowRecordParser: Sendable {}
