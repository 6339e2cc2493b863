import FlowModel
import Testing
@testable import FlowIngest
@testable import FlowSamples
@testable import FlowStore

/// The parser's word-at-a-time helpers against plain byte-by-byte references, on every length
/// and position where their loads and shifts change (the profile-driven rewrites must accept
/// exactly what the simple code accepted).
@Suite("Ingest fast paths")
struct FastPathTests {
    /// The digit loop `DecimalDigits.number` replaced.
    private static func referenceNumber(_ bytes: [UInt8], from start: Int) -> (Int64, Int)? {
        var index = start
        var number: Int64 = 0
        while index < bytes.count {
            let digit = bytes[index] &- 0x30
            if digit >= 10 { break }
            number = number &* 10 &+ Int64(digit)
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits <= 18, index == bytes.count || bytes[index] == 0x20 || bytes[index] == 0x09 else { return nil }
        return (number, index)
    }

    /// The byte loop `IPAddress.parseIPv4` replaced.
    private static func referenceIPv4(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count >= 7, bytes.count <= 15 else { return nil }
        var result: UInt32 = 0, part: UInt32 = 0, digits = 0, dots = 0
        for byte in bytes {
            if byte >= 0x30 && byte <= 0x39 {
                if digits > 0 && part == 0 { return nil }
                part = part * 10 + UInt32(byte - 0x30)
                digits += 1
                if part > 255 { return nil }
            } else if byte == 0x2E {
                guard digits > 0, dots < 3 else { return nil }
                result = result << 8 | part
                part = 0
                digits = 0
                dots += 1
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return result << 8 | part
    }

    @Test("decimal numbers: every digit count, terminator and distance from the line's end")
    func numbersAgree() {
        var generator = SplitMix64(seed: 7)
        let terminators: [[UInt8]] = [[], [0x20], [0x09], [0x2E], [0x41], [0x2D], [0x20, 0x31, 0x32, 0x33]]
        for digits in 0...21 {
            for terminator in terminators {
                for padding in 0...18 {
                    for _ in 0..<3 {
                        var field = (0..<digits).map { _ in UInt8(0x30 + Int(generator.next() % 10)) }
                        if digits > 1 && generator.next() % 4 == 0 { field[0] = 0x30 }
                        let prefix: [UInt8] = [0x31, 0x20]
                        let line = prefix + field + terminator + [UInt8](repeating: 0x20, count: padding)
                        let expected = Self.referenceNumber(line, from: prefix.count)
                        let found = line.withUnsafeBufferPointer { DecimalDigits.number($0.baseAddress!, from: prefix.count, length: line.count) }
                        #expect(found?.value == expected?.0 && found?.end == expected?.1, "\(String(decoding: line, as: UTF8.self))")
                    }
                }
            }
        }
    }

    @Test("IPv4: the unrolled parser accepts exactly what the byte loop accepted")
    func ipv4Agrees() {
        var generator = SplitMix64(seed: 11)
        let alphabet = Array("0123456789.....a :".utf8)
        var samples: [[UInt8]] = ["0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3.04", "1.2.3.4.", ".1.2.3.4", "1.2.3.1000",
                                  "10.0.0.00", "99.99.99.99", "1.2..3.4", "001.2.3.4", "1.2.3.4 "].map { Array($0.utf8) }
        for _ in 0..<200_000 {
            let count = Int(generator.next() % 18)
            samples.append((0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            // Mostly well-formed quads with edge-valued parts.
            let parts = (0..<4).map { _ in ["0", "00", "1", "9", "10", "99", "100", "199", "255", "256", "300", "999", "012"][Int(generator.next() % 13)] }
            samples.append(Array(parts.joined(separator: ".").utf8))
        }
        for sample in samples {
            let found = sample.withUnsafeBytes { IPAddress.parseIPv4($0) }
            #expect(found == Self.referenceIPv4(sample), "\(String(decoding: sample, as: UTF8.self))")
        }
    }

    @Test("coded words: the packed comparison matches the word lists")
    func wordsAgree() {
        let vocabularies: [FlowRecordParser.Vocabulary] = [.action, .logStatus, .flowDirection, .addressType]
        let others = ["", "A", "OK ", "ACCEP", "ACCEPTS", "accept", "SKIPDAT", "SKIPDATAX", "IPv", "IPv44", "EF", "EFAA", "egres", "ingres"]
        for vocabulary in vocabularies {
            let words = FlowRecordParser.words(vocabulary)
            for candidate in words + others + vocabularies.flatMap(FlowRecordParser.words) {
                var text = candidate
                let isWord = text.withUTF8 { FlowRecordParser.isWord(UnsafeRawBufferPointer($0), of: vocabulary) }
                #expect(isWord == words.contains(candidate), "\(candidate) in \(vocabulary)")
            }
        }
    }

    @Test("bit packing writes the same words as the read-modify-write loop it replaced")
    func packingAgrees() {
        var generator = SplitMix64(seed: 3)
        for width in 1...63 {
            for count in [0, 1, 2, 3, 63, 64, 65, 127, 1000] {
                let mask: UInt64 = (1 << UInt64(width)) - 1
                let values = (0..<count).map { _ in generator.next() & mask }
                let words = (count * width + 63) / 64
                var expected = [UInt64](repeating: 0, count: words)
                var bit = 0
                for value in values {
                    let word = bit >> 6, offset = bit & 63
                    expected[word] |= value << UInt64(offset)
                    if offset + width > 64 { expected[word + 1] |= value >> UInt64(64 - offset) }
                    bit += width
                }
                var found = [UInt64](repeating: 0xDEAD_BEEF, count: words)
                values.withUnsafeBufferPointer { input in found.withUnsafeMutableBytes { BitPacking.pack(input, width: width, into: $0.baseAddress!) } }
                #expect(found == expected, "width \(width), \(count) values")
            }
        }
    }

    @Test("the interner numbers words in order of first sight, whatever their length")
    func internerAgrees() {
        var generator = SplitMix64(seed: 5)
        var interner = TextInterner()
        defer { interner.deallocate() }
        var reference: [[UInt8]: Int64] = [:]
        for _ in 0..<50_000 {
            let length = Int(generator.next() % 40)
            // A small alphabet, so that words repeat and differ in one byte at any position.
            let word = (0..<length).map { _ in UInt8(0x61 + Int(generator.next() % 3)) }
            let expected = reference[word] ?? Int64(reference.count)
            reference[word] = expected
            let code = word.withUnsafeBytes { interner.code(for: $0) }
            #expect(code == expected)
        }
        #expect(interner.count == reference.count)
    }

    @Test("the default format's written-out append stores what the general loop stores")
    func builderPathsAgree() throws {
        var header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        let layout = try header.withUTF8 { try FlowLayout(headerLine: UnsafeRawBufferPointer($0)) }
        let parser = FlowRecordParser(layout: layout)
        #expect(parser.isDefaultLayout)
        let day = PartitionDay(unixSeconds: 1_704_412_800)
        let special = SegmentBuilder(day: day, layout: layout), general = SegmentBuilder(day: day, layout: layout)
        #expect(special.isDefaultLayout)
        general.isDefaultLayout = false
        var generator = SplitMix64(seed: 9)
        let addresses = ["10.0.0.1", "172.31.0.9", "2001:db8::1", "::ffff:10.0.0.1", "255.255.255.255", "-"]
        for row in 0..<5000 {
            func pick(_ words: [String]) -> String { words[Int(generator.next() % UInt64(words.count))] }
            let fields = [pick(["2", "-"]), pick(["123456789012", "210987654321", "-"]), "eni-\(generator.next() % 50)",
                          pick(addresses), pick(addresses), String(generator.next() % 65_536), pick(["443", "-"]), pick(["6", "17"]),
                          String(generator.next() % 1000), String(generator.next() >> 2), String(1_704_412_800 + row), pick(["1704412900", "-"]),
                          pick(["ACCEPT", "REJECT", "-"]), pick(["OK", "NODATA", "SKIPDATA"])]
            var line = Array(fields.joined(separator: " ").utf8)
            line.withUnsafeMutableBytes { raw in
                let bytes = UnsafeRawBufferPointer(raw)
                guard case .record = parser.parse(bytes) else { return }
                special.append(parser, line: bytes)
                general.append(parser, line: bytes)
            }
        }
        #expect(special.rows > 4000 && special.rows == general.rows)
        let a = special.encode(fileID: 1, key: S3Key(), scratch: EncoderScratch())
        let b = general.encode(fileID: 1, key: S3Key(), scratch: EncoderScratch())
        #expect(a.columns.count == b.columns.count && a.minStart == b.minStart && a.maxEnd == b.maxEnd)
        for (x, y) in zip(a.columns, b.columns) {
            #expect(x.blob == y.blob && x.words == y.words && x.minimum == y.minimum && x.maximum == y.maximum && x.nullCount == y.nullCount, "\(x.name)")
        }
    }
}
