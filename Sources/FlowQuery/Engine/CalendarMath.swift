import FlowModel

/// Dates (days since 1970) and timestamps (milliseconds since 1970) in UTC: truncation,
/// fields, month arithmetic and formatting, as Trino computes them.
enum CalendarMath {
    static let msPerDay: Int64 = 86_400_000

    /// `date_trunc(unit, date)`, in days.
    static func truncate(days: Int64, _ unit: TruncationUnit) -> Int64 {
        let day = PartitionDay(dayNumber: Int32(truncatingIfNeeded: days))
        switch unit {
        case .second, .minute, .hour, .day: return days
        case .week:
            // ISO weeks start on Monday; 1970-01-01 was a Thursday.
            let weekday = ((days + 3) % 7 + 7) % 7
            return days - weekday
        case .month, .quarter, .year:
            let (y, m, _) = day.civil
            let month = unit == .month ? m : unit == .quarter ? ((m - 1) / 3) * 3 + 1 : 1
            return Int64(PartitionDay.dayNumber(year: y, month: month, day: 1))
        }
    }

    /// `date_trunc(unit, timestamp)`, in milliseconds.
    static func truncate(milliseconds ms: Int64, _ unit: TruncationUnit) -> Int64 {
        switch unit {
        case .second: return Timestamps.floorDivide(ms, 1000).0 * 1000
        case .minute: return Timestamps.floorDivide(ms, 60_000).0 * 60_000
        case .hour: return Timestamps.floorDivide(ms, 3_600_000).0 * 3_600_000
        case .day: return Timestamps.floorDivide(ms, msPerDay).0 * msPerDay
        default: return truncate(days: Timestamps.floorDivide(ms, msPerDay).0, unit) * msPerDay
        }
    }

    /// A field of a timestamp (dates arrive as their midnight).
    static func field(_ field: DateField, milliseconds ms: Int64) -> Int64 {
        let (days, msOfDay) = Timestamps.floorDivide(ms, msPerDay)
        let day = PartitionDay(dayNumber: Int32(truncatingIfNeeded: days))
        switch field {
        case .year: return Int64(day.civil.year)
        case .month: return Int64(day.civil.month)
        case .day: return Int64(day.civil.day)
        case .dayOfYear:
            return days - Int64(PartitionDay.dayNumber(year: day.civil.year, month: 1, day: 1)) + 1
        case .hour: return msOfDay / 3_600_000
        case .minute: return msOfDay / 60_000 % 60
        case .second: return msOfDay / 1000 % 60
        case .dayOfWeek: return Int64(day.dayOfWeek)
        case .quarter: return Int64((day.civil.month - 1) / 3 + 1)
        case .week: return isoWeek(days)
        }
    }

    /// The ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday).
    static func isoWeek(_ days: Int64) -> Int64 {
        let weekday = ((days + 3) % 7 + 7) % 7 // 0 = Monday
        let thursday = days - weekday + 3
        let year = PartitionDay(dayNumber: Int32(truncatingIfNeeded: thursday)).civil.year
        let firstOfYear = Int64(PartitionDay.dayNumber(year: year, month: 1, day: 1))
        return (thursday - firstOfYear) / 7 + 1
    }

    /// A date moved by whole months, the day clamped to the month's length.
    static func addMonths(_ day: PartitionDay, _ months: Int64) -> PartitionDay {
        let (y, m, d) = day.civil
        let total = Int64(y) * 12 + Int64(m - 1) + months
        let year = Int(Timestamps.floorDivide(total, 12).0), month = Int(Timestamps.floorDivide(total, 12).1) + 1
        let clamped = min(d, PartitionDay.daysInMonth(month, year: year))
        return PartitionDay(dayNumber: Int32(PartitionDay.dayNumber(year: year, month: month, day: clamped)))
    }

    /// A timestamp moved by whole months, the time of day kept.
    static func addMonths(milliseconds ms: Int64, _ months: Int64) -> Int64 {
        let (days, msOfDay) = Timestamps.floorDivide(ms, msPerDay)
        let moved = addMonths(PartitionDay(dayNumber: Int32(truncatingIfNeeded: days)), months)
        return Int64(moved.dayNumber) * msPerDay + msOfDay
    }

    /// `date_format(timestamp, pattern)`.
    static func format(milliseconds ms: Int64, _ pieces: [DateFormatPiece]) -> String {
        let (days, msOfDay) = Timestamps.floorDivide(ms, msPerDay)
        let day = PartitionDay(dayNumber: Int32(truncatingIfNeeded: days))
        let (y, m, d) = day.civil
        func pad(_ v: Int64, _ width: Int) -> String {
            let digits = String(v)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let text): out += text
            case .year: out += pad(Int64(y), 4)
            case .month: out += pad(Int64(m), 2)
            case .day: out += pad(Int64(d), 2)
            case .hour: out += pad(msOfDay / 3_600_000, 2)
            case .minute: out += pad(msOfDay / 60_000 % 60, 2)
            case .second: out += pad(msOfDay / 1000 % 60, 2)
            case .dayOfYear: out += pad(field(.dayOfYear, milliseconds: ms), 3)
            case .milliseconds: out += pad((msOfDay % 1000) * 1000, 6)
            }
        }
        return out
    }
}
