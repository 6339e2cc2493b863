import FlowStore
import Foundation

/// Turns the paths a user names into the files to read.
///
/// A folder is searched recursively for `.log.gz`, `.gz`, `.log` and `.parquet` files; a path with glob
/// characters that names no file is expanded with `glob(3)`; `-` is standard input. Files come
/// out sorted, each once, so a run is repeatable.
///
/// Symbolic links are followed, both the paths given (a crontab's `/data/AWSLogs` is often a
/// link to a mount) and links inside the tree, to files and to folders; a folder reached a
/// second time through links (a loop, or two links to one place) is read once. What cannot be
/// read is never skipped silently: an unreadable folder, a broken link or a path that is not
/// a regular file (a FIFO, a device, a socket) is listed as a problem, which the ingest reports
/// as a rejected input (exit status 3) while it reads everything else.
public enum InputFiles {
    /// What the paths name.
    public struct Expansion: Sendable, Equatable {
        /// Regular files to read (and `-`), in order.
        public var files: [String] = []
        /// Paths that could not be read, with why.
        public var problems: [(path: String, reason: String)] = []

        public static func == (lhs: Expansion, rhs: Expansion) -> Bool {
            lhs.files == rhs.files && lhs.problems.map(\.path) == rhs.problems.map(\.path) && lhs.problems.map(\.reason) == rhs.problems.map(\.reason)
        }
    }

    /// The files named by `paths`; throws only when a named path does not exist at all.
    public static func expand(_ paths: [String]) throws(StoreError) -> Expansion {
        var expansion = Expansion()
        var seen = Set<String>()
        var visitedFolders = Set<FileIdentity>()
        func add(_ path: String) {
            if seen.insert(path).inserted { expansion.files.append(path) }
        }
        for path in paths {
            if path == "-" {
                add(path)
                continue
            }
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            var info = stat()
            if stat(absolute, &info) == 0 {
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    var found: [String] = []
                    walk(absolute, identity: FileIdentity(info), visited: &visitedFolders, found: &found, problems: &expansion.problems)
                    for file in found.sorted() { add(file) }
                case S_IFREG:
                    add(absolute)
                default:
                    expansion.problems.append((absolute, notRegular(info.st_mode)))
                }
            } else if errno != ENOENT && errno != ENOTDIR {
                expansion.problems.append((absolute, "cannot read: \(String(cString: strerror(errno)))"))
            } else if path.contains(where: { "*?[".contains($0) }) {
                let matches = glob(absolute)
                guard !matches.isEmpty else { throw .io("no file matches \(path)", errno: ENOENT) }
                for match in matches {
                    var matched = stat()
                    guard stat(match, &matched) == 0 else {
                        expansion.problems.append((match, "cannot read: \(String(cString: strerror(errno)))"))
                        continue
                    }
                    switch matched.st_mode & S_IFMT {
                    case S_IFREG: add(match)
                    case S_IFDIR: continue // a glob names files; folders it matches are not searched
                    default: expansion.problems.append((match, notRegular(matched.st_mode)))
                    }
                }
            } else if lstat(absolute, &info) == 0 {
                expansion.problems.append((absolute, "a broken symbolic link (its target does not exist)"))
            } else {
                throw .io("cannot read \(path)", errno: ENOENT)
            }
        }
        return expansion
    }

    /// True for names flowq reads when it searches a folder.
    public static func isFlowLogName(_ name: String) -> Bool {
        name.hasSuffix(".log.gz") || name.hasSuffix(".gz") || name.hasSuffix(".log") || name.hasSuffix(".parquet")
    }

    /// A file's device and inode: one folder reached by two paths has one identity.
    private struct FileIdentity: Hashable {
        let device: UInt64
        let inode: UInt64
        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Collects the flow-log files under `folder`, following links, each folder once.
    private static func walk(
        _ folder: String, identity: FileIdentity, visited: inout Set<FileIdentity>, found: inout [String],
        problems: inout [(path: String, reason: String)]
    ) {
        guard visited.insert(identity).inserted else { return }
        guard let directory = opendir(folder) else {
            problems.append((folder, "cannot read the folder: \(String(cString: strerror(errno))); the files in it were not read"))
            return
        }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { problems.append((folder, "cannot list the folder: \(String(cString: strerror(errno)))")) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        for name in names.sorted() {
            let path = folder == "/" ? "/" + name : folder + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else {
                // Only names flowq would read are worth a message (a broken link to a log file).
                if isFlowLogName(name), !name.hasPrefix(".") {
                    var link = stat()
                    let reason = lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK
                        ? "a broken symbolic link (its target does not exist)" : "cannot read: \(String(cString: strerror(errno)))"
                    problems.append((path, reason))
                }
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                walk(path, identity: FileIdentity(info), visited: &visited, found: &found, problems: &problems)
            case S_IFREG:
                if isFlowLogName(name), !name.hasPrefix(".") { found.append(path) }
            default:
                if isFlowLogName(name), !name.hasPrefix(".") { problems.append((path, notRegular(info.st_mode))) }
            }
        }
    }

    /// Why a path that is not a regular file is not read.
    private static func notRegular(_ mode: mode_t) -> String {
        let kind: String
        switch mode & S_IFMT {
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        return "\(kind), not a regular file: not read (to read a stream, pipe it into `flowq ingest -`)"
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }.sorted()
    }
}
