import Foundation

/// Writes records into one day partition: one connection, one open transaction per file,
/// one prepared INSERT per layout, reused for every row.
///
/// The `flows` table grows columns as new layouts arrive (`ALTER TABLE ... ADD COLUMN`), so a
/// partition of default-format files carries only the 14 default columns.
final class PartitionWriter {
    let day: PartitionDay
    private let database: Database
    private var columns: [String]
    private var inserts: [InsertKey: Statement] = [:]
    /// Rows this file added, with their time ranges, for the catalog.
    private(set) var delta = Catalog.PartitionDelta()

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
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA cache_size=-16000;
            CREATE TABLE IF NOT EXISTS flows(file_id INTEGER NOT NULL);
            """)
        columns = try database.rows("SELECT name FROM pragma_table_info('flows')").compactMap { $0[0].textValue }
    }

    /// The columns the table has now.
    var columnNames: [String] { columns }

    /// Opens the file's transaction on first use.
    func beginIfNeeded() throws(SQLiteError) {
        if !database.isInTransaction {
            try database.execute("BEGIN IMMEDIATE")
            delta = Catalog.PartitionDelta()
        }
    }

    /// How the rows of one file are inserted here: the statement and what the S3 key fills in.
    struct InsertPlan {
        fileprivate let statement: Statement
        fileprivate let account: String?
        fileprivate let region: String?
    }

    /// Prepares (or reuses) the INSERT for a file of `layout` found at a path that says `key`.
    func plan(layout: FlowLayout, key: S3Key) throws(SQLiteError) -> InsertPlan {
        let accountFromKey = key.accountID != nil && layout.position(of: .accountID) == nil
        let regionFromKey = key.region != nil && layout.position(of: .region) == nil
        let statement = try insertStatement(InsertKey(layout: layout, accountFromKey: accountFromKey, regionFromKey: regionFromKey))
        return InsertPlan(statement: statement, account: accountFromKey ? key.accountID : nil, region: regionFromKey ? key.region : nil)
    }

    /// Inserts the parser's current record; `line` is the text the values point into.
    func insert(
        _ parser: FlowRecordParser, line: UnsafeRawBufferPointer, fileID: Int64, plan: InsertPlan,
        startSlot: Int, endSlot: Int?
    ) throws(SQLiteError) {
        let statement = plan.statement
        statement.bind(fileID, at: 1)
        var index: Int32 = 2
        parser.values.withUnsafeBufferPointer { values in
            parser.addressBytes.withUnsafeBytes { addresses in
                for value in values {
                    switch value.kind {
                    case .null: statement.bindNull(at: index)
                    case .integer: statement.bind(value.integer, at: index)
                    case .text: statement.bindText(UnsafeRawBufferPointer(rebasing: line[value.textOffset..<value.textOffset + value.textCount]), at: index)
                    case .ipv6: statement.bindBlob(UnsafeRawBufferPointer(rebasing: addresses[value.textOffset..<value.textOffset + 16]), at: index)
                    }
                    index += 1
                }
            }
        }
        if let account = plan.account { statement.bind(account, at: index); index += 1 }
        if let region = plan.region { statement.bind(region, at: index) }
        try statement.step()
        statement.reset()

        let start = parser.values[startSlot].integer
        delta.rows += 1
        if start < delta.minStart { delta.minStart = start }
        if start > delta.maxStart { delta.maxStart = start }
        if let endSlot, parser.values[endSlot].kind == .integer {
            let end = parser.values[endSlot].integer
            if end < delta.minEnd { delta.minEnd = end }
            if end > delta.maxEnd { delta.maxEnd = end }
        }
    }

    /// Makes the file's rows durable.
    func commit() throws(SQLiteError) {
        guard database.isInTransaction else { return }
        try database.execute("COMMIT")
        delta.columns = columns.filter { $0 != "file_id" }
    }

    /// Throws away the file's rows (and any columns it added).
    func rollback() {
        if database.isInTransaction { try? database.execute("ROLLBACK") }
        // Columns added inside the rolled-back transaction are gone too.
        columns = (try? database.rows("SELECT name FROM pragma_table_info('flows')").compactMap { $0[0].textValue }) ?? columns
        inserts.removeAll()
        delta = Catalog.PartitionDelta()
    }

    /// Deletes every row a file put here (recovery of a killed ingest).
    func deleteRows(ofFile fileID: Int64) throws(SQLiteError) -> Int {
        try database.run("DELETE FROM flows WHERE file_id = ?", [.integer(fileID)])
        return database.changes
    }

    private func insertStatement(_ key: InsertKey) throws(SQLiteError) -> Statement {
        if let statement = inserts[key] { return statement }
        var names = key.layout.slots.map(\.columnName)
        var types = key.layout.slots.map(Self.declaredType)
        if key.accountFromKey { names.append(FlowField.accountID.columnName); types.append("TEXT") }
        if key.regionFromKey { names.append(FlowField.region.columnName); types.append("TEXT") }
        for (name, type) in zip(names, types) where !columns.contains(name) {
            try database.execute("ALTER TABLE flows ADD COLUMN \(Self.quoted(name)) \(type)")
            columns.append(name)
        }
        let sql = "INSERT INTO flows(file_id, \(names.map(Self.quoted).joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count + 1).joined(separator: ", ")))"
        let statement = try database.prepare(sql)
        inserts[key] = statement
        return statement
    }

    /// Integers get INTEGER affinity; addresses and codes mix classes (integer IPv4 with blob
    /// IPv6; codes with unknown words as text), so they get none.
    private static func declaredType(_ slot: FlowLayout.Slot) -> String {
        guard case .known(let field) = slot else { return "TEXT" }
        switch field.storage {
        case .integer, .timestamp: return "INTEGER"
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
