import Foundation

/// Parsing and formatting of the few timestamp forms AWS uses.
enum ISO8601 {
    /// Parses `2015-08-30T12:36:00Z`, with or without fractional seconds or a numeric offset.
    static func parse(_ text: String) -> Date? {
        // Formatters are created per call: they are not Sendable, and this runs rarely
        // (once per credential refresh or listed object page, never per byte).
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    /// The `yyyyMMdd'T'HHmmss'Z'` and `yyyyMMdd` forms SigV4 signs with, in UTC.
    static func amzDate(_ date: Date) -> (dateTime: String, day: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let day = String(format: "%04d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        let time = String(format: "%02d%02d%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        return (day + "T" + time + "Z", day)
    }
}
