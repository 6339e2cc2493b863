import FlowInventory
import FlowModel
import FlowSQLite
import Foundation

/// The store's inventory: snapshots of what the AWS CLI printed (`describe-*`) and of AWS's
/// `ip-ranges.json`, each with the time it describes, in `inventory.db` beside the catalog.
///
/// Every inventory table holds the rows of every snapshot, each row tagged with its
/// `snapshot_id`; the `snapshots` table says what each snapshot is and when it was true
/// (`as_of`). A snapshot is added whole or not at all (one transaction), and the same file
/// content is not added twice.
public final class InventoryStore {
    /// The file name in the store's folder.
    public static let fileName = "inventory.db"

    /// One snapshot: a file added with `flowq inventory add`.
    public struct Snapshot: Sendable, Equatable {
        /// Its id (for `flowq inventory remove`).
        public var id: Int64
        /// What printed it.
        public var kind: InventoryKind
        /// The file it was read from, as given.
        public var source: String
        /// When it was true, in Unix seconds.
        public var asOf: Int64
        /// When it was added, in Unix seconds.
        public var addedAt: Int64
        /// Rows it added, over all its tables.
        public var rows: Int64
    }

    /// What `add` did.
    public enum AddOutcome: Sendable, Equatable {
        /// Stored as snapshot `id` with `rows` rows.
        case added(id: Int64, rows: Int64)
        /// The same content is already snapshot `id` (from `source`).
        case alreadyPresent(id: Int64, source: String)
    }

    /// The connection; the readers in `InventoryStore+Rows.swift` use it too.
    let database: Database

    /// Opens the inventory of `store`, creating it for writing when missing; nil when reading
    /// and the store has none.
    public static func open(_ store: FlowStore, forWriting: Bool) throws -> InventoryStore? {
        let path = store.url.appendingPathComponent(fileName).path
        if !forWriting && !FileManager.default.fileExists(atPath: path) { return nil }
        return try InventoryStore(path: path, readOnly: !forWriting)
    }

    /// Opens the inventory database at `path`.
    public init(path: String, readOnly: Bool) throws {
        database = try Database(path: path, mode: readOnly ? .readOnly : .create)
        if !readOnly {
            try database.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
            try database.execute("""
                CREATE TABLE IF NOT EXISTS snapshots(
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL,
                    source TEXT NOT NULL,
                    content_key TEXT NOT NULL UNIQUE,
                    as_of INTEGER NOT NULL,
                    added_at INTEGER NOT NULL,
                    rows INTEGER NOT NULL);
                """)
        }
    }

    /// Adds `document` as a snapshot true at `asOf` (Unix seconds); `contentKey` identifies the
    /// file's bytes, so the same file twice is recognised.
    public func add(_ document: InventoryDocument, source: String, contentKey: String, asOf: Int64) throws -> AddOutcome {
        if let row = try database.rows("SELECT id, source FROM snapshots WHERE content_key = ?", [.text(contentKey)]).first,
           let id = row[0].integerValue {
            return .alreadyPresent(id: id, source: row[1].textValue ?? "")
        }
        let sets = document.rowSets
        let total = Int64(sets.reduce(0) { $0 + $1.rows.count })
        return try database.transaction {
            try database.run("INSERT INTO snapshots(kind, source, content_key, as_of, added_at, rows) VALUES (?, ?, ?, ?, ?, ?)",
                             [.text(document.kind.rawValue), .text(source), .text(contentKey), .integer(asOf),
                              .integer(Int64(Date().timeIntervalSince1970)), .integer(total)])
            let id = database.lastInsertRowID
            for set in sets {
                try createTable(set.tableName, columns: set.columns)
                let names = (["snapshot_id"] + set.columns.map(\.name)).map { "\"\($0)\"" }.joined(separator: ", ")
                let marks = Array(repeating: "?", count: set.columns.count + 1).joined(separator: ", ")
                let insert = try database.prepare("INSERT INTO \"\(set.tableName)\"(\(names)) VALUES (\(marks))")
                for row in set.rows {
                    insert.reset()
                    try insert.bind([.integer(id)] + row.map(Self.sqliteValue))
                    _ = try insert.step()
                }
            }
            try refreshCurrentTables(of: document.kind)
            return .added(id: id, rows: total)
        }
    }

    /// Every snapshot, oldest `as_of` first.
    public func snapshots() throws -> [Snapshot] {
        try database.rows("SELECT id, kind, source, as_of, added_at, rows FROM snapshots ORDER BY as_of, id").compactMap { row in
            guard let id = row[0].integerValue, let kind = row[1].textValue.flatMap(InventoryKind.init(rawValue:)) else { return nil }
            return Snapshot(id: id, kind: kind, source: row[2].textValue ?? "", asOf: row[3].integerValue ?? 0,
                            addedAt: row[4].integerValue ?? 0, rows: row[5].integerValue ?? 0)
        }
    }

    /// Removes snapshot `id` and its rows; false when there is none.
    public func remove(id: Int64) throws -> Bool {
        guard let kindText = try database.scalar("SELECT kind FROM snapshots WHERE id = ?", [.integer(id)])?.textValue,
              let kind = InventoryKind(rawValue: kindText) else { return false }
        try database.transaction {
            for table in kind.tableNames where try tableExists(table) {
                try database.run("DELETE FROM \"\(table)\" WHERE snapshot_id = ?", [.integer(id)])
            }
            try database.run("DELETE FROM snapshots WHERE id = ?", [.integer(id)])
            try refreshCurrentTables(of: kind)
        }
        return true
    }

    /// The AWS address ranges of the newest `ip-ranges.json` snapshot (by `as_of`), if any.
    public func latestIPRanges() throws -> (snapshot: Snapshot, rows: [IPRangeRow])? {
        guard let latest = try snapshots().last(where: { $0.kind == .ipRanges }) else { return nil }
        let rows = try database.rows(
            "SELECT prefix, ip_version, service, region, network_border_group, sync_token, create_date FROM aws_ip_ranges WHERE snapshot_id = ?",
            [.integer(latest.id)])
        return (latest, rows.map { row in
            IPRangeRow(prefix: row[0].textValue ?? "", ipVersion: Int(row[1].integerValue ?? 4), service: row[2].textValue ?? "",
                       region: row[3].textValue ?? "", networkBorderGroup: row[4].textValue, syncToken: row[5].textValue ?? "",
                       createDate: row[6].integerValue ?? 0)
        })
    }

    /// Every address of every `describe-network-interfaces` snapshot with the snapshot's time,
    /// for `addr_owner()`.
    public func addressOwners() throws -> AddressOwners {
        guard try tableExists(NetworkInterfaceRow.tableName) else { return AddressOwners([]) }
        let rows = try database.rows("""
            SELECT s.as_of, n.interface_id, n.address, n.interface_type, n.description, n.instance_id
            FROM network_interfaces n JOIN snapshots s ON s.id = n.snapshot_id WHERE n.address IS NOT NULL
            """)
        return AddressOwners(rows.map { row in
            (asOf: row[0].integerValue ?? 0,
             row: NetworkInterfaceRow(interfaceID: row[1].textValue ?? "", address: row[2].textValue, interfaceType: row[3].textValue,
                                      interfaceDescription: row[4].textValue, instanceID: row[5].textValue))
        })
    }

    func tableExists(_ name: String) throws -> Bool {
        try database.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(name)])?.integerValue == 1
    }

    private func createTable(_ name: String, columns: [InventoryColumn]) throws {
        let declared = columns.map { column in
            "\"\(column.name)\" " + (column.type == .varchar ? "TEXT" : "INTEGER")
        }
        try database.execute("""
            CREATE TABLE IF NOT EXISTS "\(name)"(snapshot_id INTEGER NOT NULL REFERENCES snapshots(id), \(declared.joined(separator: ", ")));
            CREATE INDEX IF NOT EXISTS "\(name)_by_snapshot" ON "\(name)"(snapshot_id);
            """)
    }

    static func sqliteValue(_ value: InventoryValue) -> SQLiteValue {
        switch value {
        case .null: return .null
        case .text(let text): return .text(text)
        case .integer(let number): return .integer(number)
        case .boolean(let flag): return .integer(flag ? 1 : 0)
        }
    }
}

@available(*, unavailable)
extension InventoryStore: Sendable {}
