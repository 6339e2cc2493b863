import Foundation

/// A shared lock held by every reader of a store (queries, `check`) from the moment it reads
/// the catalog until it has finished with the partitions it planned with.
///
/// Retention deletes partition files only while holding the lock exclusively, after the catalog
/// already stopped listing them: a query therefore either planned without the days (and never
/// opens them) or finishes before their files go. Queries never meet a half-deleted partition.
///
/// The lock is `flock(2)` on `<store>/.readers`; the kernel drops it when the process dies.
public final class StoreReadLease: Sendable {
    private let descriptor: Int32

    /// Takes the shared lock, waiting while a prune deletes files (a moment). Nil when the
    /// lock file cannot be opened (a store on read-only media): readers then go without, as
    /// nothing can delete partitions there either.
    public static func acquire(for store: FlowStore) -> StoreReadLease? {
        let fd = open(store.readersLockPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        while flock(fd, LOCK_SH) != 0 {
            guard errno == EINTR else {
                close(fd)
                return nil
            }
        }
        return StoreReadLease(descriptor: fd)
    }

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// The exclusive side of the readers' lock, for deleting partition files.
struct StoreReadersExclusion {
    private let descriptor: Int32

    /// Waits up to `timeout` seconds for every reader to finish; nil if they did not.
    init?(store: FlowStore, timeout: Double) throws(StoreError) {
        let fd = open(store.readersLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot open the readers' lock \(store.readersLockPath)", errno: errno) }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                close(fd)
                return nil
            }
            usleep(20_000)
        }
        descriptor = fd
    }

    /// Lets readers in again.
    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
