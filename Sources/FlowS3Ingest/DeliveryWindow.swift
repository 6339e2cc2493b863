import FlowModel

/// The delivery days an S3 ingest reads: `--since 7d`, `--from DATE --to DATE`, or, for a
/// cron run with neither, the days since the prefix was last listed through.
public struct DeliveryWindow: Sendable, Equatable {
    /// The first day, inclusive.
    public var from: PartitionDay
    /// The last day, inclusive.
    public var to: PartitionDay

    /// A window of whole UTC days.
    public init(from: PartitionDay, to: PartitionDay) {
        self.from = from
        self.to = to
    }

    /// The days that hold the last `seconds` before `now` (Unix seconds).
    public init(last seconds: Int64, now: Int64) {
        from = PartitionDay(unixSeconds: now - seconds)
        to = PartitionDay(unixSeconds: now)
    }

    /// True when `day` lies in the window.
    public func contains(_ day: PartitionDay) -> Bool { day >= from && day <= to }

    /// True when some day from `first` to `last` lies in the window.
    func overlaps(_ first: PartitionDay, _ last: PartitionDay) -> Bool { last >= from && first <= to }
}
