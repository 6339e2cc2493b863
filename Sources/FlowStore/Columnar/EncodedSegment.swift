import FlowModel

/// One segment, encoded on a reading thread and on its way to the lane that writes its day:
/// the rows of one file and one day, one blob per column, with the zone maps.
///
/// Plainly `Sendable`: only values, built once.
package struct EncodedSegment: Sendable {
    /// The file the rows came from (its catalog id).
    package let fileID: Int64
    /// The table the rows belong to (their layout's, `FlowLayout.table`).
    package let table: FlowTable
    /// The UTC day of the rows' `start`.
    package let day: PartitionDay
    /// Records in the segment.
    package let rows: Int
    /// Records whose layout has no `start` (placed by `end` or the delivery date); their
    /// times still count in the start range, which is then no proof about `start` itself.
    package var rowsWithoutStart: Int = 0
    /// Time ranges (for the catalog and for pruning).
    package var minStart: Int64, maxStart: Int64
    package var minEnd: Int64?, maxEnd: Int64?
    /// Its columns, in layout order (then account and region from the S3 key).
    package var columns: [EncodedColumn]
    /// The partition the segment is written to.
    package var partition: PartitionKey { PartitionKey(table: table, day: day) }
    /// Bytes of all blobs (for the budget of what is in flight).
    package var byteCount: Int { columns.reduce(0) { $0 + $1.blob.count } }

    /// A segment of `rows` records of one file and one day.
    package init(fileID: Int64, table: FlowTable, day: PartitionDay, rows: Int, rowsWithoutStart: Int = 0,
                 minStart: Int64, maxStart: Int64, minEnd: Int64?, maxEnd: Int64?, columns: [EncodedColumn]) {
        self.fileID = fileID
        self.table = table
        self.day = day
        self.rows = rows
        self.rowsWithoutStart = rowsWithoutStart
        self.minStart = minStart
        self.maxStart = maxStart
        self.minEnd = minEnd
        self.maxEnd = maxEnd
        self.columns = columns
    }
}

/// One column of an encoded segment.
package struct EncodedColumn: Sendable {
    /// The column name (`srcaddr`, `log_status`, a newer field's name, `extra_fields`).
    package let name: String
    /// How its integers are to be read.
    package let kind: PartitionSchema.Kind
    /// `IntegerColumnCodec` bytes, then for an address column its IPv6 table (u32 count, 16
    /// bytes each). A text column's word-to-`dict` mapping is appended by the writer.
    package var blob: [UInt8]
    /// The zone map: smallest and largest stored integer (nil for text and all-NULL columns).
    package var minimum: Int64?
    package var maximum: Int64?
    package var nullCount: Int
    /// For text: the words, by code; the writer maps each to the partition's `dict` id.
    package var words: [String]

    /// A column of an encoded segment.
    package init(name: String, kind: PartitionSchema.Kind, blob: [UInt8], minimum: Int64?, maximum: Int64?, nullCount: Int, words: [String]) {
        self.name = name
        self.kind = kind
        self.blob = blob
        self.minimum = minimum
        self.maximum = maximum
        self.nullCount = nullCount
        self.words = words
    }
}
