import Testing
@testable import FlowParquet

@Suite("RLE / bit-packing hybrid")
struct RLEBitPackedDecoderTests {
    /// (description, bytes, bit width, expected values).
    static let vectors: [(String, [UInt8], Int, [UInt32])] = [
        // Encodings.md's bit-packing example: 0...7 at width 3 is 10001000 11000110 11111010.
        ("spec bit-packed 0-7", [0x03, 0x88, 0xC6, 0xFA], 3, [0, 1, 2, 3, 4, 5, 6, 7]),
        ("RLE run", [0x10, 0x05], 3, [UInt32](repeating: 5, count: 8)),
        ("RLE run, 2-byte value", [0x06, 0x34, 0x12], 13, [0x1234, 0x1234, 0x1234]),
        ("RLE then bit-packed", [0x08, 0x01, 0x03, 0b1010_1010], 1, [1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1]),
        ("bit width 0", [0x0A], 0, [0, 0, 0, 0, 0]),
        ("two packed groups of width 1", [0x05, 0xFF, 0x00], 1, [UInt32](repeating: 1, count: 8) + [UInt32](repeating: 0, count: 8)),
        ("width 32 RLE", [0x02, 0xFF, 0xFF, 0xFF, 0xFF], 32, [UInt32.max]),
        ("width 32 packed", [0x03] + [UInt8](repeating: 0, count: 28) + [0x78, 0x56, 0x34, 0x12], 32,
         [0, 0, 0, 0, 0, 0, 0, 0x1234_5678]),
        ("long RLE header varint", [0x80, 0x01, 0x07], 3, [UInt32](repeating: 7, count: 64)),
        ("last packed run cut short", [0x03, 0b0001_1011], 2, [3, 2, 1, 0]),
    ]

    @Test("decodes hand-built vectors", arguments: 0..<vectors.count)
    func decodes(index: Int) throws {
        let (name, bytes, width, expected) = RLEBitPackedDecoderTests.vectors[index]
        #expect(try RLEBitPackedDecoder.decode(bytes, bitWidth: width, count: expected.count) == expected, "\(name)")
    }

    /// (description, bytes, bit width, values requested, message fragment).
    static let invalid: [(String, [UInt8], Int, Int, String)] = [
        ("run past the end", [0x04, 0x01], 1, 3, "ends early"),
        ("empty input", [], 1, 1, "ends early"),
        ("RLE value wider than width", [0x02, 0x05], 2, 1, "does not fit"),
        ("RLE value bytes missing", [0x02, 0x05], 9, 1, "past the end"),
        ("header varint cut off", [0x80], 1, 1, "ends early"),
        ("zero-length RLE run", [0x00, 0x01], 1, 1, "length 0"),
        ("bit width over 32", [0x02, 0x00], 33, 1, "outside"),
        ("packed run with no bytes", [0x03], 3, 1, "past the end"),
    ]

    @Test("rejects bad input with an error", arguments: 0..<invalid.count)
    func rejects(index: Int) {
        let (name, bytes, width, count, fragment) = RLEBitPackedDecoderTests.invalid[index]
        do {
            _ = try RLEBitPackedDecoder.decode(bytes, bitWidth: width, count: count)
            Issue.record("\(name): decoded instead of failing")
        } catch let error as ParquetError {
            #expect(error.message.contains(fragment), "\(name): \(error.message)")
        } catch {
            Issue.record("\(name): non-Parquet error \(error)")
        }
    }

    @Test("random input never traps", arguments: [1, 2, 7, 17, 32])
    func garbage(width: Int) {
        var rng = SplitMix64(state: UInt64(width))
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0..<24, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? RLEBitPackedDecoder.decode(bytes, bitWidth: width, count: Int.random(in: 1..<100, using: &rng))
        }
    }
}
