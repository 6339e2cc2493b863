extension S3Key {
    /// When the path says its file was delivered, in Unix seconds: the file name's
    /// `_YYYYMMDDTHHmmZ_` window when it has one, else the start of the hour or day its folders
    /// name (`YYYY/MM/DD[/HH]` or Hive's `year=YYYY/month=MM/day=DD[/hour=HH]`).
    ///
    /// Records of formats with neither `start` nor `end` are placed by it, as Athena partitions
    /// such tables by the key's date.
    public static func deliveryTime(of path: String) -> Int64? {
        let components = path.split(separator: "/")
        if let name = components.last, let time = fileNameTime(name) { return time }
        // Hive folders carry their names; the value is what follows '='.
        let parts = components.map { part -> Substring in
            guard let equals = part.firstIndex(of: "=") else { return part }
            return part[part.index(after: equals)...]
        }
        guard parts.count >= 3 else { return nil }
        for start in 0...(parts.count - 3) {
            let (y, m, d) = (parts[start], parts[start + 1], parts[start + 2])
            guard y.count == 4, m.count == 2, d.count == 2, let day = PartitionDay("\(y)-\(m)-\(d)"),
                  [y, m, d].allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else { continue }
            var seconds = Int64(day.dayNumber) * 86_400
            // An hourly layout's next folder is the hour (not the file, which has a name).
            if start + 3 < parts.count - 1, let hour = Int64(parts[start + 3]), parts[start + 3].count == 2, (0..<24).contains(hour) {
                seconds += hour * 3_600
            }
            return seconds
        }
        return nil
    }

    /// The time in a delivered file's name: `..._20240105T1005Z_...` (UTC).
    private static func fileNameTime(_ name: Substring) -> Int64? {
        for part in name.split(separator: "_") where part.count == 14 {
            let bytes = Array(part.utf8)
            guard bytes[8] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: "Z") else { continue }
            let digits = bytes[0..<8] + bytes[9..<13]
            guard digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            let date = text.prefix(8)
            guard let day = PartitionDay("\(date.prefix(4))-\(date.dropFirst(4).prefix(2))-\(date.suffix(2))"),
                  let hour = Int64(text.dropFirst(9).prefix(2)), let minute = Int64(text.dropFirst(11).prefix(2)),
                  hour < 24, minute < 60 else { continue }
            return Int64(day.dayNumber) * 86_400 + hour * 3_600 + minute * 60
        }
        return nil
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
