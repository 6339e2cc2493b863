import Foundation

/// Writes records into one day partition: one connection, a transaction that spans several
/// files (a commit group), one prepared INSERT per layout, reused for every row.
///
/// Rows carry their file's id; a file that ends up not stored has its rows deleted again
/// (`deleteRows(ofFile:from:)`), and until the catalog marks a file stored, queries hide its rows.
///
/// The `flows` table grows columns as new layouts arrive (`ALTER TABLE ... ADD COLUMN`), so a
/// partition of default-format files carries only the 14 default columns. Fields flowq does not
/// know get columns of their own up to `maximumUnknownColumns` per partition; beyond that they
/// are kept together in the `extra_fields` column as a JSON object (column name -> text), so no
/// header, however odd, can push a partition past SQLite's column limit.
final class PartitionWriter {
    let day: PartitionDay
    private let database: Database
    private var columns: [String]
    private var inserts: [InsertKey: Statement] = [:]
    private var multiRowInserts: [InsertKey: Statement] = [:]
    /// For each prepared layout, the slots kept in `extra_fields` (by slot, their column name).
    private var overflow: [InsertKey: [Int: String]] = [:]
    /// Reused to build each row's `extra_fields` text.
    private var extraText: [UInt8] = []

    /// Columns of their own for fields flowq does not know, per partition.
    static let maximumUnknownColumns = 64
    /// The column holding the fields past `maximumUnknownColumns`.
    static let extraFieldsColumn = "extra_fields"
    private let dictionary: PartitionDictionary

    /// Identifies a prepared INSERT: the layout plus which columns come from the S3 key.
    private struct InsertKey: Hashable {
        var layout: FlowLayout
        var accountFromKey: Bool
        var regionFromKey: Bool
    }

    init(store: FlowStore, day: PartitionDay) throws(SQLiteError) {
        self.day = day
        database = try Database(path: store.partitionPath(for: day), mode: .create)
        try database.execute("""
            PRAGMA page_size=16384;
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA cache_size=-2000;
            CREATE TABLE IF NOT EXISTS flows(file_id INTEGER NOT NULL);
            """)
        // A test hook: a page limit makes SQLite fail with SQLITE_FULL as a full disk would,
        // so the disk-full path is tested on every run, not only where a test may mount a tmpfs.
        if let pages = ProcessInfo.processInfo.environment["FLOWQ_TEST_MAX_PAGE_COUNT"].flatMap(Int.init), pages > 0 {
            try database.execute("PRAGMA max_page_count = \(pages)")
        }
        columns = try database.rows("SELECT name FROM pragma_table_info('flows')").compactMap { $0[0].textValue }
        dictionary = try PartitionDictionary(database: database)
    }

    /// The columns the table has now.
    var columnNames: [String] { columns }

    /// Opens the group's transaction on first use.
    func beginIfNeeded() throws(SQLiteError) {
        if !database.isInTransaction { try database.execute("BEGIN IMMEDIATE") }
    }

    /// The rowid the next inserted row gets: every row a file adds from now on is at or above it.
    func nextRowID() throws(SQLiteError) -> Int64 {
        (try database.scalar("SELECT coalesce(max(rowid), 0) + 1 FROM flows")?.integerValue) ?? 1
    }

    /// How the rows of one file are inserted here: the statement and what the S3 key fills in.
    struct InsertPlan {
        fileprivate let statement: Statement
        /// The same INSERT with `rowsPerStatement` rows of VALUES: far fewer statement runs.
        fileprivate let multiRow: Statement
        fileprivate let columnsPerRow: Int32
        /// Slots whose text is stored as a dictionary id.
        fileprivate let dictionarySlots: [Bool]
        /// Dictionary ids of the account and region the S3 key gives, when the layout lacks them.
        fileprivate let account: Int64?
        fileprivate let region: Int64?
        /// Slots kept in `extra_fields`, with their column names; empty for most layouts.
        fileprivate let overflow: [Int: String]
    }

    /// Rows bound into one multi-row INSERT.
    static let rowsPerStatement = 32

    /// Prepares (or reuses) the INSERT for a file of `layout` found at a path that says `key`.
    func plan(layout: FlowLayout, key: S3Key) throws(SQLiteError) -> InsertPlan {
        let accountFromKey = key.accountID != nil && layout.position(of: .accountID) == nil
        let regionFromKey = key.region != nil && layout.position(of: .region) == nil
        let insertKey = InsertKey(layout: layout, accountFromKey: accountFromKey, regionFromKey: regionFromKey)
        let statement = try insertStatement(insertKey)
        let multiRow = try insertStatement(insertKey, rows: Self.rowsPerStatement)
        let overflowSlots = overflow[insertKey] ?? [:]
        let columns = Int32(layout.slots.count - overflowSlots.count + (overflowSlots.isEmpty ? 0 : 1) + 1
                            + (accountFromKey ? 1 : 0) + (regionFromKey ? 1 : 0))
        let dictionarySlots = layout.slots.map { slot -> Bool in
            if case .known(let field) = slot { return field.storage == .dictionary }
            return false
        }
        func id(_ text: String?) throws(SQLiteError) -> Int64? {
            guard var text else { return nil }
            var failure: SQLiteError? = nil
            let found: Int64? = text.withUTF8 { bytes in
                do throws(SQLiteError) { return try dictionary.id(for: UnsafeRawBufferPointer(bytes)) } catch { failure = error; return nil }
            }
            if let failure { throw failure }
            return found
        }
        return InsertPlan(statement: statement, multiRow: multiRow, columnsPerRow: columns, dictionarySlots: dictionarySlots,
                          account: try id(accountFromKey ? key.accountID : nil), region: try id(regionFromKey ? key.region : nil),
                          overflow: overflowSlots)
    }

    /// Inserts the records of `batch` at `offsets` (all of this partition's day), in order:
    /// full groups through the multi-row INSERT, the rest one by one. Text is bound without a
    /// copy, which is safe because every statement runs before the batch is released.
    func insert(
        _ batch: RecordBatch, offsets: ArraySlice<Int>, slots: Int, fileID: Int64, plan: InsertPlan, startSlot: Int, endSlot: Int?,
        delta: inout Catalog.PartitionDelta
    ) throws(SQLiteError) {
        var index = offsets.startIndex
        let group = Self.rowsPerStatement
        while offsets.endIndex - index >= group {
            for row in 0..<group {
                var cursor = batch.cursor(at: offsets[index + row], slots: slots)
                try bind(&cursor, to: plan.multiRow, base: Int32(row) * plan.columnsPerRow, fileID: fileID, plan: plan,
                         startSlot: startSlot, endSlot: endSlot, delta: &delta)
            }
            try plan.multiRow.step()
            plan.multiRow.reset()
            index += group
        }
        while index < offsets.endIndex {
            var cursor = batch.cursor(at: offsets[index], slots: slots)
            try bind(&cursor, to: plan.statement, base: 0, fileID: fileID, plan: plan, startSlot: startSlot, endSlot: endSlot, delta: &delta)
            try plan.statement.step()
            plan.statement.reset()
            index += 1
        }
    }

    /// Binds one record's values at parameters `base + 1 ...` and counts it in the statistics.
    @inline(__always)
    private func bind(
        _ cursor: inout RecordCursor, to statement: Statement, base: Int32, fileID: Int64, plan: InsertPlan, startSlot: Int, endSlot: Int?,
        delta: inout Catalog.PartitionDelta
    ) throws(SQLiteError) {
        statement.bind(fileID, at: base + 1)
        var start: Int64 = 0
        var end: Int64? = nil
        let slots = cursor.remaining
        var index = base + 1
        let hasOverflow = !plan.overflow.isEmpty
        if hasOverflow { extraText.removeAll(keepingCapacity: true) }
        for slot in 0..<slots {
            let value = cursor.next()
            // Checked only for the rare layouts with fields in extra_fields: this is the hot loop.
            if hasOverflow, let name = plan.overflow[slot] {
                if case .text(let text) = value { appendExtra(name, text) }
                continue
            }
            index += 1
            switch value {
            case .null:
                statement.bindNull(at: index)
            case .integer(let value):
                statement.bind(value, at: index)
                if slot == startSlot { start = value } else if slot == endSlot { end = value }
            case .text(let text):
                if plan.dictionarySlots[slot] {
                    statement.bind(try dictionary.id(for: text), at: index)
                } else {
                    statement.bindText(text, at: index)
                }
            case .ipv6(let address):
                statement.bindBlob(address, at: index)
            }
        }
        index += 1
        if hasOverflow {
            if extraText.isEmpty {
                statement.bindNull(at: index)
            } else {
                extraText.append(0x7D) // }
                extraText.withUnsafeBytes { statement.bindText($0, at: index) }
            }
            index += 1
        }
        if let account = plan.account { statement.bind(account, at: index); index += 1 }
        if let region = plan.region { statement.bind(region, at: index) }

        delta.rows += 1
        if start < delta.minStart { delta.minStart = start }
        if start > delta.maxStart { delta.maxStart = start }
        if let end {
            if end < delta.minEnd { delta.minEnd = end }
            if end > delta.maxEnd { delta.maxEnd = end }
        }
    }

    /// Adds `"name":"text"` to the row's `extra_fields` object (text is printable ASCII:
    /// only quotes and backslashes need escaping).
    private func appendExtra(_ name: String, _ text: UnsafeRawBufferPointer) {
        extraText.append(extraText.isEmpty ? 0x7B : 0x2C) // { or ,
        extraText.append(0x22)
        extraText.append(contentsOf: name.utf8)
        extraText.append(contentsOf: [0x22, 0x3A, 0x22])
        for byte in text {
            if byte == 0x22 || byte == 0x5C { extraText.append(0x5C) }
            extraText.append(byte)
        }
        extraText.append(0x22)
    }

    /// Makes the group's rows durable.
    func commit() throws(SQLiteError) {
        guard database.isInTransaction else { return }
        try database.execute("COMMIT")
    }

    /// The columns the catalog lists for this partition (all but `file_id`).
    var dataColumns: [String] { columns.filter { $0 != "file_id" } }

    /// Creates the partition's indexes if they are missing.
    ///
    /// Called once at the end of an ingest run, so a new day's indexes are built in bulk (a
    /// sort) rather than row by row; later runs maintain them as they insert. Rejected traffic
    /// by port ("REJECT on 443 after a date") and by source (who is being blocked) are the
    /// questions asked most: indexing only rejected rows keeps the indexes to about a tenth of
    /// the table, and `file_id` in them lets SQLite apply the visibility rule without reading rows.
    func ensureIndexes() throws(SQLiteError) {
        guard ["action", "dstport", "srcaddr", "bytes"].allSatisfy(columns.contains) else { return }
        try database.execute("""
            CREATE INDEX IF NOT EXISTS flows_rejected_by_port ON flows(dstport, file_id) WHERE action = 2;
            CREATE INDEX IF NOT EXISTS flows_rejected_by_source ON flows(srcaddr, bytes, file_id) WHERE action = 2;
            """)
    }

    /// Deletes every row a file put here (recovery of a killed ingest: a full scan).
    func deleteRows(ofFile fileID: Int64) throws(SQLiteError) -> Int {
        try database.run("DELETE FROM flows WHERE file_id = ?", [.integer(fileID)])
        return database.changes
    }

    /// Deletes the rows of a file that is not stored after all, knowing none is below `rowID`:
    /// a scan of the few rows written since, not of the whole day.
    func deleteRows(ofFile fileID: Int64, from rowID: Int64) throws(SQLiteError) {
        try beginIfNeeded()
        try database.run("DELETE FROM flows WHERE rowid >= ? AND file_id = ?", [.integer(rowID), .integer(fileID)])
    }

    private func insertStatement(_ key: InsertKey, rows: Int = 1) throws(SQLiteError) -> Statement {
        if rows == 1, let statement = inserts[key] { return statement }
        if rows > 1, let statement = multiRowInserts[key] { return statement }
        var names: [String] = []
        var types: [String] = []
        var overflowSlots: [Int: String] = [:]
        var unknownColumns = columns.filter { FlowField(columnName: $0) == nil && $0 != "file_id" && $0 != Self.extraFieldsColumn }.count
        for (slot, field) in key.layout.slots.enumerated() {
            if case .unknown = field, !columns.contains(field.columnName) {
                if unknownColumns >= Self.maximumUnknownColumns {
                    overflowSlots[slot] = field.columnName
                    continue
                }
                unknownColumns += 1
            }
            names.append(field.columnName)
            types.append(Self.declaredType(field))
        }
        overflow[key] = overflowSlots
        if !overflowSlots.isEmpty { names.append(Self.extraFieldsColumn); types.append("TEXT") }
        if key.accountFromKey { names.append(FlowField.accountID.columnName); types.append("INTEGER") }
        if key.regionFromKey { names.append(FlowField.region.columnName); types.append("INTEGER") }
        for (name, type) in zip(names, types) where !columns.contains(name) {
            try database.execute("ALTER TABLE flows ADD COLUMN \(Self.quoted(name)) \(type)")
            columns.append(name)
        }
        let row = "(" + Array(repeating: "?", count: names.count + 1).joined(separator: ", ") + ")"
        let sql = "INSERT INTO flows(file_id, \(names.map(Self.quoted).joined(separator: ", "))) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
        let statement = try database.prepare(sql)
        if rows == 1 { inserts[key] = statement } else { multiRowInserts[key] = statement }
        return statement
    }

    /// Integers get INTEGER affinity; addresses and codes mix classes (integer IPv4 with blob
    /// IPv6; codes with unknown words as text), so they get none.
    private static func declaredType(_ slot: FlowLayout.Slot) -> String {
        guard case .known(let field) = slot else { return "TEXT" }
        switch field.storage {
        case .integer, .timestamp, .dictionary: return "INTEGER"
        case .text: return "TEXT"
        case .address, .code: return ""
        }
    }

    /// An SQL identifier in double quotes, embedded quotes doubled.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

@available(*, unavailable)
extension PartitionWriter: Sendable {}
