import FlowModel

/// How the records of a file are framed besides the record text itself: a header line or
/// none, and the timestamp CloudWatch Logs export tasks put in front of each event.
enum RecordFraming {
    /// The layout the first line declares, or nil when it is a record of `format`.
    ///
    /// Without a format the first line must be a header (and its errors say so, pointing to
    /// `--log-format`). With one, a first line is a header when it is made of field names and
    /// most of them are fields flowq knows: a record's first value is a number or an id such as
    /// `vpc-0abc`, which a format of custom fields could otherwise mistake for a name.
    static func header(_ line: UnsafeRawBufferPointer, format: FlowLayout?) throws(LayoutError) -> FlowLayout? {
        guard format != nil else { return try FlowLayout(headerLine: line) }
        let tokens = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
        guard !tokens.isEmpty else { return nil }
        var known = 0
        for token in tokens {
            let name = String(decoding: token, as: UTF8.self).lowercased().replacingASCII("_", with: "-")
            if FlowField(headerName: name) != nil { known += 1 }
        }
        guard known * 2 > tokens.count else { return nil }
        return try FlowLayout(headerLine: line)
    }

    /// True when `line` starts with an ISO 8601 UTC time and a space, as each line of a
    /// CloudWatch Logs export does (`2024-01-05T10:00:00.000Z 2 123456789010 eni-...`).
    static func hasTimestamp(_ line: UnsafeRawBufferPointer) -> Bool {
        timestampLength(line) != nil
    }

    /// `line` without its leading export timestamp and the blanks after it (unchanged when it has none).
    static func droppingTimestamp(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard var end = timestampLength(line) else { return line }
        while end < line.count, line[end] == 0x20 || line[end] == 0x09 { end += 1 }
        return UnsafeRawBufferPointer(rebasing: line[end...])
    }

    /// The length of a leading `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` followed by a blank.
    private static func timestampLength(_ line: UnsafeRawBufferPointer) -> Int? {
        // Digits (d), separators as written.
        let pattern = Array("dddd-dd-ddTdd:dd:dd".utf8)
        guard line.count > pattern.count else { return nil }
        for (index, expected) in pattern.enumerated() {
            let byte = line[index]
            if expected == UInt8(ascii: "d") {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
            } else if byte != expected {
                return nil
            }
        }
        var index = pattern.count
        if index < line.count, line[index] == UInt8(ascii: ".") {
            index += 1
            while index < line.count, line[index] >= 0x30 && line[index] <= 0x39 { index += 1 }
        }
        if index < line.count, line[index] == UInt8(ascii: "Z") {
            index += 1
        } else if index + 6 <= line.count, line[index] == UInt8(ascii: "+") || line[index] == UInt8(ascii: "-") {
            index += 6
        }
        guard index < line.count, line[index] == 0x20 || line[index] == 0x09 else { return nil }
        return index
    }
}
