import FlowModel
import FlowStore
import Foundation

/// Writes a finished report to the path a user named, doing what that path means:
///
/// - a regular file (or a new name) is replaced atomically: the text goes to a temporary file
///   beside it, is synced, and is renamed over it, so a reader never sees half a report;
/// - a symbolic link is followed: its target is written (atomically, as above), the link stays;
/// - a device or a FIFO (`/dev/stdout`, `/dev/null`, a pipe) is written through, never replaced;
/// - a path inside the store is refused: a report must never replace `catalog.db` or a partition.
public enum OutputFile {
    /// Why the report could not be written.
    public struct Failure: Error, LocalizedError, Sendable {
        /// The path as the user named it.
        public var path: String
        /// What went wrong.
        public var reason: String
        public var errorDescription: String? { "cannot write the report to \(DisplayText.escaped(path)): \(reason)" }
    }

    /// Writes `text` to `path` (a `~` is expanded); refuses paths inside `store`.
    /// Returns the path actually written (a link's target).
    @discardableResult
    public static func write(_ text: String, to path: String, refusingInside store: FlowStore?) throws(Failure) -> String {
        let named = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
        let target = try resolveLinks(named, as: path)
        if let store, isInside(target, folder: store.url.path) {
            throw Failure(path: path, reason: "that is inside the flowq store at \(store.url.path), which only flowq writes; choose a path outside it")
        }
        var info = stat()
        if stat(target, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw Failure(path: path, reason: "it is a folder; name a file")
            default: return try writeThrough(text, to: target, as: path)
            }
        }
        try replace(target, with: text, mode: stat(target, &info) == 0 ? info.st_mode & 0o7777 : 0o644, as: path)
        return target
    }

    /// The path with every symbolic link resolved, the last one even if its target is missing.
    private static func resolveLinks(_ path: String, as named: String) throws(Failure) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else {
                // Resolve links in the folders above, so "inside the store" sees through them.
                let folder = (current as NSString).deletingLastPathComponent
                let name = (current as NSString).lastPathComponent
                guard let real = realpath(folder, nil) else { throw Failure(path: named, reason: "its folder \(folder) does not exist") }
                defer { free(real) }
                let base = String(cString: real)
                return base == "/" ? "/" + name : base + "/" + name
            }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length >= 0 else { throw Failure(path: named, reason: "cannot read the link: \(String(cString: strerror(errno)))") }
            let destination = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/") ? destination
                : URL(fileURLWithPath: (current as NSString).deletingLastPathComponent).appendingPathComponent(destination).standardizedFileURL.path
        }
        throw Failure(path: named, reason: "too many levels of symbolic links")
    }

    private static func isInside(_ path: String, folder: String) -> Bool {
        guard let real = realpath(folder, nil) else { return false }
        defer { free(real) }
        let root = String(cString: real)
        return path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// Writes to a device or FIFO in place.
    private static func writeThrough(_ text: String, to target: String, as named: String) throws(Failure) -> String {
        // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of hanging.
        let fd = open(target, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw Failure(path: named, reason: errno == ENXIO ? "it is a FIFO that nobody is reading" : String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        try writeAll(text, to: fd, as: named)
        return target
    }

    /// Replaces a regular file atomically: temporary file, fsync, rename.
    private static func replace(_ target: String, with text: String, mode: mode_t, as named: String) throws(Failure) {
        let folder = (target as NSString).deletingLastPathComponent
        var template = Array((folder + "/." + (target as NSString).lastPathComponent + ".flowq-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw Failure(path: named, reason: "cannot create a file in \(folder): \(String(cString: strerror(errno)))") }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            fchmod(fd, mode)
            try writeAll(text, to: fd, as: named)
            guard fsync(fd) == 0 else { throw Failure(path: named, reason: String(cString: strerror(errno))) }
        }
        guard rename(temporary, target) == 0 else { throw Failure(path: named, reason: String(cString: strerror(errno))) }
        renamed = true
    }

    private static func writeAll(_ text: String, to fd: Int32, as named: String) throws(Failure) {
        var text = text
        let failure: Int32? = text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(fd, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure { throw Failure(path: named, reason: String(cString: strerror(failure))) }
    }
}
