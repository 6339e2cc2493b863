import FlowIngest

/// A result column: its name and Trino type.
public struct ResultColumn: Sendable, Equatable {
    /// The column's name (the alias, the column name, or `_colN` as Trino names it).
    public var name: String
    /// Its type, which decides how it is printed.
    public var type: SQLType
    /// True for quantities (counts, sums, bytes, packets) that read better with thousands
    /// separators in a table; false for numbers that are names (ports, times, versions).
    public var isQuantity: Bool = false

    /// Creates a result column.
    public init(name: String, type: SQLType, isQuantity: Bool = false) {
        self.name = name
        self.type = type
        self.isQuantity = isQuantity
    }
}

/// Why a partition is or is not read.
public struct PartitionChoice: Sendable {
    /// The partition.
    public var partition: PartitionInfo
    /// True when the query reads it.
    public var kept: Bool
    /// For a skipped partition, the condition that excludes it.
    public var reason: String?
}

/// The statement one partition runs.
public struct PartitionQuery: Sendable {
    /// The partition's day.
    public var day: PartitionDay
    /// SQLite SQL over that partition's `flows` table.
    public var sql: String
    /// Values for its numbered parameters.
    public var bindings: [SQLiteValue]
    /// 1-based numbers of the parameters that hold the partition's own day.
    public var dayParameters: Set<Int> = []
}

/// How partition results become the answer.
public enum MergeStep: Sendable {
    /// Rows are the answer as they come, partition after partition (oldest day first), until the limit.
    case stream(limit: Int64?)
    /// Rows go into a table `partials` with `columns` columns; `sql` over it gives the answer.
    case merge(columns: [String], sql: String, bindings: [SQLiteValue])
}

/// Everything needed to run a query, and to show a person how it will run.
public struct QueryPlan: Sendable {
    /// The result columns.
    public var columns: [ResultColumn]
    /// Every partition of the store, kept or skipped, oldest first.
    public var partitions: [PartitionChoice]
    /// The statements for the kept partitions, oldest first.
    public var partitionQueries: [PartitionQuery]
    /// How partition results are combined.
    public var merge: MergeStep
    /// The readers' lease of the snapshot planned with: no partition of the plan is deleted
    /// while the plan lives.
    public var lease: StoreReadLease?
}
