import FlowModel

/// How every flow-log field is stored in a day partition, and so how it is decoded: the one
/// owner of the storage encoding. The record parser (what a valid value is), the segment
/// builder and writer (how it is laid out), the planner (how a literal compares with it) and
/// `check` ask this type; none of them knows an encoding of its own.
///
/// Every column of a segment is a run of 64-bit integers (`IntegerColumnCodec`); what the
/// integers mean depends on the column's kind:
///
/// | kind      | the integer is                                                              |
/// |-----------|-----------------------------------------------------------------------------|
/// | `integer` | the number                                                                  |
/// | `time`    | Unix seconds                                                                |
/// | `address` | an IPv4 address as its 32-bit value; an IPv6 address as 2^32 + its index in the segment's own IPv6 table |
/// | `text`    | an index into the segment's own word list, which maps each to the partition's `dict` id |
///
/// Words with a fixed vocabulary (`action`, `log-status`, `flow-direction`, `type`) are text
/// with a word list of two or three entries: one or two bits a record.
public enum PartitionSchema {
    /// What the integers of a stored column mean.
    public enum Kind: UInt8, Sendable, Hashable {
        case integer = 1, time = 2, address = 3, text = 4
    }

    /// The storage kind of a known field.
    public static func kind(of field: FlowField) -> Kind {
        switch field.storage {
        case .integer: return .integer
        case .timestamp: return .time
        case .address: return .address
        case .code, .text, .dictionary: return .text
        }
    }

    /// The storage kind of a header slot (fields flowq does not know are text).
    public static func kind(of slot: FlowLayout.Slot) -> Kind {
        if case .known(let field) = slot { return kind(of: field) }
        return .text
    }

    /// The column id of a known field: fixed, its position among the known fields plus one.
    /// Other columns (fields newer than flowq, `extra_fields`) get ids from 256 up, per
    /// partition, in its `columns` table.
    public static func columnID(of field: FlowField) -> Int {
        (FlowField.allCases.firstIndex(of: field) ?? 0) + 1
    }

    /// The first id for columns that are not known fields.
    public static let firstOtherColumnID = 256
    /// Column ids take the low bits of a blob's rowid: `segment << blobIDShift | column`.
    public static let blobIDShift = 12

    /// The rowid of a segment's column in the `blobs` table.
    public static func blobID(segment: Int64, column: Int) -> Int64 {
        segment << Int64(blobIDShift) | Int64(column)
    }

    /// The largest segment: rows of one file and one day, encoded together.
    public static let maximumSegmentRows = 65_536

    /// The format of partition databases written now (`PRAGMA user_version`).
    public static let version = 4

    /// The tables of a partition, created in one transaction.
    static let createTables = """
        CREATE TABLE IF NOT EXISTS dict(id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS columns(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS segments(
            id INTEGER PRIMARY KEY,
            file_id INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            min_start INTEGER NOT NULL, max_start INTEGER NOT NULL,
            min_end INTEGER, max_end INTEGER);
        CREATE INDEX IF NOT EXISTS segments_by_file ON segments(file_id);
        CREATE TABLE IF NOT EXISTS zones(
            segment_id INTEGER NOT NULL,
            column_id INTEGER NOT NULL,
            min INTEGER, max INTEGER,
            nulls INTEGER NOT NULL,
            PRIMARY KEY (segment_id, column_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS blobs(id INTEGER PRIMARY KEY, data BLOB NOT NULL);
        """
}
