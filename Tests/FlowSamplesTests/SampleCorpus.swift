import FlowSamples
import Foundation

/// A corpus generated into a temporary folder, with its records read back as field maps.
struct SampleCorpus {
    let folder: URL
    let corpus: FlowLogGenerator.Corpus

    /// Generates `options` (plain files, so the records can be read back) into a new folder.
    init(_ configure: (inout FlowLogGenerator.Options) -> Void) throws {
        var options = FlowLogGenerator.Options()
        options.compress = false
        configure(&options)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-samples-\(UUID().uuidString)")
        corpus = try FlowLogGenerator(options: options).write(to: folder)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Every record of every file, as `header name: value`.
    func records() throws -> [[String: String]] {
        var records: [[String: String]] = []
        for path in corpus.files {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            guard let header = lines.first?.split(separator: " ").map(String.init) else { continue }
            for line in lines.dropFirst() {
                let values = line.split(separator: " ").map(String.init)
                records.append(Dictionary(uniqueKeysWithValues: zip(header, values)))
            }
        }
        return records
    }

    /// The inventory file named `name` (`describe-vpcs.json`).
    func inventoryFile(_ name: String) -> String {
        folder.appendingPathComponent("inventory").appendingPathComponent(name).path
    }

    /// FNV-1a over every file's path (relative to the folder) and bytes, in path order: one
    /// number that changes when any byte of the corpus does.
    func digest() throws -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        let root = folder.standardizedFileURL.path + "/"
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.sorted() ?? []
        for relative in files {
            var isDirectory: ObjCBool = false
            let path = root + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            add(Array(relative.utf8) + [0])
            add(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return hash
    }
}
