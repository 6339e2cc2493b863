import FlowModel
import FlowStore

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

/// One key of an ORDER BY, bound (over rows for plain queries, over groups for aggregates).
struct SortKey: Sendable {
    var expression: Bound
    var ascending: Bool
    var nullsFirst: Bool
}

/// A range a stored column must overlap for a segment to hold matching rows: the zone-map test.
struct ZonePredicate: Sendable {
    var column: String
    var lower: Int64?
    var upper: Int64?
    /// For an IN list: the values, sorted (a zone must hold one of them).
    var points: [Int64]? = nil
    /// For address ranges from a CIDR test: only segments without IPv6 can be judged (an
    /// IPv4-mapped IPv6 address may match an IPv4 block).
    var ipv4Only = false
    /// The condition it came from, for `explain`.
    var text: String
}

/// What a query computes after the scan.
enum QueryShape: Sendable {
    /// Rows: one output per selected row, optionally ordered, up to a limit.
    case rows(outputs: [Bound], order: [SortKey], limit: Int64?)
    /// Groups: keys and aggregates per group, then outputs, HAVING, ORDER BY and LIMIT over groups.
    case aggregate(AggregatePlan)
}

/// The aggregation part of a plan.
struct AggregatePlan: Sendable {
    /// GROUP BY keys, bound over rows.
    var keys: [Bound]
    var keyTexts: [String]
    /// Aggregates, with arguments bound over rows.
    var aggregates: [AggregateSpec]
    /// The select list, bound over groups.
    var outputs: [Bound]
    var having: Bound?
    var order: [SortKey]
    var limit: Int64?
    /// `SELECT DISTINCT` over aggregate results: duplicates of whole output rows are dropped.
    var distinctOutputs: Bool
}

/// Everything needed to run a query, and to show a person how it will run.
public struct QueryPlan: Sendable {
    /// The table the query reads.
    public var table: FlowTable
    /// The result columns.
    public var columns: [ResultColumn]
    /// Every partition of the store, kept or skipped, oldest first.
    public var partitions: [PartitionChoice]
    /// WHERE, split at its top-level ANDs, bound over rows.
    var filter: [Bound]
    /// The texts of the conjuncts, for `explain`.
    var filterTexts: [String]
    /// Zone-map tests that skip segments.
    var zonePredicates: [ZonePredicate]
    /// What is computed from the rows that pass.
    var shape: QueryShape
    /// Stored columns the query reads.
    var neededColumns: [String]
    /// The visibility rule: segments of files up to this id, less the unfinished ones.
    var fileWatermark: Int64
    var unfinishedFileIDs: Set<Int64>
    /// The readers' lease of the snapshot planned with: no partition of the plan is deleted
    /// while the plan lives.
    public var lease: StoreReadLease?
    /// The inventory tables joined to the flow rows, in order (nil: no join).
    var join: JoinPlan? = nil

    /// The partitions the query reads, oldest first.
    public var keptPartitions: [PartitionInfo] { partitions.filter(\.kept).map(\.partition) }
}
