import FlowModel
import Foundation

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
/// addresses validated (IPv4 to a number, IPv6 to 16 bytes); millisecond and microsecond times
/// become seconds (`FlowTime`);
/// action and log-status words become codes. A line that breaks any rule is reported with the
/// reason and stored nowhere.
///
/// This is the ingest hot path: state lives in fixed buffers allocated once (no arrays of
/// reference-counted values, no exclusivity checks per field), and per-slot rules are plain values.
public final class FlowRecordParser {
    /// The result of parsing one line.
    public enum Outcome: Equatable {
        /// A valid record; its values are in `values`. `start` is the time that places it in its
        /// day: its `start`, else its `end`, else the file's delivery time.
        case record(start: Int64)
        /// An empty line: ignored.
        case blank
        /// A line that breaks a rule: why.
        case malformed(String)
    }

    /// The layout every line is read with.
    public let layout: FlowLayout
    /// The values of the last parsed record, one per layout slot (valid while the parser lives).
    public let values: UnsafeMutableBufferPointer<FieldValue>
    /// IPv6 addresses of the last record, 16 bytes per slot.
    public let addressBytes: UnsafeMutableRawBufferPointer

    private let rules: UnsafeMutableBufferPointer<SlotRule>
    private let fieldStarts: UnsafeMutableBufferPointer<Int>
    private let fieldEnds: UnsafeMutableBufferPointer<Int>
    /// The slot that places a record in its day: `start`, else `end`, else none (`deliveryTime`).
    private let timeSlot: Int?
    /// Unix seconds that place every record when the layout has neither `start` nor `end`:
    /// the delivery time the file's path gives.
    public var deliveryTime: Int64 = 0
    /// True for AWS's default format, which `parseValid` reads with a loop specialised to it.
    let isDefaultLayout: Bool

    /// How one slot is checked, as a trivial value (no reference counting on the hot path).
    struct SlotRule {
        enum Kind: UInt8 { case text, integer, timestamp, address, code }
        var kind: Kind
        var low: Int64 = 0
        var high: Int64 = 0
        /// For codes: which vocabulary, and whether other words are errors.
        var vocabulary: Vocabulary = .action
        var strict = true
    }

    /// The coded vocabularies, matched by bytes.
    enum Vocabulary: UInt8 { case action, logStatus, flowDirection, addressType }

    /// A parser for records of `layout`.
    public init(layout: FlowLayout) {
        self.layout = layout
        let count = layout.slots.count
        values = .allocate(capacity: count)
        values.initialize(repeating: FieldValue())
        addressBytes = .allocate(byteCount: 16 * count, alignment: 8)
        addressBytes.initializeMemory(as: UInt8.self, repeating: 0)
        rules = .allocate(capacity: count)
        for (index, slot) in layout.slots.enumerated() {
            var rule = SlotRule(kind: .text)
            if case .known(let field) = slot {
                switch field.storage {
                case .text, .dictionary: break
                case .integer(let range): rule = SlotRule(kind: .integer, low: range.lowerBound, high: range.upperBound)
                case .timestamp: rule = SlotRule(kind: .timestamp)
                case .address: rule = SlotRule(kind: .address)
                case .code(let code, let strict):
                    let vocabulary: Vocabulary = code == .action ? .action : code == .logStatus ? .logStatus : code == .flowDirection ? .flowDirection : .addressType
                    rule = SlotRule(kind: .code, vocabulary: vocabulary, strict: strict)
                }
            }
            rules.initializeElement(at: index, to: rule)
        }
        fieldStarts = .allocate(capacity: count + 1)
        fieldStarts.initialize(repeating: 0)
        fieldEnds = .allocate(capacity: count + 1)
        fieldEnds.initialize(repeating: 0)
        timeSlot = layout.position(of: .start) ?? layout.position(of: .end)
        var isDefault = layout.isDefaultFormat && count == Self.defaultKinds.count
        for index in 0..<count where isDefault {
            isDefault = rules[index].kind == Self.defaultKinds[index]
        }
        isDefaultLayout = isDefault
    }

    deinit {
        values.deallocate()
        addressBytes.deallocate()
        rules.deallocate()
        fieldStarts.deallocate()
        fieldEnds.deallocate()
    }

    /// Parses `line`; on `.record` the values are in `values` until the next call.
    public func parse(_ line: UnsafeRawBufferPointer) -> Outcome {
        if let start = parseValid(line) { return .record(start: start) }
        return parseChecked(line)
    }

    /// The hot path: one pass over the bytes that splits and converts at once, for lines that
    /// break no rule. Anything unusual (a blank line, a wrong field count, a bad value, 19-digit
    /// numbers) returns nil, and `parseChecked` parses the line again to say what is wrong; a
    /// line both accept gets the same values from both.
    @inline(__always)
    private func parseValid(_ line: UnsafeRawBufferPointer) -> Int64? {
        guard let base = line.baseAddress else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let length = line.count
        var index = 0
        if isDefaultLayout {
            // Each slot's kind known here: straight-line calls, no switch on the kind to
            // mispredict per field (a profile found that branch among the costliest).
            guard integer(0, bytes, length, &index), text(1, bytes, length, &index), text(2, bytes, length, &index),
                  address(3, bytes, length, &index), address(4, bytes, length, &index),
                  integer(5, bytes, length, &index), integer(6, bytes, length, &index), integer(7, bytes, length, &index),
                  integer(8, bytes, length, &index), integer(9, bytes, length, &index),
                  time(10, bytes, length, &index), time(11, bytes, length, &index),
                  code(12, bytes, length, &index), code(13, bytes, length, &index) else { return nil }
        } else {
            for slot in 0..<values.count {
                let read: Bool
                switch rules[slot].kind {
                case .integer: read = integer(slot, bytes, length, &index)
                case .timestamp: read = time(slot, bytes, length, &index)
                case .text: read = text(slot, bytes, length, &index)
                case .code: read = code(slot, bytes, length, &index)
                case .address: read = address(slot, bytes, length, &index)
                }
                guard read else { return nil }
            }
        }
        while index < length && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        guard index == length else { return nil }
        guard let timeSlot else { return deliveryTime }
        guard values[timeSlot].kind == .integer else { return nil }
        return values[timeSlot].integer
    }

    /// The slot kinds of AWS's default format (version 2, 14 fields), which `parseValid` reads
    /// with the kinds written out.
    static let defaultKinds: [SlotRule.Kind] = [.integer, .text, .text, .address, .address, .integer, .integer, .integer,
                                                .integer, .integer, .timestamp, .timestamp, .code, .code]

    // One reader per slot kind, for `parseValid`: each skips the blanks before its field, takes
    // `-` as NULL, reads the field from `index` on and leaves `index` at its end; false when the
    // line needs `parseChecked`.

    /// Skips blanks; false at the end of the line. True in `isNull` (and the slot set NULL,
    /// `index` past it) when the field is `-`.
    @inline(__always)
    private func fieldStart(_ slot: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, _ index: inout Int, isNull: inout Bool) -> Bool {
        while index < length && (bytes[index] == 0x20 || bytes[index] == 0x09) { index += 1 }
        if index == length { return false }
        if bytes[index] == 0x2D && (index + 1 == length || bytes[index + 1] == 0x20 || bytes[index + 1] == 0x09) {
            values[slot].kind = .null
            index += 1
            isNull = true
        }
        return true
    }

    private func integer(_ slot: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, _ index: inout Int) -> Bool {
        var isNull = false
        guard fieldStart(slot, bytes, length, &index, isNull: &isNull) else { return false }
        if isNull { return true }
        guard let (number, end) = DecimalDigits.number(bytes, from: index, length: length) else { return false }
        index = end
        let rule = rules[slot]
        guard number >= rule.low, number <= rule.high else { return false }
        values[slot] = FieldValue(kind: .integer, integer: number)
        return true
    }

    private func time(_ slot: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, _ index: inout Int) -> Bool {
        var isNull = false
        guard fieldStart(slot, bytes, length, &index, isNull: &isNull) else { return false }
        if isNull { return true }
        guard let (number, end) = DecimalDigits.number(bytes, from: index, length: length),
              let seconds = FlowTime.seconds(fromRaw: number) else { return false }
        index = end
        values[slot] = FieldValue(kind: .integer, integer: seconds)
        return true
    }

    private func text(_ slot: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, _ index: inout Int) -> Bool {
        var isNull = false
        guard fieldStart(slot, bytes, length, &index, isNull: &isNull) else { return false }
        if isNull { return true }
        guard let end = Self.fieldEnd(bytes, from: index, length: length) else { return false }
        values[slot] = FieldValue(kind: .text, integer: 0, textOffset: index, textCount: end - index)
        index = end
        return true
    }

    private func code(_ slot: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, _ index: inout Int) -> Bool {
        var isNull = false
        guard fieldStart(slot, bytes, length, &index, isNull: &isNull) else { return false }
        if isNull { return true }
        guard let end = Self.fieldEnd(bytes, from: index, length: length) else { return false }
        let rule = rules[slot]
        if rule.strict, !Self.isWord(UnsafeRawBufferPointer(start: bytes + index, count: end - index), of: rule.vocabulary) { return false }
        values[slot] = FieldValue(kind: .text, integer: 0, textOffset: index, textCount: end - index)
        index = end
        return true
    }

    private func address(_ slot: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, _ index: inout Int) -> Bool {
        var isNull = false
        guard fieldStart(slot, bytes, length, &index, isNull: &isNull) else { return false }
        if isNull { return true }
        guard let end = Self.fieldEnd(bytes, from: index, length: length),
              storeAddress(UnsafeRawBufferPointer(start: bytes + index, count: end - index), slot: slot) else { return false }
        index = end
        return true
    }

    /// Stores `field` as slot `slot`'s address (IPv4 as a number, IPv6 as 16 bytes in the
    /// address buffer); false when it is neither. Both parsers store addresses through here.
    @inline(__always)
    private func storeAddress(_ field: UnsafeRawBufferPointer, slot: Int) -> Bool {
        if let v4 = IPAddress.parseIPv4(field) {
            values[slot] = FieldValue(kind: .integer, integer: Int64(v4))
            return true
        }
        guard IPAddress.parseIPv6(field, into: addressBytes.baseAddress! + slot * 16) else { return false }
        values[slot] = FieldValue(kind: .ipv6, integer: 0, textOffset: slot * 16, textCount: 16)
        return true
    }

    /// Where the field starting at `start` ends (a blank, or the end of the line); nil when a
    /// control or non-ASCII byte comes first. Eight bytes at a time: a byte below 0x21 or from
    /// 0x7F up sets its top bit in the masks below, and borrows and carries only run upward,
    /// so the lowest flagged byte is the first special one.
    @inline(__always)
    static func fieldEnd(_ bytes: UnsafePointer<UInt8>, from start: Int, length: Int) -> Int? {
        var index = start
        let raw = UnsafeRawPointer(bytes)
        while index + 8 <= length {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let low = (word &- 0x2121_2121_2121_2121) & ~word & 0x8080_8080_8080_8080
            let high = ((word &+ 0x0101_0101_0101_0101) | word) & 0x8080_8080_8080_8080
            let special = low | high
            if special != 0 {
                index += special.trailingZeroBitCount >> 3
                let byte = bytes[index]
                return byte == 0x20 || byte == 0x09 ? index : nil
            }
            index += 8
        }
        while index < length {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 { return index }
            if byte < 0x20 || byte >= 0x7F { return nil }
            index += 1
        }
        return index
    }

    /// Parses `line` field by field with every check, saying what is wrong.
    func parseChecked(_ line: UnsafeRawBufferPointer) -> Outcome {
        let expected = values.count
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
            if let reason = storeField(slot, UnsafeRawBufferPointer(rebasing: line[start..<end]), at: start) {
                return .malformed(reason)
            }
        }
        return finishRecord()
    }

    /// Checks one field of the current record by its slot's rule and stores its value; the
    /// reason it breaks the rule otherwise. `start` is where the field sits in the buffer text
    /// values are read from later (the line).
    func storeField(_ slot: Int, _ field: UnsafeRawBufferPointer, at start: Int) -> String? {
        if field.count == 1 && field[0] == 0x2D {
            values[slot].kind = .null
            return nil
        }
        let rule = rules[slot]
        switch rule.kind {
        case .text:
            values[slot] = FieldValue(kind: .text, integer: 0, textOffset: start, textCount: field.count)
        case .integer:
            guard let number = Self.parseInteger(field) else {
                return invalidValue(slot, field, Self.isDigits(field) ? "at most \(rule.high) (too large)" : "an integer in \(rule.low)...\(rule.high)")
            }
            return storeInteger(slot, number)
        case .timestamp:
            guard let number = Self.parseInteger(field) else {
                return invalidValue(slot, field, Self.isDigits(field) ? "Unix seconds, milliseconds or microseconds (too large)" : "Unix seconds")
            }
            return storeInteger(slot, number)
        case .address:
            guard storeAddress(field, slot: slot) else {
                return invalidValue(slot, field, "an IPv4 or IPv6 address")
            }
        case .code:
            // Checked against its vocabulary, stored as text (a word list of two or three
            // entries per segment: see PartitionSchema).
            if rule.strict, Self.code(of: field, in: rule.vocabulary) == nil {
                let words = Self.words(rule.vocabulary)
                return invalidValue(slot, field, words.joined(separator: " or "))
            }
            values[slot] = FieldValue(kind: .text, integer: 0, textOffset: start, textCount: field.count)
        }
        return nil
    }

    /// True when the slot holds numbers (an integer or a time), which `storeInteger` takes
    /// without a detour through text.
    func takesIntegers(_ slot: Int) -> Bool {
        rules[slot].kind == .integer || rules[slot].kind == .timestamp
    }

    /// Checks a number for an integer or time slot (`takesIntegers`) and stores it; the reason
    /// it breaks the rule otherwise, worded as for the same number written in a text file.
    func storeInteger(_ slot: Int, _ number: Int64) -> String? {
        let rule = rules[slot]
        if rule.kind == .timestamp {
            guard number >= 0, let seconds = FlowTime.seconds(fromRaw: number) else {
                let text = Array(String(number).utf8)
                return text.withUnsafeBytes { field in
                    number < 0 ? invalidValue(slot, field, "Unix seconds")
                        : invalidValue(slot, field, "Unix seconds (or milliseconds or microseconds) from 1970 to \(FlowTime.lastYear)")
                }
            }
            values[slot] = FieldValue(kind: .integer, integer: seconds)
            return nil
        }
        guard number >= rule.low, number <= rule.high else {
            let text = Array(String(number).utf8)
            return text.withUnsafeBytes { invalidValue(slot, $0, "an integer in \(rule.low)...\(rule.high)") }
        }
        values[slot] = FieldValue(kind: .integer, integer: number)
        return nil
    }

    /// Marks a slot of the current record NULL (`-` in text).
    func storeNull(_ slot: Int) {
        values[slot].kind = .null
    }

    /// The outcome for the current record once every slot is stored: it needs a time to place
    /// it in a day.
    func finishRecord() -> Outcome {
        guard let timeSlot else { return .record(start: deliveryTime) }
        guard values[timeSlot].kind == .integer else {
            return .malformed("\(layout.slots[timeSlot].columnName) is '-': the record cannot be placed in a day partition")
        }
        return .record(start: values[timeSlot].integer)
    }

    private func invalidValue(_ slot: Int, _ field: UnsafeRawBufferPointer, _ expected: String) -> String {
        let shown = String(decoding: field.prefix(60), as: UTF8.self)
        return "\(layout.slots[slot].columnName) is '\(shown)', expected \(expected)"
    }

    /// Parses unsigned decimal digits (no sign); nil for anything else or a value past `Int64.max`.
    @inline(__always)
    static func parseInteger(_ field: UnsafeRawBufferPointer) -> Int64? {
        guard field.count > 0, field.count <= 19 else { return nil }
        var value: Int64 = 0
        if field.count < 19 {
            // Up to 18 digits cannot overflow: the hot path needs no checks.
            for byte in field {
                let digit = byte &- 0x30
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int64(digit)
            }
            return value
        }
        for byte in field {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }

    /// True when `field` is all decimal digits (so a failed parse means "too large").
    static func isDigits(_ field: UnsafeRawBufferPointer) -> Bool {
        !field.isEmpty && field.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The words of a vocabulary, in code order (code = index + 1).
    static func words(_ vocabulary: Vocabulary) -> [String] {
        switch vocabulary {
        case .action: return FieldCode.action.words
        case .logStatus: return FieldCode.logStatus.words
        case .flowDirection: return FieldCode.flowDirection.words
        case .addressType: return FieldCode.addressType.words
        }
    }

    /// The code of the word in `field`, matched by bytes against static text.
    @inline(__always)
    private static func code(of field: UnsafeRawBufferPointer, in vocabulary: Vocabulary) -> Int64? {
        switch vocabulary {
        case .action:
            if equals(field, "ACCEPT") { return 1 }
            if equals(field, "REJECT") { return 2 }
        case .logStatus:
            if equals(field, "OK") { return 1 }
            if equals(field, "NODATA") { return 2 }
            if equals(field, "SKIPDATA") { return 3 }
        case .flowDirection:
            if equals(field, "ingress") { return 1 }
            if equals(field, "egress") { return 2 }
        case .addressType:
            if equals(field, "IPv4") { return 1 }
            if equals(field, "IPv6") { return 2 }
            if equals(field, "EFA") { return 3 }
        }
        return nil
    }

    /// True when `field` is one of the vocabulary's words: `code(of:in:)` without a `memcmp`
    /// call a word (every word is at most 8 bytes, so one is compared as one integer).
    @inline(__always)
    static func isWord(_ field: UnsafeRawBufferPointer, of vocabulary: Vocabulary) -> Bool {
        guard field.count <= 8 else { return false }
        let word = packed(field)
        switch vocabulary {
        case .action: return word == accept || word == reject
        case .logStatus: return word == ok || word == noData || word == skipData
        case .flowDirection: return word == ingress || word == egress
        case .addressType: return word == ipv4 || word == ipv6 || word == efa
        }
    }

    /// The bytes of a field of at most 8 bytes as one integer (first byte lowest, zeros after),
    /// loading only its own bytes: two overlapping loads, each within the field.
    @inline(__always)
    static func packed(_ field: UnsafeRawBufferPointer) -> UInt64 {
        let count = field.count
        switch count {
        case 4...8:
            let low = UInt64(UInt32(littleEndian: field.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: field.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            return low | high &<< UInt64((count - 4) * 8)
        case 2, 3:
            let low = UInt64(UInt16(littleEndian: field.loadUnaligned(as: UInt16.self)))
            let high = UInt64(UInt16(littleEndian: field.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)))
            return low | high &<< UInt64((count - 2) * 8)
        case 1:
            return UInt64(field[0])
        default:
            return 0
        }
    }

    // The vocabulary as `packed` makes each word (ASCII, first letter lowest): literals, so
    // the hot path reads no lazily initialised globals. A test checks them against the words.
    static let accept: UInt64 = 0x5450_4543_4341, reject: UInt64 = 0x5443_454A_4552
    static let ok: UInt64 = 0x4B4F, noData: UInt64 = 0x4154_4144_4F4E, skipData: UInt64 = 0x4154_4144_5049_4B53
    static let ingress: UInt64 = 0x73_7365_7267_6E69, egress: UInt64 = 0x7373_6572_6765
    static let ipv4: UInt64 = 0x3476_5049, ipv6: UInt64 = 0x3676_5049, efa: UInt64 = 0x41_4645

    @inline(__always)
    private static func equals(_ field: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        guard field.count == word.utf8CodeUnitCount, let base = field.baseAddress else { return false }
        return memcmp(base, word.utf8Start, field.count) == 0
    }
}

@available(*, unavailable)
extension FlowRecordParser: Sendable {}
