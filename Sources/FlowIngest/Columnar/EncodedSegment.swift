import FlowModel

/// One segment, encoded on a reading thread and on its way to the lane that writes its day:
/// the rows of one file and one day, one blob per column, with the zone maps.
///
/// Plainly `Sendable`: only values, built once.
struct EncodedSegment: Sendable {
    /// The file the rows came from (its catalog id).
    let fileID: Int64
    /// The table the rows belong to (their layout's, `FlowLayout.table`).
    let table: FlowTable
    /// The UTC day of the rows' `start`.
    let day: PartitionDay
    /// Records in the segment.
    let rows: Int
    /// Records whose layout has no `start` (placed by `end` or the delivery date); their
    /// times still count in the start range, which is then no proof about `start` itself.
    var rowsWithoutStart: Int = 0
    /// Time ranges (for the catalog and for pruning).
    var minStart: Int64, maxStart: Int64
    var minEnd: Int64?, maxEnd: Int64?
    /// Its columns, in layout order (then account and region from the S3 key).
    var columns: [EncodedColumn]
    /// The partition the segment is written to.
    var partition: PartitionKey { PartitionKey(table: table, day: day) }
    /// Bytes of all blobs (for the budget of what is in flight).
    var byteCount: Int { columns.reduce(0) { $0 + $1.blob.count } }
}

/// One column of an encoded segment.
struct EncodedColumn: Sendable {
    /// The column name (`srcaddr`, `log_status`, a newer field's name, `extra_fields`).
    let name: String
    /// How its integers are to be read.
    let kind: PartitionSchema.Kind
    /// `IntegerColumnCodec` bytes, then for an address column its IPv6 table (u32 count, 16
    /// bytes each). A text column's word-to-`dict` mapping is appended by the writer.
    var blob: [UInt8]
    /// The zone map: smallest and largest stored integer (nil for text and all-NULL columns).
    var minimum: Int64?
    var maximum: Int64?
    var nullCount: Int
    /// For text: the words, by code; the writer maps each to the partition's `dict` id.
    var words: [String]
}
