import Testing
@testable import FlowParquet

@Suite("Snappy raw-block decompressor")
struct SnappyDecompressorTests {
    private static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Hand-built blocks: (description, block, expected output).
    static let valid: [(String, [UInt8], [UInt8])] = [
        ("empty", [0x00], []),
        ("short literal", [0x05, 0x10] + bytes("hello"), bytes("hello")),
        ("literal with 1-byte length", [100, 60 << 2, 99] + [UInt8](repeating: 0x61, count: 100), [UInt8](repeating: 0x61, count: 100)),
        ("literal with 2-byte length", [0x90, 0x03, 61 << 2, 0x8F, 0x01] + [UInt8](repeating: 0x7A, count: 400), [UInt8](repeating: 0x7A, count: 400)),
        // copy, 1-byte offset: tag 01, length 4 + bits 2-4, offset bits 5-7 ++ next byte.
        ("copy-1 tag", [8, 0x0C] + bytes("abcd") + [0x01, 0x04], bytes("abcdabcd")),
        // copy, 2-byte offset: tag 10, length 1 + bits 2-7, offset LE16.
        ("copy-2 tag", [16, 0x1C] + bytes("abcdefgh") + [0x1E, 0x08, 0x00], bytes("abcdefghabcdefgh")),
        // copy, 4-byte offset: tag 11, length 1 + bits 2-7, offset LE32.
        ("copy-4 tag", [9, 0x10] + bytes("12345") + [0x0F, 0x05, 0, 0, 0], bytes("123451234")),
        ("overlapping copy", [10, 0x04] + bytes("ab") + [0x11, 0x02], bytes("ababababab")),
        ("run of one byte", [11, 0x00] + bytes("x") + [0x26, 0x01, 0x00], [UInt8](repeating: 0x78, count: 11)),
        ("copy-1 with high offset bits", [0x84, 0x02] + [60 << 2, 0xFF] + (0..<256).map { UInt8($0) } + [0x21, 0x00],
         (0..<256).map { UInt8($0) } + [0, 1, 2, 3]),
    ]

    @Test("decodes hand-built blocks", arguments: 0..<valid.count)
    func decodes(index: Int) throws {
        let (name, block, expected) = SnappyDecompressorTests.valid[index]
        #expect(try SnappyDecompressor.decompress(block) == expected, "\(name)")
    }

    static let invalid: [(String, [UInt8], String)] = [
        ("offset past the start", [8, 0x0C] + bytes("abcd") + [0x01, 0x05], "reaches outside"),
        ("offset zero", [8, 0x0C] + bytes("abcd") + [0x01, 0x00], "reaches outside"),
        ("copy before any output", [4, 0x01, 0x01], "reaches outside"),
        ("literal ends early", [5, 0x10] + bytes("hel"), "ends early"),
        ("output shorter than declared", [6, 0x10] + bytes("hello"), "ends early"),
        ("literal overruns declared length", [3, 0x10] + bytes("hello"), "overruns"),
        ("copy overruns declared length", [6, 0x0C] + bytes("abcd") + [0x01, 0x04], "overruns"),
        ("copy tag cut off", [8, 0x0C] + bytes("abcd") + [0x02, 0x04], "ends early"),
        ("no preamble", [], "ends early"),
        ("preamble too long", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "too long"),
        ("literal length bytes cut off", [100, 61 << 2, 0x01], "ends early"),
    ]

    @Test("rejects corrupt blocks with an error", arguments: 0..<invalid.count)
    func rejects(index: Int) {
        let (name, block, fragment) = SnappyDecompressorTests.invalid[index]
        do {
            let out = try SnappyDecompressor.decompress(block)
            Issue.record("\(name): decoded \(out.count) bytes instead of failing")
        } catch let error as ParquetError {
            #expect(error.message.contains(fragment), "\(name): \(error.message)")
            #expect(error.message.contains("SNAPPY"))
        } catch {
            Issue.record("\(name): non-Parquet error \(error)")
        }
    }

    @Test("random garbage never traps")
    func garbage() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<40, using: &rng)
            var block = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !block.isEmpty { block[0] &= 0x7F }  // keep the declared length small
            _ = try? SnappyDecompressor.decompress(block)
        }
    }
}
