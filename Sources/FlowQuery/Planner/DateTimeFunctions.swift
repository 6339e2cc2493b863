import FlowIngest

/// Date and time functions, with dates held as `YYYY-MM-DD` text and timestamps as Unix
/// seconds, all in UTC as Athena's are.
enum DateTimeFunctions {
    /// `x + interval` / `x - interval`.
    static func shift(_ value: Compiled, by interval: Compiled, subtract: Bool, at: SourceLocation, compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        guard case .interval(var seconds, var months)? = interval.constant else {
            throw QueryError(.unsupported, "only constant intervals (interval '7' day) can be added to dates and times", at: at)
        }
        if subtract { seconds = -seconds; months = -months }
        switch value.type {
        case .date:
            guard seconds % 86_400 == 0 else {
                throw QueryError(.type, "cannot add hours, minutes or seconds to a date; use a timestamp (from_unixtime(start))", at: at)
            }
            let days = seconds / 86_400
            if case .date(let day)? = value.constant {
                if months == 0 { return compiler.literal(.date(day.adding(days: Int32(days)))) }
                let shifted = addMonths(day, months)
                return compiler.literal(.date(shifted.adding(days: Int32(days))))
            }
            let modifier = months != 0 ? "\(months) months" : "\(days) days"
            return Compiled(sql: "date(\(value.sql), \(compiler.builder.value(.text(modifier))))", type: .date)
        default:
            if case .timestamp(let t)? = value.constant, months == 0 {
                return compiler.literal(.timestamp(t + Double(seconds)))
            }
            if months != 0 {
                return Compiled(sql: "unixepoch(\(value.sql), 'unixepoch', \(compiler.builder.value(.text("\(months) months"))))", type: .timestamp)
            }
            return Compiled(sql: "(\(value.sql) + \(compiler.builder.value(.integer(seconds))))", type: .timestamp)
        }
    }

    /// The first second of a date, as a timestamp.
    static func dateToTimestamp(_ c: Compiled) -> Compiled {
        if case .date(let day)? = c.constant {
            return Compiled(sql: "unixepoch(\(c.sql))", type: .timestamp, constant: .timestamp(Double(day.startSeconds)))
        }
        return Compiled(sql: "unixepoch(\(c.sql))", type: .timestamp)
    }

    /// `date(x)` / `CAST(x AS date)`.
    static func toDate(_ c: Compiled, at: SourceLocation, compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        switch c.type {
        case .date:
            return c
        case .timestamp:
            if case .timestamp(let t)? = c.constant { return compiler.literal(.date(PartitionDay(unixSeconds: Int64(t.rounded(.down))))) }
            return Compiled(sql: "date(\(c.sql), 'unixepoch')", type: .date)
        case .varchar, .unknown:
            if case .string(let text)? = c.constant {
                guard let day = PartitionDay(text.trimmingCharacters(in: .whitespaces)) else {
                    throw QueryError(.type, "'\(text)' is not a date (write 2024-01-05)", at: at)
                }
                return compiler.literal(.date(day))
            }
            return Compiled(sql: "date(\(compiler.decoded(c).sql))", type: .date)
        default:
            throw QueryError(.type, "cannot convert \(c.type) to a date", at: at)
        }
    }

    /// `date_trunc(unit, x)`.
    static func truncate(_ unit: String, _ c: Compiled, at: SourceLocation, compiler: ExpressionCompiler) throws(QueryError) -> Compiled {
        let unit = unit.lowercased()
        if c.type == .date {
            switch unit {
            case "day": return c
            case "week": return Compiled(sql: "date(\(c.sql), '-6 days', 'weekday 1')", type: .date)
            case "month": return Compiled(sql: "date(\(c.sql), 'start of month')", type: .date)
            case "quarter": return Compiled(sql: quarterStart(of: "\(c.sql)"), type: .date)
            case "year": return Compiled(sql: "date(\(c.sql), 'start of year')", type: .date)
            default: throw QueryError(.type, "date_trunc('\(unit)', date) is not valid for a date (day, week, month, quarter, year are)", at: at)
            }
        }
        guard c.type == .timestamp else { throw QueryError(.type, "date_trunc needs a date or a timestamp, not \(c.type)", at: at) }
        let t = c.sql
        switch unit {
        case "second": return Compiled(sql: "fq_floor_to(\(t), 1)", type: .timestamp)
        case "minute": return Compiled(sql: "fq_floor_to(\(t), 60)", type: .timestamp)
        case "hour": return Compiled(sql: "fq_floor_to(\(t), 3600)", type: .timestamp)
        case "day": return Compiled(sql: "fq_floor_to(\(t), 86400)", type: .timestamp)
        case "week": return Compiled(sql: "unixepoch(\(t), 'unixepoch', 'start of day', '-6 days', 'weekday 1')", type: .timestamp)
        case "month": return Compiled(sql: "unixepoch(\(t), 'unixepoch', 'start of month')", type: .timestamp)
        case "quarter": return Compiled(sql: "unixepoch(\(quarterStart(of: "date(\(t), 'unixepoch')")))", type: .timestamp)
        case "year": return Compiled(sql: "unixepoch(\(t), 'unixepoch', 'start of year')", type: .timestamp)
        default: throw QueryError(.type, "date_trunc unit '\(unit)' is not one of second, minute, hour, day, week, month, quarter, year", at: at)
        }
    }

    /// A field of a date or timestamp (`hour(x)`, `day_of_week(x)`, ...), as an integer.
    static func field(_ name: String, _ c: Compiled, at: SourceLocation) throws(QueryError) -> Compiled {
        let source: String
        switch c.type {
        case .date: source = c.sql
        case .timestamp: source = "\(c.sql), 'unixepoch'"
        default: throw QueryError(.type, "\(name)() needs a date or a timestamp, not \(c.type)", at: at)
        }
        let format: String
        switch name {
        case "year": format = "%Y"
        case "month": format = "%m"
        case "day", "day_of_month": format = "%d"
        case "day_of_year", "doy": format = "%j"
        case "hour": format = "%H"
        case "minute": format = "%M"
        case "second": format = "%S"
        case "day_of_week", "dow":
            // SQLite's %w is 0 = Sunday; Trino's day_of_week is ISO: 1 = Monday ... 7 = Sunday.
            return Compiled(sql: "((CAST(strftime('%w', \(source)) AS INTEGER) + 6) % 7 + 1)", type: .integer)
        case "quarter":
            return Compiled(sql: "((CAST(strftime('%m', \(source)) AS INTEGER) + 2) / 3)", type: .integer)
        case "week", "week_of_year":
            return Compiled(sql: "fq_iso_week(\(c.type == .date ? "unixepoch(\(c.sql))" : c.sql))", type: .integer)
        default: throw QueryError(.unknownName, "unknown function \(name)", at: at)
        }
        if c.type == .date && ["hour", "minute", "second"].contains(name) {
            return Compiled(sql: "(CASE WHEN \(c.sql) IS NULL THEN NULL ELSE 0 END)", type: .integer)
        }
        return Compiled(sql: "CAST(strftime('\(format)', \(source)) AS INTEGER)", type: .integer)
    }

    /// Translates a MySQL-style `date_format` pattern (what Athena takes) to strftime.
    static func strftimePattern(_ pattern: String, at: SourceLocation) throws(QueryError) -> String {
        var result = ""
        var iterator = pattern.makeIterator()
        while let c = iterator.next() {
            guard c == "%" else {
                result.append(c)
                continue
            }
            guard let spec = iterator.next() else { result.append("%%"); break }
            switch spec {
            case "Y": result += "%Y"
            case "m", "c": result += "%m"
            case "d", "e": result += "%d"
            case "H", "k": result += "%H"
            case "i": result += "%M"
            case "s", "S": result += "%S"
            case "T": result += "%H:%M:%S"
            case "j": result += "%j"
            case "f": result += "%f"
            case "%": result += "%%"
            default:
                throw QueryError(.unsupported, "date_format specifier %\(spec) is not supported (%Y %m %d %H %i %s %T %j are)", at: at)
            }
        }
        return result
    }

    private static func quarterStart(of dateSQL: String) -> String {
        "printf('%s-%02d-01', strftime('%Y', \(dateSQL)), ((CAST(strftime('%m', \(dateSQL)) AS INTEGER) - 1) / 3) * 3 + 1)"
    }

    private static func addMonths(_ day: PartitionDay, _ months: Int64) -> PartitionDay {
        let (y, m, d) = day.civil
        let total = Int64(y) * 12 + Int64(m - 1) + months
        let year = Int(total / 12), month = Int(total % 12) + 1
        let clamped = min(d, PartitionDay.daysInMonth(month, year: year))
        return PartitionDay(dayNumber: Int32(PartitionDay.dayNumber(year: year, month: month, day: clamped)))
    }
}
