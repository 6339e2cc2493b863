import Foundation

/// Turns the paths a user names into the files to read.
///
/// A folder is searched recursively for `.log.gz`, `.gz` and `.log` files; a path with glob
/// characters that names no file is expanded with `glob(3)`; `-` is standard input. Files come
/// out sorted, each once, so a run is repeatable.
public enum InputFiles {
    /// The files named by `paths`.
    public static func expand(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        func add(_ path: String) {
            if seen.insert(path).inserted { result.append(path) }
        }
        for path in paths {
            if path == "-" {
                add(path)
                continue
            }
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    for file in try files(under: absolute) { add(file) }
                } else {
                    add(absolute)
                }
            } else if path.contains(where: { "*?[".contains($0) }) {
                let matches = glob(absolute)
                guard !matches.isEmpty else { throw StoreError.io("no file matches \(path)", errno: ENOENT) }
                for match in matches { add(match) }
            } else {
                throw StoreError.io("cannot read \(path)", errno: ENOENT)
            }
        }
        return result
    }

    /// True for names flowq reads when it searches a folder.
    public static func isFlowLogName(_ name: String) -> Bool {
        name.hasSuffix(".log.gz") || name.hasSuffix(".gz") || name.hasSuffix(".log")
    }

    private static func files(under folder: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard isFlowLogName(name), !name.hasPrefix(".") else { continue }
            let full = folder + "/" + relative
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(full)
            }
        }
        return found.sorted()
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }
}
