import FlowModel
import FlowSQLite
import Foundation

/// A failure of the store as a whole (not of one input file): the run cannot go on.
public enum StoreError: Error, LocalizedError, Sendable {
    /// A file-system call failed.
    case io(String, errno: Int32)
    /// Another process holds the store's write lock.
    case locked(String)
    /// The folder is not a flowq store.
    case notAStore(String)
    /// The store was written by a flowq with another store format (`found`, when it says).
    case otherFormat(path: String, found: String?)
    /// The catalog exists but holds no tables: the first ingest was killed while creating it.
    case unfinishedStore(path: String)
    /// SQLite failed on the catalog or a partition.
    case sqlite(SQLiteError)

    /// What failed, where and why.
    public var errorDescription: String? {
        switch self {
        case .io(let what, let code): return "\(what): \(String(cString: strerror(code)))"
        case .locked(let message): return message
        case .notAStore(let message): return message
        case .otherFormat(let path, let found):
            return "\(DisplayText.escaped(path)) is a flowq store of format \(found ?? "unknown"), this flowq reads format \(FlowStore.formatVersion): "
                + "ingest the files again into a new store (--store NEW_FOLDER)"
        case .unfinishedStore(let path):
            return "\(path) was never finished: the first ingest into this store was stopped while it created the catalog, "
                + "so the store holds nothing yet; run `flowq ingest` again to create it (or delete the folder)"
        case .sqlite(let error):
            if error.isDiskFull {
                return "the disk is full (\(error.localizedDescription)); files not yet stored were not kept: free some space and run the ingest again to read them"
            }
            if error.isReadOnly { return "the store cannot be written (\(error.localizedDescription))" }
            return error.localizedDescription
        }
    }
}
