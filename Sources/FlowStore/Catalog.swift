import FlowModel
import FlowSQLite
import Foundation

/// The store's catalog database: which files were ingested (and how it went) and which day
/// partitions of which table exist, with row counts and time ranges for pruning.
///
/// A file's row moves `pending` -> `stored` (or `rejected`; `ignored` rows, left by versions that
/// did not read Transit Gateway logs, are read again); a `pending` row left by
/// a killed ingest marks records to remove before the next ingest (see `Ingestor.recover`).
/// A `pruning` row marks a day whose partition is being deleted (see `Retention`).
public final class Catalog {
    let database: Database

    /// One stored file, as the catalog remembers it.
    public struct FileRecord: Sendable, Equatable {
        public var id: Int64
        public var path: String
        public var size: Int64
        /// Modification time in nanoseconds since 1970 (whole seconds miss a rewrite within a second).
        public var modified: Int64
        public var contentKey: String?
        public var state: String
        public var records: Int64
        public var skipped: Int64
        public var message: String?
        public var finishedAt: Int64?
        /// For a rejected file: true when the reason may pass without the file changing (an I/O
        /// error, `--strict`), so a re-run reads it again rather than trusting the rejection.
        public var transient: Bool = false
    }

    /// Rows a file added to one partition, with their time ranges.
    package struct PartitionDelta: Sendable {
        package var rows: Int64 = 0
        /// Rows of layouts without `start` (placed by `end` or the delivery date).
        package var rowsWithoutStart: Int64 = 0
        package var minStart = Int64.max, maxStart = Int64.min
        package var minEnd = Int64.max, maxEnd = Int64.min
        package var columns: [String] = []

        package init() {}

        /// Adds rows counted separately (a file's rows in one commit group, then the next).
        package mutating func merge(_ other: PartitionDelta) {
            rows += other.rows
            rowsWithoutStart += other.rowsWithoutStart
            minStart = min(minStart, other.minStart)
            maxStart = max(maxStart, other.maxStart)
            minEnd = min(minEnd, other.minEnd)
            maxEnd = max(maxEnd, other.maxEnd)
            if !other.columns.isEmpty { columns = other.columns }
        }
    }

    init(path: String, readOnly: Bool) throws(StoreError) {
        do {
            if !readOnly && !FileManager.default.fileExists(atPath: path) { try Self.create(at: path) }
            database = try Database(path: path, mode: readOnly ? .readOnly : .readWrite)
            if !readOnly {
                try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
                // A store made before catalogs were created whole gains what later versions added.
                try database.transaction { try Self.createSchema(on: database) }
            }
            let hasMeta = try database.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")?.integerValue ?? 0
            guard hasMeta > 0 else { throw StoreError.unfinishedStore(path: path) }
            let version = try database.scalar("SELECT value FROM meta WHERE key = 'format'")?.textValue
            guard version == String(FlowStore.formatVersion) else {
                throw StoreError.otherFormat(path: path, found: version)
            }
        } catch let error as StoreError {
            throw error
        } catch let error as SQLiteError {
            throw .sqlite(error)
        } catch {
            throw .notAStore("\(path): \(error.localizedDescription)")
        }
    }

    /// Makes a new catalog whole beside `path` and renames it into place, so that a kill at any
    /// moment leaves either no catalog or a complete one: never a half-made file, nor a hot
    /// rollback journal (switching a new file to WAL writes its header through one) that a
    /// read-only open such as `check` could not roll back. The caller holds the write lock.
    private static func create(at path: String) throws {
        let fresh = path + ".new"
        for leftover in [fresh, fresh + "-journal", fresh + "-wal", fresh + "-shm"] { unlink(leftover) }
        do {
            let database = try Database(path: fresh, mode: .create)
            try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
            try database.transaction { try createSchema(on: database) }
            // Closing the last connection checkpoints the WAL into the file and deletes it.
        }
        guard !FileManager.default.fileExists(atPath: fresh + "-wal") else {
            throw StoreError.io("cannot finish the new catalog \(fresh): its WAL was not checkpointed", errno: EIO)
        }
        guard rename(fresh, path) == 0 else { throw StoreError.io("cannot create \(path)", errno: errno) }
    }

    /// Creates the tables that are missing, in one transaction.
    private static func createSchema(on database: Database) throws(SQLiteError) {
        try database.execute("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT OR IGNORE INTO meta(key, value) VALUES ('format', '\(FlowStore.formatVersion)');
            CREATE TABLE IF NOT EXISTS files(
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                modified INTEGER NOT NULL,
                content_key TEXT,
                state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'rejected', 'ignored')),
                transient INTEGER NOT NULL DEFAULT 0,
                records INTEGER NOT NULL DEFAULT 0,
                skipped INTEGER NOT NULL DEFAULT 0,
                pruned INTEGER NOT NULL DEFAULT 0,
                layout TEXT,
                message TEXT,
                started_at INTEGER NOT NULL,
                finished_at INTEGER);
            CREATE INDEX IF NOT EXISTS files_by_path ON files(path);
            CREATE INDEX IF NOT EXISTS files_by_content ON files(content_key);
            \(Self.createPartitions(named: "partitions"))
            CREATE TABLE IF NOT EXISTS file_partitions(
                file_id INTEGER NOT NULL REFERENCES files(id),
                day TEXT NOT NULL,
                rows INTEGER NOT NULL,
                table_name TEXT NOT NULL DEFAULT '\(FlowTable.vpc.name)',
                PRIMARY KEY (file_id, day));
            CREATE TABLE IF NOT EXISTS pruning(
                day TEXT PRIMARY KEY,
                started_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS source_state(
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                updated_at INTEGER NOT NULL);
            """)
        // Catalogs written before formats without `start` were stored lack the count: add it
        // (every row they hold has a start).
        func hasColumn(_ column: String, in table: String) throws(SQLiteError) -> Bool {
            try Catalog.hasColumn(column, in: table, on: database)
        }
        if try !hasColumn("rows_without_start", in: "partitions") {
            try database.execute("ALTER TABLE partitions ADD COLUMN rows_without_start INTEGER NOT NULL DEFAULT 0")
        }
        // Catalogs written before Transit Gateway logs were stored hold VPC days only, keyed by
        // day alone. A table's day is the key now, which SQLite cannot change in place: the
        // table is copied into the new shape and renamed, in this same transaction, so a kill
        // leaves the old catalog or the new one.
        if try !hasColumn("table_name", in: "partitions") {
            try database.execute("""
                \(Self.createPartitions(named: "partitions_migrating"))
                INSERT INTO partitions_migrating(table_name, day, rows, files, min_start, max_start, min_end, max_end, columns, updated_at, rows_without_start)
                    SELECT '\(FlowTable.vpc.name)', day, rows, files, min_start, max_start, min_end, max_end, columns, updated_at, rows_without_start FROM partitions;
                DROP TABLE partitions;
                ALTER TABLE partitions_migrating RENAME TO partitions;
                """)
        }
        if try !hasColumn("table_name", in: "file_partitions") {
            try database.execute("ALTER TABLE file_partitions ADD COLUMN table_name TEXT NOT NULL DEFAULT '\(FlowTable.vpc.name)'")
        }
    }

    /// The partitions table: one row per table and day.
    private static func createPartitions(named name: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(name)(
            table_name TEXT NOT NULL DEFAULT '\(FlowTable.vpc.name)',
            day TEXT NOT NULL,
            rows INTEGER NOT NULL,
            files INTEGER NOT NULL,
            min_start INTEGER NOT NULL, max_start INTEGER NOT NULL,
            min_end INTEGER, max_end INTEGER,
            columns TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            rows_without_start INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (table_name, day));
        """
    }

    /// True when `table` has `column`: a catalog a writer has not yet migrated (see
    /// `createSchema`) lacks the newer ones, and a reader must still read it.
    func hasColumn(_ column: String, in table: String) throws(SQLiteError) -> Bool {
        try Self.hasColumn(column, in: table, on: database)
    }

    private static func hasColumn(_ column: String, in table: String, on database: Database) throws(SQLiteError) -> Bool {
        try database.rows("SELECT name FROM pragma_table_info(?)", [.text(table)]).contains { $0[0].textValue == column }
    }

    // MARK: Files

    /// The stored file at `path`, if any.
    public func storedFile(path: String) throws(SQLiteError) -> FileRecord? {
        try files(where: "path = ? AND state = 'stored'", [.text(path)]).first
    }

    /// The latest outcome at `path` that a re-run may trust without reading the file again when
    /// its size and time are unchanged: stored, or rejected for a reason in its content.
    ///
    /// `ignored` is not trusted: earlier versions ignored Transit Gateway logs, which are now
    /// stored in their own table, so such a file is read again (once) and stored.
    public func knownFile(path: String) throws(SQLiteError) -> FileRecord? {
        try files(where: "path = ? AND (state = 'stored' OR (state = 'rejected' AND transient = 0)) ORDER BY id DESC", [.text(path)]).first
    }

    /// A stored file with the same content, if any.
    public func storedFile(contentKey: String) throws(SQLiteError) -> FileRecord? {
        try files(where: "content_key = ? AND state = 'stored'", [.text(contentKey)]).first
    }

    /// Files whose ingest started and never finished.
    public func pendingFiles() throws(SQLiteError) -> [FileRecord] {
        try files(where: "state = 'pending'", [])
    }

    /// The most recent files, newest first.
    public func recentFiles(limit: Int) throws(SQLiteError) -> [FileRecord] {
        try files(where: "1 ORDER BY id DESC LIMIT \(max(0, limit))", [])
    }

    private func files(where condition: String, _ values: [SQLiteValue]) throws(SQLiteError) -> [FileRecord] {
        try database.rows("""
            SELECT id, path, size, modified, content_key, state, records, skipped, message, finished_at, transient
            FROM files WHERE \(condition)
            """, values).map { row in
            FileRecord(
                id: row[0].integerValue ?? 0, path: row[1].textValue ?? "", size: row[2].integerValue ?? 0,
                modified: row[3].integerValue ?? 0, contentKey: row[4].textValue, state: row[5].textValue ?? "",
                records: row[6].integerValue ?? 0, skipped: row[7].integerValue ?? 0, message: row[8].textValue,
                finishedAt: row[9].integerValue, transient: (row[10].integerValue ?? 0) != 0)
        }
    }

    /// Runs `body` in one catalog transaction (one fsync for many files' updates).
    package func inTransaction(_ body: () throws -> Void) throws {
        try database.transaction(body)
    }

    /// Records that a file's ingest is starting; its rows carry the returned id.
    package func beginFile(path: String, size: Int64, modified: Int64) throws(SQLiteError) -> Int64 {
        try database.run(
            "INSERT INTO files(path, size, modified, state, started_at) VALUES (?, ?, ?, 'pending', ?)",
            [.text(path), .integer(size), .integer(modified), .integer(Self.now)])
        return database.lastInsertRowID
    }

    /// Marks a file stored and adds its rows to the partition statistics, in one transaction.
    package func finishFile(
        id: Int64, contentKey: String, records: Int64, skipped: Int64, layout: String?,
        message: String?, partitions: [PartitionKey: PartitionDelta]
    ) throws {
        try database.transaction {
            try database.run("""
                UPDATE files SET state = 'stored', content_key = ?, records = ?, skipped = ?, layout = ?,
                message = ?, finished_at = ? WHERE id = ?
                """, [.text(contentKey), .integer(records), .integer(skipped), layout.map(SQLiteValue.text) ?? .null,
                      message.map(SQLiteValue.text) ?? .null, .integer(Self.now), .integer(id)])
            for (partition, delta) in partitions.sorted(by: { $0.key < $1.key }) where delta.rows > 0 {
                let day = partition.day
                try database.run("""
                    INSERT INTO partitions(day, rows, files, min_start, max_start, min_end, max_end, columns, updated_at, rows_without_start, table_name)
                    VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                    ON CONFLICT(table_name, day) DO UPDATE SET
                        rows = rows + ?2, files = files + 1, rows_without_start = rows_without_start + ?9,
                        min_start = min(min_start, ?3), max_start = max(max_start, ?4),
                        min_end = coalesce(min(min_end, ?5), min_end, ?5),
                        max_end = coalesce(max(max_end, ?6), max_end, ?6),
                        columns = ?7, updated_at = ?8
                    """, [.text(day.isoText), .integer(delta.rows), .integer(delta.minStart), .integer(delta.maxStart),
                          delta.minEnd == .max ? .null : .integer(delta.minEnd),
                          delta.maxEnd == .min ? .null : .integer(delta.maxEnd),
                          .text(delta.columns.joined(separator: ",")), .integer(Self.now), .integer(delta.rowsWithoutStart),
                          .text(partition.table.name)])
                try database.run("INSERT INTO file_partitions(file_id, day, rows, table_name) VALUES (?, ?, ?, ?)",
                                 [.integer(id), .text(day.isoText), .integer(delta.rows), .text(partition.table.name)])
            }
        }
    }

    /// Marks a file rejected with the reason; it holds no rows. A `transient` reason (an I/O
    /// error, `--strict`) does not stop a re-run from reading the file again.
    package func rejectFile(id: Int64, contentKey: String?, message: String, transient: Bool = false) throws(SQLiteError) {
        try database.run("UPDATE files SET state = 'rejected', content_key = ?, message = ?, transient = ?, finished_at = ? WHERE id = ?",
                         [contentKey.map(SQLiteValue.text) ?? .null, .text(message), .integer(transient ? 1 : 0), .integer(Self.now), .integer(id)])
    }

    /// Forgets a file entirely (a duplicate that stored nothing, or a recovered pending file).
    package func forgetFile(id: Int64) throws(SQLiteError) {
        try database.run("DELETE FROM files WHERE id = ?", [.integer(id)])
    }

    /// The distinct header lines of stored files, most common first.
    public func layouts() throws(SQLiteError) -> [String] {
        try database.rows("SELECT layout FROM files WHERE state = 'stored' AND layout IS NOT NULL GROUP BY layout ORDER BY count(*) DESC, layout")
            .compactMap { $0[0].textValue }
    }

    /// Paths of stored files (for what their S3 keys say).
    public func storedPaths() throws(SQLiteError) -> [String] {
        try database.rows("SELECT path FROM files WHERE state = 'stored' ORDER BY id").compactMap { $0[0].textValue }
    }

    // MARK: Sources

    /// What a source of inputs kept under `key` (e.g. the day an S3 prefix was listed through).
    public func sourceState(_ key: String) throws(SQLiteError) -> String? {
        try database.scalar("SELECT value FROM source_state WHERE key = ?", [.text(key)])?.textValue
    }

    /// Keeps `value` under `key`, replacing what was there.
    package func setSourceState(_ key: String, _ value: String) throws(SQLiteError) {
        try database.run("INSERT INTO source_state(key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                         [.text(key), .text(value), .integer(Self.now)])
    }

    // MARK: Partitions

    /// Every partition with committed records, by table (VPC first), each table's oldest first.
    public func partitions() throws(SQLiteError) -> [PartitionInfo] {
        let withoutStart = try hasColumn("rows_without_start", in: "partitions") ? "rows_without_start" : "0"
        let table = try hasColumn("table_name", in: "partitions") ? "table_name" : "'\(FlowTable.vpc.name)'"
        return try database.rows("SELECT day, rows, files, min_start, max_start, min_end, max_end, columns, \(withoutStart), \(table) FROM partitions ORDER BY day")
            .compactMap { row -> PartitionInfo? in
                // A table this flowq does not know is left alone, as its files would be.
                guard let dayText = row[0].textValue, let day = PartitionDay(dayText),
                      let table = row[9].textValue.flatMap(FlowTable.init(catalogName:)) else { return nil }
                let minEnd = row[5].integerValue, maxEnd = row[6].integerValue
                return PartitionInfo(
                    table: table, day: day, rowCount: row[1].integerValue ?? 0, fileCount: row[2].integerValue ?? 0,
                    startRange: (row[3].integerValue ?? 0)...max(row[3].integerValue ?? 0, row[4].integerValue ?? 0),
                    endRange: minEnd.flatMap { lo in maxEnd.map { hi in lo...max(lo, hi) } },
                    columns: (row[7].textValue ?? "").split(separator: ",").map(String.init),
                    rowsWithoutStart: row[8].integerValue ?? 0)
            }
            .sorted { $0.key < $1.key }
    }

    /// What a query may see, read in one transaction so it is consistent.
    ///
    /// Take `lease` before calling: see `FlowStore.snapshot()`.
    public func snapshot(lease: StoreReadLease? = nil) throws -> StoreSnapshot {
        try database.readTransaction {
            let partitions = try partitions()
            let watermark = try database.scalar("SELECT coalesce(max(id), 0) FROM files WHERE state = 'stored'")?.integerValue ?? 0
            let unfinished = try database.rows("SELECT id FROM files WHERE state = 'pending' AND id < ?", [.integer(watermark)])
                .compactMap { $0[0].integerValue }
            let extra = Set(FlowTable.allCases.flatMap { table in
                StoreSnapshot.extraColumns(of: partitions.filter { $0.table == table }, table: table)
            })
            return StoreSnapshot(partitions: partitions, fileWatermark: watermark, unfinishedFileIDs: unfinished, extraColumns: extra.sorted(), lease: lease)
        }
    }

    // MARK: Retention

    /// Removes days from the catalog, in every table, and records that their partition files are
    /// to be deleted, in one transaction. From its commit on, no query plans with these days.
    ///
    /// The files stay listed (so an incremental ingest does not bring the days back); their rows
    /// in the days are counted as pruned.
    package func beginPruning(_ days: [PartitionDay]) throws {
        try database.transaction {
            for day in days {
                try database.run(
                    "UPDATE files SET pruned = pruned + (SELECT rows FROM file_partitions p WHERE p.file_id = files.id AND p.day = ?1) "
                        + "WHERE id IN (SELECT file_id FROM file_partitions WHERE day = ?1)",
                    [.text(day.isoText)])
                try database.run("DELETE FROM partitions WHERE day = ?", [.text(day.isoText)])
                try database.run("DELETE FROM file_partitions WHERE day = ?", [.text(day.isoText)])
                try database.run("INSERT OR IGNORE INTO pruning(day, started_at) VALUES (?, ?)", [.text(day.isoText), .integer(Self.now)])
            }
        }
    }

    /// Days whose partition files (of every table) a prune has yet to delete (a prune was interrupted).
    public func pruningDays() throws(SQLiteError) -> [PartitionDay] {
        try database.rows("SELECT day FROM pruning ORDER BY day").compactMap { $0[0].textValue.flatMap { PartitionDay($0) } }
    }

    /// Records that a day's partition files are gone.
    package func finishPruning(_ day: PartitionDay) throws(SQLiteError) {
        try database.run("DELETE FROM pruning WHERE day = ?", [.text(day.isoText)])
    }

    /// Current Unix time in seconds.
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }
}

@available(*, unavailable)
extension Catalog: Sendable {}
