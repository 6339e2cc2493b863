import Foundation

/// A failure of the store as a whole (not of one input file): the run cannot go on.
public enum StoreError: Error, LocalizedError, Sendable {
    /// A file-system call failed.
    case io(String, errno: Int32)
    /// Another process holds the store's write lock.
    case locked(String)
    /// The folder is not a flowq store, or one of another format version.
    case notAStore(String)
    /// SQLite failed on the catalog or a partition.
    case sqlite(SQLiteError)

    /// What failed, where and why.
    public var errorDescription: String? {
        switch self {
        case .io(let what, let code): return "\(what): \(String(cString: strerror(code)))"
        case .locked(let message): return message
        case .notAStore(let message): return message
        case .sqlite(let error):
            if error.isDiskFull { return "the disk is full (\(error.localizedDescription)); nothing of the current file was kept" }
            if error.isReadOnly { return "the store cannot be written (\(error.localizedDescription))" }
            return error.localizedDescription
        }
    }
}
