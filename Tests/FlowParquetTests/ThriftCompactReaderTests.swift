import Testing
@testable import FlowParquet

@Suite("Thrift compact protocol")
struct ThriftCompactReaderTests {
    /// A dictionary PageHeader with unknown fields of every compact type woven between
    /// the known ones, including long-form field ids and a negative id delta.
    static let pageHeaderWithUnknowns: [UInt8] = {
        var b: [UInt8] = []
        b += Compact.field(delta: 1, type: 5) + Compact.zigzag(2)          // 1 type = DICTIONARY_PAGE
        b += Compact.field(delta: 1, type: 5) + Compact.zigzag(100)        // 2 uncompressed size
        b += Compact.field(delta: 1, type: 5) + Compact.zigzag(90)         // 3 compressed size
        b += Compact.field(id: 50, type: 9) + [0x25] + Compact.zigzag(1) + Compact.zigzag(-2)  // list<i32>
        b += Compact.field(delta: 1, type: 1)                              // 51 bool true
        b += Compact.field(delta: 1, type: 2)                              // 52 bool false
        b += Compact.field(delta: 1, type: 3) + [0xFE]                     // 53 byte
        b += Compact.field(delta: 1, type: 4) + Compact.zigzag(-300)       // 54 i16
        b += Compact.field(delta: 1, type: 6) + Compact.zigzag(Int64.min)  // 55 i64
        b += Compact.field(delta: 1, type: 7) + [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]  // 56 double 1.0
        b += Compact.field(delta: 1, type: 8) + Compact.varint(3) + Array("abc".utf8)  // 57 binary
        b += Compact.field(delta: 1, type: 10) + [0x28, 0x01, 0x78, 0x00]  // 58 set<binary> of 2
        b += Compact.field(delta: 1, type: 9) + [0x21, 0x01, 0x02]         // 59 list<bool> of 2
        // 60 map<binary, struct{1: double, 2: binary, 3: list<struct{}>}> of 1 entry
        b += Compact.field(delta: 1, type: 11) + Compact.varint(1) + [0x8C] + Compact.varint(1) + Array("k".utf8)
        b += Compact.field(delta: 1, type: 7) + [UInt8](repeating: 0, count: 8)
        b += Compact.field(delta: 1, type: 8) + Compact.varint(2) + Array("hi".utf8)
        b += Compact.field(delta: 1, type: 9) + [0x2C, 0x00, 0x00]
        b += [0x00]
        b += Compact.field(delta: 1, type: 11) + Compact.varint(0)         // 61 empty map
        b += Compact.field(delta: 1, type: 9) + [0xF5] + Compact.varint(16) + [UInt8](repeating: 0x02, count: 16)  // 62 long list
        // 7 dictionary_page_header (negative delta, so long form), with its own unknown
        // nested struct whose field ids must not leak into the outer struct's deltas.
        b += Compact.field(id: 7, type: 12)
        b += Compact.field(delta: 1, type: 5) + Compact.zigzag(3)          // num_values
        b += Compact.field(id: 40, type: 12) + Compact.field(delta: 1, type: 12) + Compact.field(delta: 2, type: 5) + Compact.zigzag(9) + [0x00, 0x00]
        b += Compact.field(id: 2, type: 5) + Compact.zigzag(0)             // encoding PLAIN
        b += Compact.field(delta: 1, type: 1)                              // is_sorted
        b += [0x00]
        b += Compact.field(delta: 1, type: 6) + Compact.zigzag(42)         // 8 as i64: wrong type, skipped
        b += [0x00]
        return b
    }()

    @Test("skips unknown fields of every type and keeps the known ones")
    func skipsUnknownFields() throws {
        var reader = ThriftCompactReader(ThriftCompactReaderTests.pageHeaderWithUnknowns)
        let header = try PageHeader.decode(&reader)
        #expect(header.type == PageHeader.dictionaryPageType)
        #expect(header.uncompressedSize == 100)
        #expect(header.compressedSize == 90)
        #expect(header.dictionaryPage?.numValues == 3)
        #expect(header.dictionaryPage?.encoding == 0)
        #expect(header.dataPageV2 == nil)
        #expect(reader.remaining == 0)
    }

    @Test("primitive decoding")
    func primitives() throws {
        var r = ThriftCompactReader(Compact.zigzag(-1) + Compact.zigzag(Int64.max) + Compact.varint(300) + [0x03] + Array("xyz".utf8))
        #expect(try r.readI32() == -1)
        #expect(try r.readI64() == Int64.max)
        #expect(try r.readVarint() == 300)
        #expect(try r.readString() == "xyz")
    }

    @Test("every truncation of a valid header is an error, never a trap")
    func truncations() {
        let full = ThriftCompactReaderTests.pageHeaderWithUnknowns
        for length in 0..<full.count {
            var reader = ThriftCompactReader(Array(full[0..<length]))
            #expect(throws: ParquetError.self) { try PageHeader.decode(&reader) }
        }
    }

    /// (description, bytes) of hostile inputs that must fail cleanly.
    static let hostile: [(String, [UInt8])] = [
        ("nesting 200 deep", [UInt8](repeating: 0x1C, count: 200) + [UInt8](repeating: 0, count: 200)),
        ("list count past the end", [0x19, 0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ("binary length past the end", [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x41]),
        ("map count past the end", [0x1B, 0xFF, 0xFF, 0x03, 0x55]),
        ("varint too long", [0x15] + [UInt8](repeating: 0xFF, count: 11)),
        ("invalid field type", [0x1D, 0x00]),
        ("i32 out of range", [0x15] + Compact.zigzag(Int64(Int32.max) + 1) + [0x00]),
        ("list of invalid type", [0x19, 0x1F, 0x00]),
        ("map of STOP keys", [0x1B, 0x01, 0x05, 0x00]),
    ]

    @Test("hostile inputs give ParquetError", arguments: 0..<hostile.count)
    func hostileInput(index: Int) {
        let (name, bytes) = ThriftCompactReaderTests.hostile[index]
        var reader = ThriftCompactReader(bytes)
        #expect(throws: ParquetError.self, "\(name)") { try PageHeader.decode(&reader) }
    }

    @Test("random bytes never trap")
    func fuzz() {
        var rng = SplitMix64(state: 99)
        for _ in 0..<3000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var reader = ThriftCompactReader(bytes)
            _ = try? FileMetaData.decode(&reader)
        }
    }
}
