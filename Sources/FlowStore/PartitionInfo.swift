import FlowModel

/// What the catalog knows of one day partition: enough to prune it without opening it.
public struct PartitionInfo: Sendable, Hashable {
    /// The table it belongs to.
    public var table: FlowTable
    /// The UTC day.
    public var day: PartitionDay
    /// Records stored.
    public var rowCount: Int64
    /// Files that put records in it.
    public var fileCount: Int64
    /// Smallest and largest `start`, Unix seconds.
    public var startRange: ClosedRange<Int64>
    /// Smallest and largest `end`, Unix seconds (nil when every `end` is `-`).
    public var endRange: ClosedRange<Int64>?
    /// The columns its segments have (fields seen in its files).
    public var columns: [String]
    /// Bytes on disk (database file), when known.
    public var sizeOnDisk: Int64
    /// Records of layouts without `start`, placed by their `end` or the file's delivery date:
    /// their `start` is NULL, so `startRange` proves nothing for every row while this is not 0.
    public var rowsWithoutStart: Int64

    /// The partition this describes.
    public var key: PartitionKey { PartitionKey(table: table, day: day) }

    /// Creates a description.
    public init(table: FlowTable = .vpc, day: PartitionDay, rowCount: Int64, fileCount: Int64, startRange: ClosedRange<Int64>,
                endRange: ClosedRange<Int64>?, columns: [String], sizeOnDisk: Int64 = 0, rowsWithoutStart: Int64 = 0) {
        self.table = table
        self.day = day
        self.rowCount = rowCount
        self.fileCount = fileCount
        self.startRange = startRange
        self.endRange = endRange
        self.columns = columns
        self.sizeOnDisk = sizeOnDisk
        self.rowsWithoutStart = rowsWithoutStart
    }
}

/// The part of the store a query may see, read from the catalog in one transaction.
public struct StoreSnapshot: Sendable {
    /// Partitions holding committed records: by table (VPC first), each oldest first.
    public var partitions: [PartitionInfo]
    /// Highest id of a fully stored file: rows of later files are not visible yet.
    public var fileWatermark: Int64
    /// Ids of files below the watermark whose ingest did not finish (rows to hide).
    public var unfinishedFileIDs: [Int64]
    /// Every column name any partition has beyond its table's fields (fields newer than
    /// flowq, or a field of the other kind of flow log that a custom format named).
    public var extraColumns: [String]
    /// The readers' lock taken before the catalog was read: while it lives, no partition of
    /// this snapshot is deleted. Keep the snapshot (or a plan made from it) until done.
    public var lease: StoreReadLease?

    /// Creates a snapshot.
    public init(partitions: [PartitionInfo], fileWatermark: Int64, unfinishedFileIDs: [Int64], extraColumns: [String], lease: StoreReadLease? = nil) {
        self.partitions = partitions
        self.fileWatermark = fileWatermark
        self.unfinishedFileIDs = unfinishedFileIDs
        self.extraColumns = extraColumns
        self.lease = lease
    }

    /// The part of the snapshot one table's queries see: its partitions, and the columns they
    /// have beyond the table's fields.
    public func restricted(to table: FlowTable) -> StoreSnapshot {
        let partitions = partitions.filter { $0.table == table }
        return StoreSnapshot(partitions: partitions, fileWatermark: fileWatermark, unfinishedFileIDs: unfinishedFileIDs,
                             extraColumns: Self.extraColumns(of: partitions, table: table), lease: lease)
    }

    /// The columns of `partitions` that are not among `table`'s fields, sorted.
    public static func extraColumns(of partitions: [PartitionInfo], table: FlowTable) -> [String] {
        let known = Set(table.fields.map(\.columnName))
        var extra = Set<String>()
        for partition in partitions { extra.formUnion(partition.columns.filter { !known.contains($0) }) }
        return extra.sorted()
    }
}
