import FlowModel
import FlowS3

/// Lists the objects under a prefix, descending through its date folders only where they can
/// hold days of the window: the default (`YYYY/MM/DD/`), hourly (`.../DD/HH/`) and Hive
/// (`year=YYYY/month=MM/day=DD/[hour=HH/]`) layouts, below any account, region or organisation
/// folders. A bucket of years costs a few listings of folders plus the listing of the days asked
/// for, not a listing of every key.
///
/// Listing is injected (`listLevel`, `listAll`) so the walk is tested without a server.
struct S3PrefixWalk {
    /// One level below a prefix: the objects directly under it and its folders.
    var listLevel: (String) throws -> (objects: [S3ObjectInfo], folders: [String])
    /// Every object under a prefix.
    var listAll: (String) throws -> [S3ObjectInfo]

    /// The objects under `prefix` delivered on a day of `window` (all of them without one).
    ///
    /// Objects whose key names no date (outside date folders) are kept: the window cannot
    /// rule them out, and already stored ones cost no download.
    func objects(under prefix: String, window: DeliveryWindow?) throws -> [S3ObjectInfo] {
        guard let window else { return try listAll(prefix) }
        var found: [S3ObjectInfo] = []
        try walk(prefix, date: DatePath(), window: window, into: &found)
        return found.sorted { $0.key < $1.key }
    }

    /// How far down a date the folders above have come.
    struct DatePath {
        var year: Int?
        var month: Int?
    }

    private func walk(_ prefix: String, date: DatePath, window: DeliveryWindow, into found: inout [S3ObjectInfo]) throws {
        let level = try listLevel(prefix)
        found += level.objects.filter { object in
            S3Key.deliveryTime(of: object.key).map { window.contains(PartitionDay(unixSeconds: $0)) } ?? true
        }
        for folder in level.folders {
            let name = Self.lastComponent(folder)
            if let year = date.year, let month = date.month {
                // A day folder: everything below it (hours, files) is that day's.
                guard let day = Self.number(name, hive: "day", digits: 2), let partition = Self.day(year, month, day) else {
                    try walk(folder, date: DatePath(), window: window, into: &found)
                    continue
                }
                if window.contains(partition) { found += try listAll(folder) }
            } else if let year = date.year {
                guard let month = Self.number(name, hive: "month", digits: 2), (1...12).contains(month) else {
                    try walk(folder, date: DatePath(), window: window, into: &found)
                    continue
                }
                guard let first = Self.day(year, month, 1), let last = Self.day(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) else { continue }
                if window.overlaps(first, PartitionDay(dayNumber: last.dayNumber - 1)) {
                    try walk(folder, date: DatePath(year: year, month: month), window: window, into: &found)
                }
            } else if let year = Self.number(name, hive: "year", digits: 4), (1970...9999).contains(year) {
                guard let first = Self.day(year, 1, 1), let last = Self.day(year, 12, 31) else { continue }
                if window.overlaps(first, last) {
                    try walk(folder, date: DatePath(year: year), window: window, into: &found)
                }
            } else {
                // Accounts, regions, services, organisation ids: every branch may hold dates.
                try walk(folder, date: DatePath(), window: window, into: &found)
            }
        }
    }

    /// `2024` or `year=2024` (with `hive` the Hive name), when the folder is such a number.
    static func number(_ name: Substring, hive: String, digits: Int) -> Int? {
        var text = name
        if text.hasPrefix(hive + "=") { text = text.dropFirst(hive.count + 1) }
        guard text.count == digits, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    static func day(_ year: Int, _ month: Int, _ day: Int) -> PartitionDay? {
        PartitionDay(String(format: "%04d-%02d-%02d", year, month, day))
    }

    /// The folder's own name: `a/b/2024/` gives `2024`.
    static func lastComponent(_ folder: String) -> Substring {
        let trimmed = folder.hasSuffix("/") ? folder.dropLast() : Substring(folder)
        return trimmed.split(separator: "/", omittingEmptySubsequences: false).last ?? trimmed
    }
}
