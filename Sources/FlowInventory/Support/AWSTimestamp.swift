/// Reading the times AWS prints as Unix seconds (UTC).
///
/// Inventory timestamps are stored as whole Unix seconds because flowq holds `timestamp` columns
/// as Unix seconds; fractions (`.583Z`) are dropped (toward the earlier second), which no
/// inventory question needs. Written without `DateFormatter` so no locale or time zone of the
/// machine can change a value.
enum AWSTimestamp {
    /// Parses the ISO 8601 forms the AWS CLI prints: `2022-11-15T10:48:59+00:00` (CLI v2),
    /// `2013-11-30T23:36:42.000Z` (CLI v1 and most examples), `2017-09-05T20:41:28Z`; also a space
    /// for `T`, an offset written `+0530`, and no zone at all (taken as UTC).
    static func unixSeconds(iso8601 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19,
              let date = civilDate(bytes, separator: UInt8(ascii: "-")),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"),
              let minute = number(bytes, 14, 2), bytes[16] == UInt8(ascii: ":"),
              let second = number(bytes, 17, 2),
              hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let digitsStart = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > digitsStart else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                guard let hours = number(bytes, index + 1, 2) else { return nil }
                var minutesAt = index + 3
                if minutesAt < bytes.count, bytes[minutesAt] == UInt8(ascii: ":") { minutesAt += 1 }
                guard let minutes = number(bytes, minutesAt, 2), hours < 24, minutes < 60 else { return nil }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
                index = minutesAt + 2
            default:
                return nil
            }
        }
        guard index == bytes.count else { return nil }
        return date + hour * 3600 + minute * 60 + second - offsetSeconds
    }

    /// Parses ip-ranges.json's `createDate`, `2024-01-05-20-13-07` (UTC).
    static func unixSeconds(createDate text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19,
              let date = civilDate(bytes, separator: UInt8(ascii: "-")),
              bytes[10] == UInt8(ascii: "-"), let hour = number(bytes, 11, 2),
              bytes[13] == UInt8(ascii: "-"), let minute = number(bytes, 14, 2),
              bytes[16] == UInt8(ascii: "-"), let second = number(bytes, 17, 2),
              hour < 24, minute < 60, second < 61 else { return nil }
        return date + hour * 3600 + minute * 60 + second
    }

    /// The Unix seconds at midnight of `YYYY-MM-DD` at the start of `bytes`, checked for a real
    /// day (no 31 February).
    private static func civilDate(_ bytes: [UInt8], separator: UInt8) -> Int64? {
        guard let year = number(bytes, 0, 4), bytes[4] == separator,
              let month = number(bytes, 5, 2), bytes[7] == separator,
              let day = number(bytes, 8, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The decimal number in `bytes[start..<start+count]`, all digits.
    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int64? {
        guard start >= 0, start + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for index in start..<(start + count) {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
        }
        return value
    }
}
