import CSQLite
import Foundation

/// A failed SQLite call: the extended result code, SQLite's own message, and the SQL that was
/// running (never the bound values, which may hold user data).
public struct SQLiteError: Error, LocalizedError, Sendable, Equatable {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_FULL`, ...).
    public var code: Int32
    /// `sqlite3_errmsg` at the time of the failure.
    public var message: String
    /// The statement, when the failure belongs to one.
    public var sql: String?
    /// The database file, when known.
    public var path: String?

    /// Creates an error.
    public init(code: Int32, message: String, sql: String? = nil, path: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.path = path
    }

    /// The primary result code (the low byte of the extended code).
    public var primaryCode: Int32 { code & 0xff }

    /// True when the disk or the quota is full.
    public var isDiskFull: Bool { primaryCode == SQLITE_FULL }
    /// True when the database or its folder cannot be written.
    public var isReadOnly: Bool { primaryCode == SQLITE_READONLY || primaryCode == SQLITE_CANTOPEN || primaryCode == SQLITE_PERM }
    /// True for `SQLITE_INTERRUPT` (a cancelled or timed-out query).
    public var isInterrupt: Bool { primaryCode == SQLITE_INTERRUPT }

    /// `SQLite error 13 (database or disk is full) in catalog.db while running: INSERT ...`.
    public var errorDescription: String? {
        var text = "SQLite error \(code) (\(message))"
        if let path { text += " in \(path)" }
        if let sql { text += " while running: \(sql)" }
        return text
    }
}
