import CSQLite
import Foundation

/// One SQLite connection, owned: the handle is closed when the object goes away.
///
/// A connection is used by one task at a time (it is not `Sendable`); parallel work opens one
/// connection per task. Modelled on GRDB's `Database`: every failure becomes a `SQLiteError`
/// carrying the extended code, SQLite's message and the SQL.
public final class Database {
    /// How to open the file.
    public enum Mode: Sendable {
        /// Read and write; create the file when missing.
        case create
        /// Read and write an existing file.
        case readWrite
        /// Read only; the file must exist.
        case readOnly
    }

    /// The raw handle, for the statement type in this folder.
    let handle: OpaquePointer
    /// The file path (`:memory:` or empty for temporary databases).
    public let path: String

    /// Opens (or creates) the database at `path`.
    public init(path: String, mode: Mode = .create) throws(SQLiteError) {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        switch mode {
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, path: path)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        // Another process may hold the write lock for a moment (an ingest committing);
        // wait for it rather than failing at once.
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit {
        sqlite3_close_v2(handle)
        progressBox?.release()
    }

    /// The retained closure of `setProgressHandler`, released with the connection.
    private var progressBox: Unmanaged<ProgressBox>?

    /// Calls `shouldStop` every `instructions` virtual-machine steps of any statement on this
    /// connection; when it returns true the statement fails with `SQLITE_INTERRUPT`.
    ///
    /// Unlike `sqlite3_interrupt`, which SQLite forgets when no statement is running, this
    /// also stops a statement that starts after the decision to stop.
    public func setProgressHandler(every instructions: Int32, _ shouldStop: @escaping @Sendable () -> Bool) {
        progressBox?.release()
        let box = Unmanaged.passRetained(ProgressBox(shouldStop))
        progressBox = box
        sqlite3_progress_handler(handle, instructions, { context in
            guard let context else { return 0 }
            return Unmanaged<ProgressBox>.fromOpaque(context).takeUnretainedValue().shouldStop() ? 1 : 0
        }, box.toOpaque())
    }

    /// Runs one or more statements that take no parameters and return nothing of interest.
    public func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(code: rc, sql: sql) }
    }

    /// Compiles a statement for repeated use.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `sql` with `values` bound in order and returns every row.
    public func rows(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var result: [[SQLiteValue]] = []
        while try statement.step() {
            result.append(statement.row())
        }
        return result
    }

    /// Runs `sql` with `values` bound and returns the first column of the first row, if any.
    public func scalar(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> SQLiteValue? {
        let statement = try prepare(sql)
        try statement.bind(values)
        return try statement.step() ? statement.value(at: 0) : nil
    }

    /// Runs `sql` with `values` bound, stepping it to completion.
    public func run(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// True while a transaction is open.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` inside `BEGIN IMMEDIATE ... COMMIT`, rolling back when it throws. Inside an
    /// open transaction it runs in a savepoint instead, so transactions compose.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let nested = isInTransaction
        try execute(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute(nested ? "RELEASE nested" : "COMMIT")
            return value
        } catch {
            try? execute(nested ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside one read transaction (`BEGIN DEFERRED ... COMMIT`): every statement
    /// in it sees the same state of the database, whatever other connections commit meanwhile
    /// (in WAL mode the snapshot is taken at the first read). Nested, it just runs `body`.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }

    /// A handle another thread may use to interrupt whatever this connection is running.
    public var interruptHandle: InterruptHandle { InterruptHandle(handle: handle) }

    /// Builds the error for a failed call, reading SQLite's message for this connection.
    func error(code: Int32, sql: String?) -> SQLiteError {
        let extended = sqlite3_extended_errcode(handle)
        return SQLiteError(
            code: extended != 0 ? extended : code,
            message: String(cString: sqlite3_errmsg(handle)),
            sql: sql,
            path: path
        )
    }
}

@available(*, unavailable)
extension Database: Sendable {}

private final class ProgressBox {
    let shouldStop: @Sendable () -> Bool
    init(_ shouldStop: @escaping @Sendable () -> Bool) { self.shouldStop = shouldStop }
}

/// Interrupts a connection's running statement from any thread (`sqlite3_interrupt`).
///
/// `@unchecked Sendable` because SQLite documents `sqlite3_interrupt` as safe to call from
/// another thread while the connection is open; the owner keeps the `Database` alive while the
/// handle may be used.
public struct InterruptHandle: @unchecked Sendable {
    let handle: OpaquePointer

    /// Makes the running statement fail with `SQLITE_INTERRUPT` at its next check.
    public func interrupt() {
        sqlite3_interrupt(handle)
    }
}
