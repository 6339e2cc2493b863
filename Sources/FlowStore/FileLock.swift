import Foundation

/// An exclusive advisory lock on a file (`flock`), held while the object lives.
///
/// Keeps two writers (two `flowq ingest` runs, an ingest and a prune) out of one store. The
/// lock file holds the holder's process id so the refusal can name it. The kernel drops the
/// lock when the process dies, so a killed ingest never leaves the store locked.
public final class FileLock {
    private let descriptor: Int32

    /// Takes the lock at `path`, failing at once if another process holds it.
    public init(path: String, purpose: String) throws(StoreError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot open the lock file \(path)", errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = pread(fd, &buffer, 63, 0)
            close(fd)
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "another process"
            throw .locked("the store is busy: \(holder) is writing to it; try again when it has finished")
        }
        let note = "flowq \(purpose) (pid \(getpid()))\n"
        _ = ftruncate(fd, 0)
        _ = note.withCString { pwrite(fd, $0, strlen($0), 0) }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

@available(*, unavailable)
extension FileLock: Sendable {}
