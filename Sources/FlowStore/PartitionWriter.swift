import FlowModel
import FlowSQLite
import Foundation
import Synchronization

/// Writes segments into one day partition (of one table): one connection, a transaction that spans several
/// files (a commit group), a few prepared statements reused for every segment.
///
/// A segment holds rows of one file only, so a file that ends up not stored is removed by
/// deleting its segments (`deleteSegments(ofFile:)`), and until the catalog marks a file stored,
/// queries skip its segments. The layout of a partition is in `docs/storage-format.md`;
/// `PartitionSchema` owns what the integers of each column mean.
package final class PartitionWriter {
    package let partition: PartitionKey
    private let database: Database
    private let dictionary: PartitionDictionary
    /// Column ids by name, as the partition's `columns` table holds them.
    private var columnIDs: [String: Int] = [:]
    private var nextOtherColumnID = PartitionSchema.firstOtherColumnID
    private let insertSegment: Statement
    private let insertZone: Statement
    private let insertBlob: Statement
    private let insertColumn: Statement

    package init(store: FlowStore, partition: PartitionKey) throws(SQLiteError) {
        self.partition = partition
        database = try Database(path: store.partitionPath(for: partition), mode: .create)
        try database.execute("""
            PRAGMA page_size=16384;
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA cache_size=-2000;
            """)
        // A test hook: a page limit makes SQLite fail with SQLITE_FULL as a full disk would,
        // so the disk-full path is tested on every run, not only where a test may mount a tmpfs.
        if let pages = ProcessInfo.processInfo.environment["FLOWQ_TEST_MAX_PAGE_COUNT"].flatMap(Int.init), pages > 0 {
            try database.execute("PRAGMA max_page_count = \(pages)")
        }
        if try database.scalar("PRAGMA user_version")?.integerValue == 0 {
            // One transaction: a kill leaves a partition with all its tables or none.
            try database.execute("BEGIN IMMEDIATE; \(PartitionSchema.createTables) PRAGMA user_version = \(PartitionSchema.version); COMMIT;")
        }
        for row in try database.rows("SELECT id, name FROM columns") {
            guard let id = row[0].integerValue, let name = row[1].textValue else { continue }
            columnIDs[name] = Int(id)
            nextOtherColumnID = max(nextOtherColumnID, Int(id) + 1)
        }
        dictionary = try PartitionDictionary(database: database)
        insertSegment = try database.prepare("INSERT INTO segments(file_id, rows, min_start, max_start, min_end, max_end) VALUES (?, ?, ?, ?, ?, ?)")
        insertZone = try database.prepare("INSERT INTO zones(segment_id, column_id, min, max, nulls) VALUES (?, ?, ?, ?, ?)")
        insertBlob = try database.prepare("INSERT INTO blobs(id, data) VALUES (?, ?)")
        insertColumn = try database.prepare("INSERT INTO columns(id, name, kind) VALUES (?, ?, ?)")
    }

    /// Every column the partition has (from this run's segments and earlier ones), by id.
    package var columnNames: [String] {
        columnIDs.sorted { $0.value < $1.value }.map(\.key)
    }

    /// Opens the group's transaction on first use.
    package func beginIfNeeded() throws(SQLiteError) {
        if !database.isInTransaction { try database.execute("BEGIN IMMEDIATE") }
    }

    /// Writes one segment: its row, a zone and a blob per column; text columns get their words
    /// mapped to the partition's dictionary ids. Returns the columns it has.
    @discardableResult
    package func write(_ segment: EncodedSegment) throws(SQLiteError) -> [String] {
        try beginIfNeeded()
        insertSegment.bind(segment.fileID, at: 1)
        insertSegment.bind(Int64(segment.rows), at: 2)
        insertSegment.bind(segment.minStart, at: 3)
        insertSegment.bind(segment.maxStart, at: 4)
        if let minEnd = segment.minEnd { insertSegment.bind(minEnd, at: 5) } else { insertSegment.bindNull(at: 5) }
        if let maxEnd = segment.maxEnd { insertSegment.bind(maxEnd, at: 6) } else { insertSegment.bindNull(at: 6) }
        try insertSegment.step()
        insertSegment.reset()
        let segmentID = database.lastInsertRowID
        for column in segment.columns {
            let columnID = try id(ofColumn: column.name, kind: column.kind)
            var blob = column.blob
            if column.kind == .text {
                var writer = Writer(bytes: blob)
                writer.append(UInt32(column.words.count))
                for word in column.words { writer.append(try dictionary.id(for: word)) }
                blob = writer.bytes
            }
            insertZone.bind(segmentID, at: 1)
            insertZone.bind(Int64(columnID), at: 2)
            if let minimum = column.minimum { insertZone.bind(minimum, at: 3) } else { insertZone.bindNull(at: 3) }
            if let maximum = column.maximum { insertZone.bind(maximum, at: 4) } else { insertZone.bindNull(at: 4) }
            insertZone.bind(Int64(column.nullCount), at: 5)
            try insertZone.step()
            insertZone.reset()
            insertBlob.bind(PartitionSchema.blobID(segment: segmentID, column: columnID), at: 1)
            blob.withUnsafeBytes { insertBlob.bindBlob($0, at: 2) }
            try insertBlob.step()
            insertBlob.reset()
            SegmentWriteStall.pointReached()
        }
        return segment.columns.map(\.name)
    }

    /// The id of a column, adding it to the partition's `columns` table when new.
    private func id(ofColumn name: String, kind: PartitionSchema.Kind) throws(SQLiteError) -> Int {
        if let known = columnIDs[name] { return known }
        let id: Int
        if let field = FlowField(columnName: name), field.columnName == name {
            id = PartitionSchema.columnID(of: field)
        } else {
            id = nextOtherColumnID
            nextOtherColumnID += 1
        }
        insertColumn.bind(Int64(id), at: 1)
        insertColumn.bind(name, at: 2)
        insertColumn.bind(Int64(kind.rawValue), at: 3)
        try insertColumn.step()
        insertColumn.reset()
        columnIDs[name] = id
        return id
    }

    /// Makes the group's segments durable.
    package func commit() throws(SQLiteError) {
        guard database.isInTransaction else { return }
        try database.execute("COMMIT")
    }

    /// Deletes every segment a file put here (a file not stored after all, or the recovery of
    /// a killed ingest); returns how many.
    @discardableResult
    package func deleteSegments(ofFile fileID: Int64) throws(SQLiteError) -> Int {
        try beginIfNeeded()
        let ids = try database.rows("SELECT id FROM segments WHERE file_id = ?", [.integer(fileID)]).compactMap { $0[0].integerValue }
        for id in ids {
            try database.run("DELETE FROM blobs WHERE id >= ? AND id < ?",
                             [.integer(PartitionSchema.blobID(segment: id, column: 0)), .integer(PartitionSchema.blobID(segment: id + 1, column: 0))])
            try database.run("DELETE FROM zones WHERE segment_id = ?", [.integer(id)])
        }
        try database.run("DELETE FROM segments WHERE file_id = ?", [.integer(fileID)])
        return ids.count
    }
}

@available(*, unavailable)
extension PartitionWriter: Sendable {}

/// A test hook for kill -9 in the middle of a segment: with `FLOWQ_TEST_STALL_AFTER_BLOBS=N`
/// and `FLOWQ_TEST_STALL_MARKER=path`, the process writes the marker and stops for good once
/// it has inserted N column blobs, inside an open transaction with a segment half written.
enum SegmentWriteStall {
    private static let limit: Int? = ProcessInfo.processInfo.environment["FLOWQ_TEST_STALL_AFTER_BLOBS"].flatMap(Int.init)
    private static let written = Atomic<Int>(0)

    static func pointReached() {
        guard let limit else { return }
        let count = written.add(1, ordering: .relaxed).newValue
        guard count >= limit else { return }
        if let marker = ProcessInfo.processInfo.environment["FLOWQ_TEST_STALL_MARKER"] {
            FileManager.default.createFile(atPath: marker, contents: Data("\(count)\n".utf8))
        }
        while true { sleep(60) }
    }
}
