import FlowModel

/// Reading timestamp text as Unix seconds (UTC).
package enum Timestamps {
    /// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` or the same with `T` and a trailing `Z`.
    package static func parse(_ text: String) -> Double? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("Z") || text.hasSuffix("z") { text.removeLast() }
        if text.hasSuffix(" UTC") { text.removeLast(4) }
        let datePart = String(text.prefix(10))
        guard let day = PartitionDay(datePart) else { return nil }
        var seconds = Double(day.startSeconds)
        let rest = text.dropFirst(10)
        if rest.isEmpty { return seconds }
        guard let separator = rest.first, separator == " " || separator == "T" else { return nil }
        let parts = rest.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              let hour = Int(parts[0]), (0..<24).contains(hour),
              let minute = Int(parts[1]), (0..<60).contains(minute) else { return nil }
        seconds += Double(hour * 3600 + minute * 60)
        if parts.count == 3 {
            guard let second = Double(parts[2]), second >= 0, second < 61 else { return nil }
            seconds += second
        }
        return seconds
    }
}

extension String {
    /// The string without leading and trailing characters in `set`.
    func trimmingCharacters(in set: TrimSet) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}

/// Characters to trim (spaces and tabs), without pulling Foundation into every file.
struct TrimSet {
    let characters: Set<Character>
    static let whitespaces = TrimSet(characters: [" ", "\t"])
    func contains(_ c: Character) -> Bool { characters.contains(c) }
}
