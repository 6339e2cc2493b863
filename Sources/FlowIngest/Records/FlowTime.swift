/// The times flowq accepts in `start` and `end`, and how raw values become Unix seconds.
///
/// AWS writes Unix seconds; some exports and converters write milliseconds or microseconds.
/// The three are told apart by size, which is unambiguous for flows after 1973:
///
/// | raw value            | read as       | covers                  |
/// |----------------------|---------------|-------------------------|
/// | below 10^11          | seconds       | 1970 to 5138            |
/// | 10^11 to below 10^14 | milliseconds  | 1973 to 5138            |
/// | 10^14 to below 10^17 | microseconds  | 1973 to 5138            |
/// | 10^17 and above      | malformed     | (nanoseconds of 1973-2001, or nothing real) |
///
/// So every stored time lies in 1970-01-01 ... 5138-11-16, and every day number fits the
/// partition's 32-bit day.
public enum FlowTime {
    /// Values at or above this are not seconds.
    public static let millisecondsFrom: Int64 = 100_000_000_000
    /// Values at or above this are not milliseconds.
    public static let microsecondsFrom: Int64 = 100_000_000_000_000
    /// Values at or above this are rejected.
    public static let rejectedFrom: Int64 = 100_000_000_000_000_000
    /// The last year a stored time can fall in.
    public static let lastYear = 5138

    /// Unix seconds for a raw `start`/`end` value, or nil when it is out of range.
    @inline(__always)
    public static func seconds(fromRaw value: Int64) -> Int64? {
        if value < millisecondsFrom { return value >= 0 ? value : nil }
        if value < microsecondsFrom { return value / 1000 }
        if value < rejectedFrom { return value / 1_000_000 }
        return nil
    }
}
