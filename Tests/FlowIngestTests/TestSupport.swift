import Foundation
@testable import FlowIngest
@testable import FlowSamples

/// A fresh temporary folder, removed by the caller with `remove()`.
struct TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` as a plain file.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = self.path(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes each of `members` as its own gzip member of one file.
    @discardableResult
    func writeGzip(_ name: String, members: [String]) throws -> String {
        let path = self.path(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let writer = try GzipWriter(path: path)
        for member in members {
            try writer.write(member)
            try writer.finishMember()
        }
        try writer.close()
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Reads every line of a file through the production reader.
func readLines(_ path: String, maximumLineLength: Int = LineReader.defaultMaximumLineLength) throws -> [String] {
    let reader = try DecompressingReader(path: path)
    var lines: [String] = []
    try LineReader(source: reader, bufferSize: 1 << 17, maximumLineLength: maximumLineLength).forEach { event in
        switch event {
        case .line(let bytes, _): lines.append(String(decoding: bytes, as: UTF8.self))
        case .overlongLine(let number): lines.append("<overlong \(number)>")
        }
    }
    return lines
}

let defaultHeader = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
