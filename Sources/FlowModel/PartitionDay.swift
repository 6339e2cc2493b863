/// A UTC day, the unit of partitioning: every record lives in the partition of the day its
/// `start` falls in.
public struct PartitionDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let dayNumber: Int32

    /// The day with this number (days since 1970-01-01).
    @inlinable
    public init(dayNumber: Int32) {
        self.dayNumber = dayNumber
    }

    /// The day holding the Unix time `seconds` (UTC).
    @inlinable
    public init(unixSeconds seconds: Int64) {
        // Floor division: times before 1970 go to the earlier day.
        let (q, r) = seconds.quotientAndRemainder(dividingBy: 86_400)
        dayNumber = Int32(truncatingIfNeeded: r < 0 ? q - 1 : q)
    }

    /// Parses `YYYY-MM-DD` or `YYYY/MM/DD` (the partition-projection spelling).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == bytes[7], bytes[4] == 0x2D || bytes[4] == 0x2F else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard bytes[i] >= 0x30 && bytes[i] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[i] - 0x30)
            }
            return value
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
              (1...12).contains(m), d >= 1, d <= PartitionDay.daysIn(month: m, year: y) else { return nil }
        dayNumber = Int32(PartitionDay.daysFromCivil(year: y, month: m, day: d))
    }

    /// Year, month, day.
    @inlinable
    public var civil: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = Int(dayNumber) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `2024-01-05`: the `date` column's text and the partition file's name.
    public var isoText: String { format(separator: "-") }

    /// `2024/01/05`: the `day` and `date_partition` columns' text.
    public var slashedText: String { format(separator: "/") }

    public var description: String { isoText }

    /// Unix seconds at 00:00:00 UTC of this day.
    @inlinable
    public var startSeconds: Int64 { Int64(dayNumber) * 86_400 }

    /// ISO day of the week: 1 = Monday ... 7 = Sunday.
    @inlinable
    public var dayOfWeek: Int {
        // 1970-01-01 was a Thursday (4).
        let r = (Int(dayNumber) + 3) % 7
        return (r < 0 ? r + 7 : r) + 1
    }

    @inlinable
    public static func < (lhs: PartitionDay, rhs: PartitionDay) -> Bool { lhs.dayNumber < rhs.dayNumber }

    /// The day after `days` days.
    @inlinable
    public func adding(days: Int32) -> PartitionDay { PartitionDay(dayNumber: dayNumber + days) }

    private func format(separator: String) -> String {
        let (y, m, d) = civil
        let year = String(y), month = m < 10 ? "0\(m)" : "\(m)", day = d < 10 ? "0\(d)" : "\(d)"
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + separator + month + separator + day
    }

    /// Days since 1970-01-01 of a calendar date.
    @inlinable
    public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        daysFromCivil(year: year, month: month, day: day)
    }

    /// Days in `month` of `year`.
    @inlinable
    public static func daysInMonth(_ month: Int, year: Int) -> Int {
        daysIn(month: month, year: year)
    }

    @usableFromInline
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    @usableFromInline
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
