import FlowModel

/// One partition of the store: a table's UTC day. Each has a database of its own (its path is
/// `FlowStore.partitionPath(for:)`) and a row in the catalog's `partitions`.
public struct PartitionKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The table whose records it holds.
    public var table: FlowTable
    /// The UTC day of their `start` (else `end`, else delivery).
    public var day: PartitionDay

    /// The partition of `table` for `day`.
    public init(table: FlowTable, day: PartitionDay) {
        self.table = table
        self.day = day
    }

    /// Table first, then day: VPC days oldest first, then Transit Gateway days.
    public static func < (lhs: PartitionKey, rhs: PartitionKey) -> Bool {
        lhs.table != rhs.table ? lhs.table < rhs.table : lhs.day < rhs.day
    }

    /// `2024-01-05` for VPC days (as messages always named them), `tgw_flow_logs 2024-01-05` else.
    public var description: String {
        table == .vpc ? day.isoText : "\(table.name) \(day.isoText)"
    }
}
