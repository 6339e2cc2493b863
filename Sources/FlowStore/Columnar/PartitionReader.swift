import FlowSQLite
import Foundation

/// Reads one day partition for queries: its visible segments with their zone maps, each
/// column's encoded bytes, and the words of its dictionary. Opened read-only.
package final class PartitionReader {
    /// The connection (for interrupting a query).
    package let database: Database
    /// Columns the partition has, by name: their id and kind.
    package let columns: [String: (id: Int, kind: PartitionSchema.Kind)]
    private let blob: Statement
    private let word: Statement

    /// A segment a query may read.
    package struct Segment: Sendable {
        package let id: Int64
        package let fileID: Int64
        package let rows: Int
        /// Zone maps by column id (a column the segment lacks has none).
        package var zones: [Int: Zone]
    }

    /// What a column's zone map says: the smallest and largest stored integer, and NULLs.
    package struct Zone: Sendable {
        package let minimum: Int64?
        package let maximum: Int64?
        package let nulls: Int
    }

    /// Opens the partition at `path` read-only.
    package init(path: String) throws(SQLiteError) {
        database = try Database(path: path, mode: .readOnly)
        // Column blobs span many overflow pages; read through a memory map they cost no system
        // call a page (a quarter of a scan's time with pread). Safe here because nothing ever
        // shrinks a partition file under a reader: no VACUUM, and WAL mode writes the WAL, not
        // the file (a pruned day is unlinked, which leaves the mapping valid).
        try database.execute("PRAGMA query_only = ON; PRAGMA cache_size = -16000; PRAGMA mmap_size = 4294967296;")
        var found: [String: (id: Int, kind: PartitionSchema.Kind)] = [:]
        for row in try database.rows("SELECT id, name, kind FROM columns") {
            guard let id = row[0].integerValue, let name = row[1].textValue, let kind = row[2].integerValue.flatMap({ PartitionSchema.Kind(rawValue: UInt8($0)) }) else { continue }
            found[name] = (Int(id), kind)
        }
        columns = found
        blob = try database.prepare("SELECT data FROM blobs WHERE id = ?")
        word = try database.prepare("SELECT value FROM dict WHERE id = ?")
    }

    /// The segments of stored files: file ids at most `watermark` and not `unfinished`, in
    /// the order they were written, with the zone maps of `columnIDs` (all when nil).
    package func segments(watermark: Int64, unfinished: Set<Int64>) throws(SQLiteError) -> [Segment] {
        var segments: [Segment] = []
        var index: [Int64: Int] = [:]
        for row in try database.rows("SELECT id, file_id, rows FROM segments WHERE file_id <= ? ORDER BY id", [.integer(watermark)]) {
            guard let id = row[0].integerValue, let fileID = row[1].integerValue, let rows = row[2].integerValue,
                  !unfinished.contains(fileID) else { continue }
            index[id] = segments.count
            segments.append(Segment(id: id, fileID: fileID, rows: Int(rows), zones: [:]))
        }
        guard !segments.isEmpty else { return [] }
        let zones = try database.prepare("SELECT segment_id, column_id, min, max, nulls FROM zones")
        while try zones.step() {
            guard let position = index[zones.int64(at: 0)] else { continue }
            let zone = Zone(minimum: zones.isNull(at: 2) ? nil : zones.int64(at: 2), maximum: zones.isNull(at: 3) ? nil : zones.int64(at: 3),
                            nulls: Int(zones.int64(at: 4)))
            segments[position].zones[Int(zones.int64(at: 1))] = zone
        }
        return segments
    }

    /// Calls `body` with the encoded bytes of a segment's column (valid only during the call);
    /// nil when the segment has no such column.
    package func withColumn<T>(segment: Int64, column: Int, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T? {
        try blob.bind([.integer(PartitionSchema.blobID(segment: segment, column: column))])
        defer { blob.reset() }
        guard try blob.step() else { return nil }
        return try body(blob.bytes(at: 0))
    }

    /// The dictionary's word for `id`.
    package func word(_ id: Int64) throws(SQLiteError) -> String? {
        try word.bind([.integer(id)])
        defer { word.reset() }
        guard try word.step() else { return nil }
        return word.value(at: 0).textValue
    }
}

@available(*, unavailable)
extension PartitionReader: Sendable {}
