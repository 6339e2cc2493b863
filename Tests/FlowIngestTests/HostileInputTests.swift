import FlowModel
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowSamples

/// The promises a hostile or merely odd input used to break (issue 11), each on the library.
@Suite("Hostile input keeps every promise")
struct HostileInputTests {
    static let defaultHeader = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"

    static func line(start: String = "1704412800", bytes: String = "40", src: String = "10.0.0.1", dst: String = "10.0.0.2") -> String {
        "2 123456789012 eni-1 \(src) \(dst) 1 443 6 1 \(bytes) \(start) 1704412860 REJECT OK"
    }

    private static func parse(_ line: String, header: String = defaultHeader) throws -> (FlowRecordParser, FlowRecordParser.Outcome) {
        let layout = try Array(header.utf8).withUnsafeBytes { try FlowLayout(headerLine: $0) }
        let parser = FlowRecordParser(layout: layout)
        let outcome = Array(line.utf8).withUnsafeBytes { parser.parse($0) }
        return (parser, outcome)
    }

    // MARK: 1. Times

    @Test("seconds, milliseconds and microseconds become seconds; larger values are malformed with the reason", arguments: [
        ("1704412800", Int64?(1_704_412_800)), ("1704412800123", 1_704_412_800), ("1704412800123456", 1_704_412_800),
        ("99999999999", 99_999_999_999), ("170441280012345678", nil), ("9223372036854775807", nil), ("99999999999999999999", nil),
    ])
    func times(raw: String, seconds: Int64?) throws {
        let (parser, outcome) = try Self.parse(Self.line(start: raw))
        if let seconds {
            #expect(outcome == .record(start: seconds))
            #expect(parser.values[10].integer == seconds)
            // Every accepted time has a day with a four-digit year: it can be stored and found.
            #expect(PartitionDay(PartitionDay(unixSeconds: seconds).isoText) != nil)
        } else {
            guard case .malformed(let reason) = outcome else { Issue.record("\(raw) was accepted"); return }
            #expect(reason.contains("start is '\(raw)'"))
            #expect(reason.contains("milliseconds or microseconds"))
        }
    }

    // MARK: 21. Clear messages

    @Test("the largest bigint is a valid byte count; one more is 'too large', not 'out of 0...max'")
    func largestInteger() throws {
        let (parser, outcome) = try Self.parse(Self.line(bytes: "9223372036854775807"))
        #expect(outcome == .record(start: 1_704_412_800))
        #expect(parser.values[9].integer == Int64.max)
        let (_, over) = try Self.parse(Self.line(bytes: "9223372036854775808"))
        #expect(over == .malformed("bytes is '9223372036854775808', expected at most 9223372036854775807 (too large)"))
    }

    @Test("a UTF-8 byte-order mark before the header is skipped")
    func byteOrderMark() throws {
        let layout = try ([0xEF, 0xBB, 0xBF] + Array(Self.defaultHeader.utf8)).withUnsafeBytes { try FlowLayout(headerLine: $0) }
        #expect(layout.slots.first == .known(.version))
        #expect(layout.slots.count == 14)
    }

    @Test("a header line over the line limit is reported as too long, not as a missing header")
    func longHeader() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("long.log")
        let header = (0..<9000).map { "field\($0)" }.joined(separator: " ") + " start\n1 2\n"
        try header.write(toFile: path, atomically: true, encoding: .utf8)
        let failure = try Self.readFailure(path)
        #expect(failure as? LayoutError == .headerTooLong(limit: LineReader.defaultMaximumLineLength))
    }

    // MARK: 2 and 8. Headers

    @Test("underscore and mixed-case spellings are the known fields")
    func headerSpellings() throws {
        let layout = try Array("Version ACCOUNT_ID interface_id srcaddr dstaddr srcport dstport protocol packets bytes start end action log_status".utf8)
            .withUnsafeBytes { try FlowLayout(headerLine: $0) }
        #expect(layout.slots == FlowLayout(fields: [.version, .accountID, .interfaceID, .srcaddr, .dstaddr, .srcport, .dstport, .protocol, .packets, .bytes, .start, .end, .action, .logStatus]).slots)
        #expect(layout.unknownFieldNames.isEmpty)
    }

    @Test("a field named twice, in any two spellings, rejects the header", arguments: [
        ("version account-id account_id start", "account-id", "account_id"), ("start START", "start", "START"),
        ("version new_field new-field start", "new_field", "new-field"),
    ])
    func duplicateSpellings(header: String, first: String, second: String) {
        #expect(throws: LayoutError.duplicateField(first, second)) {
            _ = try Array(header.utf8).withUnsafeBytes { try FlowLayout(headerLine: $0) }
        }
    }

    @Test("a header of thousands of fields is refused with the count")
    func tooManyFields() {
        let header = (0..<3000).map { "f\($0)" }.joined(separator: " ") + " start"
        #expect(throws: LayoutError.tooManyFields(3001)) {
            _ = try Array(header.utf8).withUnsafeBytes { try FlowLayout(headerLine: $0) }
        }
    }

    // MARK: 19. Control characters

    @Test("escape sequences in a header are shown escaped in the message")
    func escapedHeader() {
        let header = Array("version \u{1B}]0;owned\u{07}start".utf8)
        do {
            _ = try header.withUnsafeBytes { try FlowLayout(headerLine: $0) }
            Issue.record("accepted")
        } catch let error as LayoutError {
            #expect(!error.message.unicodeScalars.contains { $0.value < 0x20 })
            #expect(error.message.contains("\\x1b]0;owned\\x07start"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(DisplayText.escaped("a\u{1B}[2Jb\nc\u{85}") == "a\\x1b[2Jb\\nc\\u{85}")
        #expect(DisplayText.escaped(bytes: [0x61, 0xFF, 0x1B]) == "a\\xff\\x1b")
        #expect(DisplayText.escapedKeepingLines("one\ntwo\u{1B}") == "one\ntwo\\x1b")
    }

    // MARK: 12. Long records

    @Test("segments stay within their memory budget whatever the line length")
    func batchesStayBounded() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("long-records.log")
        // Valid records of about 60 KB each (an unknown field carries the bulk), all different.
        var text = Self.defaultHeader + " note\n"
        for index in 0..<400 { text += Self.line() + " " + String(repeating: "x", count: 60_000) + String(index) + "\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let reader = FlowFileReader(path: path, displayPath: path, maximumLineLength: LineReader.defaultMaximumLineLength, lineErrorsReported: 5)
        var records = 0
        var segments = 0
        reader.run { message in
            if case .segment(let segment) = message {
                segments += 1
                records += segment.rows
                // A segment ends when its buffers reach their budget, whatever the line length.
                #expect(segment.byteCount <= SegmentBuilder.maximumBytes + 128 << 10, "a segment of \(segment.byteCount) bytes")
            }
            return true
        }
        #expect(records == 400)
        #expect(segments >= 2, "24 MB of records in one segment")
    }

    // MARK: 6. Content, not compression

    @Test("a gzip file, its gzip -9 recompression, its plain copy and its bytes on a pipe have one content key")
    func contentKeys() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var text = Self.defaultHeader + "\n"
        for index in 0..<2000 { text += Self.line(bytes: String(index)) + "\n" }
        let plain = folder.path("copy.log")
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        var keys: [String] = []
        for (name, level) in [("fast.log.gz", Int32(1)), ("best.log.gz", 9)] {
            let path = folder.path(name)
            let writer = try GzipWriter(path: path, level: level)
            try writer.write(text)
            try writer.close()
            keys.append(try Self.contentKey(path))
        }
        // Several members, split mid-line: the content is what they inflate to together.
        let bytes = Array(text.utf8)
        let thirds = [bytes[0..<1000], bytes[1000..<30_000], bytes[30_000...]].map { String(decoding: $0, as: UTF8.self) }
        keys.append(try Self.contentKey(try folder.writeGzip("multi.log.gz", members: thirds)))
        keys.append(try Self.contentKey(plain))
        #expect(Set(keys).count == 1, "\(keys)")
        #expect(keys[0].hasPrefix("\(text.utf8.count)-"))
        // One changed byte is another content.
        try text.replacingOccurrences(of: "REJECT", with: "ACCEPT").write(toFile: plain, atomically: true, encoding: .utf8)
        #expect(try Self.contentKey(plain) != keys[0])
    }

    @Test("XXH64 matches the reference implementation", arguments: [
        ("", UInt64(0xEF46_DB37_51D8_E999)), ("a", 0xD24E_C4F1_A98C_6E5B), ("abc", 0x44BC_2CF5_AD77_0999),
        ("Nobody inspects the spammish repetition", 0xFBCE_A83C_8A37_8BF1),
    ])
    func xxhash(text: String, digest: UInt64) {
        var hash = XXHash64()
        Array(text.utf8).withUnsafeBytes { hash.update($0) }
        #expect(hash.digest == digest)
    }

    @Test("XXH64 gives one digest however the input is split")
    func xxhashStreaming() {
        // 771 bytes: every byte value three times, then "xyz"; the reference (python-xxhash) gives this digest.
        let bytes = (0..<3).flatMap { _ in (0...255).map { UInt8($0) } } + Array("xyz".utf8)
        for split in [1, 7, 31, 32, 33, 100, 770] {
            var hash = XXHash64()
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + split)
                bytes[offset..<end].withUnsafeBytes { hash.update($0) }
                offset = end
            }
            #expect(hash.digest == 0xE921_A1B4_5BD7_79F8, "split every \(split) bytes")
        }
    }

    // MARK: 20. Slow pipes

    @Test("gzip arriving one byte at a time on a pipe is recognised as gzip")
    func slowPipe() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("one.log.gz")
        let writer = try GzipWriter(path: path)
        try writer.write(Self.defaultHeader + "\n" + Self.line() + "\n")
        try writer.close()
        let compressed = try Data(contentsOf: URL(fileURLWithPath: path))
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writeEnd = fds[1]
        let writing = Thread {
            compressed.withUnsafeBytes { raw in
                // A first write of one byte, then the rest after a pause.
                _ = write(writeEnd, raw.baseAddress, 1)
                usleep(100_000)
                _ = write(writeEnd, raw.baseAddress! + 1, raw.count - 1)
            }
            close(writeEnd)
        }
        writing.start()
        let saved = dup(0)
        dup2(fds[0], 0)
        defer { dup2(saved, 0); close(saved); close(fds[0]) }
        let reader = try DecompressingReader(path: "-")
        var output = [UInt8](repeating: 0, count: 4096)
        let count = try output.withUnsafeMutableBytes { try reader.read(into: $0) }
        #expect(reader.isGzip)
        #expect(String(decoding: output[0..<min(count, 7)], as: UTF8.self) == "version")
    }

    // MARK: Helpers

    static func contentKey(_ path: String) throws -> String {
        let reader = try DecompressingReader(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }) > 0 {}
        return reader.contentKey
    }

    static func readFailure(_ path: String) throws -> (any Error)? {
        let reader = FlowFileReader(path: path, displayPath: path, maximumLineLength: LineReader.defaultMaximumLineLength, lineErrorsReported: 5)
        var failure: (any Error)? = nil
        reader.run { message in
            if case .failed(let error) = message { failure = error }
            return true
        }
        return failure
    }
}
