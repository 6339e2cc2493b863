import Foundation
import Testing
@testable import FlowParquet

@Suite("Hostile and unsupported input")
struct HostileInputTests {
    private func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixturePath(name))))
    }

    @Test("truncated files fail with ParquetError at every length",
          arguments: ["flows-gzip-v1-dict.parquet", "flows-snappy-v2-plain.parquet"])
    func truncated(name: String) throws {
        let bytes = try fixtureBytes(name)
        let path = try temporaryFile([], name: "truncated-\(name)")
        var lengths = Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 80)))
        lengths += Array((bytes.count - 40)..<bytes.count)
        for length in lengths {
            try Data(bytes[0..<length]).write(to: URL(fileURLWithPath: path))
            let (error, _) = decodeExpectingOnlyParquetErrors(path)
            guard let error else { Issue.record("length \(length): decoded a truncated file"); continue }
            #expect(error is ParquetError, "length \(length): \(error)")
        }
    }

    @Test("random byte flips give ParquetError or data, never a trap",
          arguments: ["flows-gzip-v2-dict.parquet", "flows-snappy-v1-plain.parquet", "flows-none-v1-dict.parquet",
                      "flows-extra-columns-v2.parquet"])
    func flips(name: String) throws {
        let original = try fixtureBytes(name)
        let path = try temporaryFile([], name: "flipped-\(name)")
        var rng = SplitMix64(state: UInt64(original.count))
        var errors = 0
        // Half the cases aim at the footer, where a flip changes structure rather than
        // one value.
        let footerLength = Int(original[original.count - 8]) | Int(original[original.count - 7]) << 8
        let footerStart = original.count - 8 - footerLength
        for i in 0..<150 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = i % 2 == 0 ? Int.random(in: footerStart..<(original.count - 8), using: &rng)
                                    : Int.random(in: 0..<original.count, using: &rng)
                bytes[at] ^= UInt8.random(in: 1...255, using: &rng)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let (error, _) = decodeExpectingOnlyParquetErrors(path)
            if let error {
                errors += 1
                #expect(error is ParquetError, "case \(i): \(error)")
                #expect(!"\(error)".isEmpty)
            }
        }
        #expect(errors > 0)
    }

    @Test("wrong magic at either end")
    func wrongMagic() throws {
        var bytes = try fixtureBytes("flows-none-v1-plain.parquet")
        bytes[0] = 0x51
        let head = try temporaryFile(bytes, name: "bad-head.parquet")
        #expect { try ParquetFile(path: head) } throws: { ($0 as? ParquetError)?.kind == .notParquet }
        bytes[0] = 0x50
        bytes[bytes.count - 1] = 0x30
        let tail = try temporaryFile(bytes, name: "bad-tail.parquet")
        #expect { try ParquetFile(path: tail) } throws: { error in
            let e = error as? ParquetError
            return e?.kind == .truncated && "\(error)".hasPrefix("bad-tail.parquet: ")
        }
        let text = try temporaryFile(Array("2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 0 1 ACCEPT OK\n".utf8), name: "text.log")
        #expect { try ParquetFile(path: text) } throws: { ($0 as? ParquetError)?.kind == .notParquet }
        #expect { try ParquetFile(path: "/nonexistent/flows.parquet") } throws: { ($0 as? ParquetError)?.kind == .io }
    }

    @Test("footer length past the start of the file")
    func footerTooLong() throws {
        var bytes = try fixtureBytes("flows-none-v1-plain.parquet")
        bytes[bytes.count - 5] = 0x7F
        let path = try temporaryFile(bytes, name: "long-footer.parquet")
        #expect { try ParquetFile(path: path) } throws: { "\($0)".contains("footer length") }
    }

    @Test("unsupported codec names the codec and column")
    func zstd() throws {
        let file = try ParquetFile(path: fixturePath("reject-zstd.parquet"))
        #expect(file.rowCount == 3)
        #expect { _ = try file.rows(ofRowGroup: 0, columns: [0], batchSize: 10) } throws: { error in
            let text = "\(error)"
            return (error as? ParquetError)?.kind == .unsupported
                && text == "reject-zstd.parquet: column 'srcport', row group 0: unsupported codec ZSTD (UNCOMPRESSED, GZIP and SNAPPY are supported)"
        }
    }

    @Test("unsupported encoding names the encoding, column, page and offset")
    func delta() throws {
        let file = try ParquetFile(path: fixturePath("reject-delta.parquet"))
        let reader = try file.rows(ofRowGroup: 0, columns: [0], batchSize: 10)
        #expect { _ = try reader.next() } throws: { error in
            let text = "\(error)"
            return text.contains("DELTA_BINARY_PACKED") && text.contains("column 'srcport'")
                && text.contains("row group 0, page 0 at byte 4:")
        }
        #expect(try reader.next() == nil)
    }

    @Test("nested columns are rejected naming the column")
    func nested() {
        #expect { try ParquetFile(path: fixturePath("reject-nested.parquet")) } throws: { error in
            (error as? ParquetError)?.kind == .unsupported && "\(error)".contains("column 'tags'")
        }
    }

    @Test("INT96 columns are listed but rejected when read")
    func int96() throws {
        let file = try ParquetFile(path: fixturePath("reject-int96.parquet"))
        #expect(file.columns.first?.physicalType == .int96)
        #expect { _ = try file.rows(ofRowGroup: 0, columns: [0], batchSize: 10) } throws: { "\($0)".contains("INT96") }
    }

    @Test("bad arguments are errors")
    func arguments() throws {
        let file = try ParquetFile(path: fixturePath("flows-none-v1-plain.parquet"))
        #expect(throws: ParquetError.self) { try file.rows(ofRowGroup: 99, columns: [0], batchSize: 10) }
        #expect(throws: ParquetError.self) { try file.rows(ofRowGroup: 0, columns: [999], batchSize: 10) }
        #expect(throws: ParquetError.self) { try file.rows(ofRowGroup: 0, columns: [0], batchSize: 0) }
    }

    @Test("error message format")
    func messageFormat() {
        let error = ParquetError(.corruptPage, "SNAPPY data ends early")
            .filling(column: "srcaddr", page: 3, byteOffset: 18_204)
            .filling(path: "/data/flows.log.parquet", column: "ignored", rowGroup: 0)
        #expect(error.description == "flows.log.parquet: column 'srcaddr', row group 0, page 3 at byte 18,204: SNAPPY data ends early")
        #expect(error.localizedDescription == error.description)
        #expect(ParquetError.grouped(1_234_567) == "1,234,567")
        #expect(ParquetError.grouped(999) == "999")
    }

    @Test("multi-member gzip inflates into one page")
    func multiMemberGzip() throws {
        let input = try fixtureBytes("two-members.gz")
        let expected = Array("first member, second member".utf8)
        var out = [UInt8](repeating: 0, count: expected.count)
        let inflater = GzipDecompressor()
        for _ in 0..<2 {  // twice: the second call exercises inflateReset
            try input.withUnsafeBytes { raw in try out.withUnsafeMutableBytes { try inflater.decompress(raw, into: $0) } }
            #expect(out == expected)
        }
        var short = [UInt8](repeating: 0, count: expected.count - 1)
        #expect(throws: ParquetError.self) {
            try input.withUnsafeBytes { raw in try short.withUnsafeMutableBytes { try inflater.decompress(raw, into: $0) } }
        }
        var long = [UInt8](repeating: 0, count: expected.count + 1)
        #expect(throws: ParquetError.self) {
            try input.withUnsafeBytes { raw in try long.withUnsafeMutableBytes { try inflater.decompress(raw, into: $0) } }
        }
        let garbage: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFF, 0xFF]
        #expect(throws: ParquetError.self) {
            try garbage.withUnsafeBytes { raw in try out.withUnsafeMutableBytes { try inflater.decompress(raw, into: $0) } }
        }
    }
}

@Suite("Targeted corruption")
struct TargetedCorruptionTests {
    @Test("dictionary index out of range names column, page and offset")
    func dictionaryIndexOutOfRange() throws {
        let name = "flows-none-v1-dict.parquet"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixturePath(name))))
        let file = try ParquetFile(path: fixturePath(name))
        let action = try #require(file.columns.firstIndex { $0.name == "action" })
        let range = file.chunkRanges[0][action]
        let start = Int(range.lowerBound)
        // The chunk starts with its dictionary page; within that header, the
        // DictionaryPageHeader struct opens (field 7, short form) and its first field is
        // num_values = 2 (zigzag 4). Make it 1: then data pages index past the end.
        var patched = false
        for i in start..<(start + 40) where (bytes[i] & 0x0F) == 0x0C && bytes[i + 1] == 0x15 && bytes[i + 2] == 0x04 {
            bytes[i + 2] = 0x02
            patched = true
            break
        }
        try #require(patched)
        let path = try temporaryFile(bytes, name: "bad-dictionary.parquet")
        let patchedFile = try ParquetFile(path: path)
        let reader = try patchedFile.rows(ofRowGroup: 0, columns: [action], batchSize: 100)
        #expect { _ = try reader.next() } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("bad-dictionary.parquet: column 'action', row group 0, page 1 at byte ")
                && text.contains("dictionary index 1 out of range (dictionary has 1 entries)")
        }
    }
}

/// A longer fuzz run over every fixture, opt-in: `FLOWPARQUET_FUZZ=20000 swift test --filter LongFuzz`.
@Suite("LongFuzz")
struct LongFuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["FLOWPARQUET_FUZZ"] ?? "") ?? 0

    @Test("byte flips, splices and truncations across all fixtures", .enabled(if: iterations > 0))
    func fuzz() throws {
        let names = oracleFixtures + ["reject-delta.parquet", "reject-zstd.parquet", "reject-int96.parquet", "reject-nested.parquet"]
        let originals = try names.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixturePath($0)))) }
        let path = try temporaryFile([], name: "long-fuzz.parquet")
        var rng = SplitMix64(state: 12345)
        var errorCount = 0
        for i in 0..<LongFuzzTests.iterations {
            var bytes = originals[i % originals.count]
            switch Int.random(in: 0..<4, using: &rng) {
            case 0, 1:
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            case 2:
                // Overwrite a run in the last 20% (the footer and late pages).
                let at = Int.random(in: (bytes.count * 4 / 5)..<(bytes.count - 8), using: &rng)
                for j in at..<min(at + Int.random(in: 1...8, using: &rng), bytes.count - 8) { bytes[j] = UInt8.random(in: 0...255, using: &rng) }
            default:
                // Cut a middle section out, keeping the tail (magic and footer length).
                let cut = Int.random(in: 4..<(bytes.count - 8), using: &rng)
                bytes.removeSubrange(cut..<min(cut + Int.random(in: 1...64, using: &rng), bytes.count - 8))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let (error, _) = decodeExpectingOnlyParquetErrors(path)
            if let error {
                errorCount += 1
                #expect(error is ParquetError, "case \(i): \(error)")
            }
        }
        print("LongFuzz: \(LongFuzzTests.iterations) cases, \(errorCount) errors, no traps")
    }
}
