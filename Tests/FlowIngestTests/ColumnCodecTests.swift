import FlowModel
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowSamples
@testable import FlowStore

/// Round trips of the column encoding (issue 12): every encoding, NULL runs, all-equal columns,
/// the extremes of Int64, random access by position, and the store's text and address columns
/// through ingest, each compared with the values put in.
@Suite("Column segments encode and decode exactly")
struct ColumnCodecTests {
    /// Encodes `values` (nil = NULL), then decodes the whole column and every third position;
    /// returns the encoding chosen.
    @discardableResult
    private func roundTrip(_ values: [Int64?], sourceLocation: SourceLocation = #_sourceLocation) throws -> IntegerColumnCodec.Kind? {
        let raw = values.map { $0 ?? 0 }
        let flags = values.map { $0 == nil }
        let scratch = EncoderScratch()
        let encoded = raw.withUnsafeBufferPointer { numbers in
            flags.withUnsafeBufferPointer { nulls in
                IntegerColumnCodec.encode(numbers, isNull: flags.contains(true) ? nulls : nil, scratch: scratch)
            }
        }
        let present = values.compactMap { $0 }
        #expect(encoded.nullCount == values.count - present.count, sourceLocation: sourceLocation)
        #expect(encoded.minimum == present.min(), sourceLocation: sourceLocation)
        #expect(encoded.maximum == present.max(), sourceLocation: sourceLocation)

        // The blob carries a tail in the store (word mappings, IPv6 tables): decoding must say
        // where the column ends, so test with bytes after it.
        let blob = encoded.bytes + [0xAB, 0xCD]
        var decoded = [Int64](repeating: -1, count: values.count)
        var nulls: [Bool]? = nil
        let used = try blob.withUnsafeBytes { bytes in
            #expect(try IntegerColumnCodec.count(of: bytes) == values.count, sourceLocation: sourceLocation)
            return try decoded.withUnsafeMutableBufferPointer { try IntegerColumnCodec.decode(bytes, into: $0.baseAddress!, isNull: &nulls) }
        }
        #expect(used == encoded.bytes.count, sourceLocation: sourceLocation)
        let back: [Int64?] = decoded.indices.map { nulls?[$0] == true ? nil : decoded[$0] }
        #expect(back == values, sourceLocation: sourceLocation)

        let positions = stride(from: values.count - 1, through: 0, by: -3).map { Int32($0) }
        var picked = [Int64](repeating: -1, count: positions.count)
        var pickedNulls: [Bool]? = nil
        try blob.withUnsafeBytes { bytes in
            try positions.withUnsafeBufferPointer { at in
                try picked.withUnsafeMutableBufferPointer { _ = try IntegerColumnCodec.decode(bytes, at: at, into: $0.baseAddress!, isNull: &pickedNulls) }
            }
        }
        let pickedBack: [Int64?] = picked.indices.map { pickedNulls?[$0] == true ? nil : picked[$0] }
        #expect(pickedBack == positions.map { values[Int($0)] }, sourceLocation: sourceLocation)
        return encoded.bytes.first.flatMap(IntegerColumnCodec.Kind.init(rawValue:))
    }

    @Test("all NULL, constant, frame of reference and dictionary columns, with and without NULLs")
    func encodings() throws {
        #expect(try roundTrip([nil, nil, nil]) == .allNull)
        #expect(try roundTrip([Int64](repeating: 443, count: 1000)) == .constant)
        // All equal but for NULLs: not a constant (the constant encoding has no NULLs).
        #expect(try roundTrip([7, nil, 7, 7, nil]) != .constant)
        var random = SplitMix64(seed: 12)
        let wide = (0..<5000).map { _ in Int64(random.next() % 1_000_000_000) }
        #expect(try roundTrip(wide) == .frameOfReference)
        let few = (0..<5000).map { _ in [80, 443, 8080, 1_000_000_007][Int(random.next() % 4)] as Int64 }
        #expect(try roundTrip(few) == .dictionary)
        #expect(try roundTrip(few.enumerated().map { $0.offset % 7 == 0 ? nil : $0.element }) == .dictionary)
        #expect(try roundTrip(wide.enumerated().map { $0.offset % 5 == 0 ? nil : $0.element }) == .frameOfReference)
    }

    @Test("runs of NULLs at the start, the middle and the end")
    func nullRuns() throws {
        var values: [Int64?] = Array(repeating: nil, count: 300) + (0..<300).map { Int64($0 * 3) }
        values += Array(repeating: nil, count: 500) + (0..<10).map { Int64($0) } + Array(repeating: nil, count: 65)
        try roundTrip(values)
        try roundTrip([nil] + Array(repeating: 5, count: 99))
        try roundTrip(Array(repeating: 5, count: 99) + [nil])
    }

    @Test("the extremes of 64-bit integers, with and without NULLs")
    func extremes() throws {
        try roundTrip([Int64.min, Int64.max])
        try roundTrip([Int64.max, Int64.min, 0, -1, 1])
        // A range of 2^64 - 1 leaves no code for NULL in frame of reference.
        try roundTrip([Int64.min, nil, Int64.max, nil])
        try roundTrip([Int64.max - 1, Int64.max, nil])
        try roundTrip([Int64.min, Int64.min + 1, nil])
        var random = SplitMix64(seed: 99)
        try roundTrip((0..<4097).map { _ in Int64(bitPattern: random.next()) })
        try roundTrip((0..<4097).map { index in index % 2 == 0 ? nil : Int64(bitPattern: random.next()) })
    }

    @Test("bit widths 0 to 64 round-trip at every alignment", arguments: [0, 1, 2, 3, 7, 8, 13, 31, 32, 33, 47, 63, 64])
    func widths(width: Int) throws {
        var random = SplitMix64(seed: UInt64(width) + 1)
        let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        for count in [1, 63, 64, 65, 1000] {
            let values = (0..<count).map { _ in random.next() & mask }
            var packed = [UInt8](repeating: 0, count: BitPacking.byteCount(count: count, width: width))
            values.withUnsafeBufferPointer { input in packed.withUnsafeMutableBytes { BitPacking.pack(input, width: width, into: $0.baseAddress!) } }
            var back = [Int64](repeating: 0, count: count)
            packed.withUnsafeBytes { raw in
                back.withUnsafeMutableBufferPointer { BitPacking.unpack(raw.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, count: count, width: width, base: 0, into: $0.baseAddress!) }
            }
            #expect(back.map { UInt64(bitPattern: $0) } == values, "width \(width), count \(count)")
        }
    }

    @Test("a damaged column is an error, never a crash")
    func damaged() throws {
        let scratch = EncoderScratch()
        let values: [Int64] = (0..<1000).map { $0 * 7 }
        let encoded = values.withUnsafeBufferPointer { IntegerColumnCodec.encode($0, isNull: nil, scratch: scratch) }
        for cut in [0, 3, 6, 10, encoded.bytes.count - 1] {
            let blob = Array(encoded.bytes.prefix(cut))
            var out = [Int64](repeating: 0, count: 1000)
            var nulls: [Bool]? = nil
            #expect(throws: IntegerColumnCodec.CorruptColumn.self) {
                try blob.withUnsafeBytes { bytes in
                    try out.withUnsafeMutableBufferPointer { _ = try IntegerColumnCodec.decode(bytes, into: $0.baseAddress!, isNull: &nulls) }
                }
            }
        }
    }

    @Test("every field type through ingest: IPv4, IPv6 and mapped addresses, words, NULL runs, extreme numbers")
    func throughIngest() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id flow-direction tcp-flags pkt-src-aws-service new-field"
        var lines: [String] = [header]
        var expected: [[String]] = []
        var random = SplitMix64(seed: 7)
        let addresses = ["10.0.0.1", "2001:db8::1", "::ffff:10.0.0.9", "255.255.255.255", "0.0.0.0", "fe80::1:2:3:4", "::"]
        for index in 0..<3000 {
            let source = addresses[Int(random.next() % UInt64(addresses.count))]
            let destination = index < 1200 ? "-" : addresses[index % addresses.count]     // a long NULL run
            let bytes = index % 11 == 0 ? "9223372036854775807" : index % 13 == 0 ? "0" : String(random.next() % 100_000)
            let vpc = index % 3 == 0 ? "-" : "vpc-\(index % 5)"
            let direction = ["ingress", "egress", "-"][index % 3]
            let service = index >= 2900 ? "S3" : "-"                                        // NULL but for a run at the end
            let extra = "x\(index % 2)"
            let start = 1_704_412_800 + Int64(index)
            lines.append("5 123456789012 eni-\(index % 4) \(source) \(destination) \(index % 65536) 443 6 1 \(bytes) \(start) \(start + 5) \(index % 2 == 0 ? "ACCEPT" : "REJECT") OK \(vpc) \(direction) 2 \(service) \(extra)")
            expected.append([normalized(source), destination == "-" ? "NULL" : normalized(destination), bytes,
                             vpc == "-" ? "NULL" : vpc, direction == "-" ? "NULL" : direction, service == "-" ? "NULL" : service, extra])
        }
        let path = try folder.write("a.log", lines.joined(separator: "\n") + "\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [path])
        #expect(summary.recordsStored == 3000)
        let rows = try SegmentDump.rows(store: store, day: PartitionDay(unixSeconds: 1_704_412_800),
                                        columns: ["srcaddr", "dstaddr", "bytes", "vpc_id", "flow_direction", "pkt_src_aws_service", "new_field"])
        #expect(rows == expected)
        #expect(try StoreChecker(store: store).run().problems.isEmpty)
    }

    /// An address as flowq prints it (RFC 5952).
    private func normalized(_ text: String) -> String {
        IPAddress(text)?.text ?? text
    }
}
