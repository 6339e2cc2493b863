import FlowModel
import Foundation
import Testing
@testable import FlowIngest
@testable import FlowStore

/// Rows of every partition as "srcaddr bytes action", in stored order.
private func stored(_ store: FlowStore) throws -> [String] {
    var rows: [String] = []
    for partition in try store.openCatalogForReading().partitions() {
        for row in try SegmentDump.rows(store: store, day: partition.day, columns: ["srcaddr", "bytes", "action"]) {
            rows.append(row.joined(separator: " "))
        }
    }
    return rows
}

/// A default-format record from `source` with `bytes`.
private func record(_ source: String, bytes: Int = 100, action: String = "ACCEPT") -> String {
    "2 123456789012 eni-1 \(source) 10.0.0.2 40000 443 6 1 \(bytes) 1704412800 1704412860 \(action) OK"
}

/// Reads every line a `LogEventsSource` hands out for `text`.
private func events(_ text: String) throws -> [String] {
    final class Bytes: ByteSource {
        var data: [UInt8]
        var offset = 0
        let step: Int
        init(_ text: String, step: Int) { data = Array(text.utf8); self.step = step }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let count = min(step, buffer.count, data.count - offset)
            for index in 0..<count { buffer[index] = data[offset + index] }
            offset += count
            return count
        }
    }
    // One byte at a time: every state of the scanner must survive a chunk boundary.
    let source = LogEventsSource(upstream: Bytes(text, step: 1), name: "test")
    var lines: [String] = []
    try LineReader(source: source, bufferSize: 1 << 17).forEach { event in
        if case .line(let bytes, _) = event { lines.append(String(decoding: bytes, as: UTF8.self)) }
    }
    return lines
}

@Suite("Headerless and CloudWatch deliveries", .serialized)
struct DeliveryFormatTests {
    @Test("a format string as describe-flow-logs prints it reads like the header it names")
    func formatString() throws {
        let layout = try FlowLayout(logFormat: "${version} ${vpc-id} ${srcaddr} ${dstaddr} ${start} ${end} ${action}")
        #expect(layout.slots.map(\.columnName) == ["version", "vpc_id", "srcaddr", "dstaddr", "start", "end", "action"])
        #expect(try FlowLayout(logFormat: " default ") == FlowLayout.awsDefault)
        #expect(try FlowLayout(logFormat: "version account-id start") == FlowLayout(fields: [.version, .accountID, .start]))
        #expect(throws: LayoutError.invalidFormatToken("${vpc-id")) { try FlowLayout(logFormat: "${version} ${vpc-id") }
        #expect(throws: LayoutError.emptyFormat) { try FlowLayout(logFormat: "  ") }
        #expect(throws: LayoutError.duplicateField("srcaddr", "srcaddr")) { try FlowLayout(logFormat: "${srcaddr} ${start} ${srcaddr}") }
    }

    @Test("a headerless file is rejected with a pointer to --log-format, and stored with one")
    func headerless() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("cw.log", record("10.0.0.1") + "\n" + record("10.0.0.3", bytes: 7) + "\n")
        let plain = FlowStore(url: folder.url.appendingPathComponent("plain"))
        let refused = try Ingestor(store: plain).ingest(paths: [path])
        guard case .rejected(let reason) = refused.files[0].status else { Issue.record("not rejected"); return }
        #expect(reason.contains("--log-format"))

        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(logFormat: .awsDefault)).ingest(paths: [path])
        #expect(summary.recordsStored == 2)
        #expect(try stored(store) == ["10.0.0.1 100 ACCEPT", "10.0.0.3 7 ACCEPT"])
    }

    @Test("a file's own header wins over --log-format")
    func headerWins() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("h.log", "start srcaddr bytes action\n1704412800 10.9.9.9 5 REJECT\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(logFormat: .awsDefault)).ingest(paths: [path])
        #expect(summary.recordsStored == 1)
        #expect(try stored(store) == ["10.9.9.9 5 REJECT"])
    }

    @Test("a custom format whose records start with an id is not mistaken for a header")
    func idFirst() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("v.log", "vpc-0abc 10.1.1.1 9 1704412800 ACCEPT\nvpc-0abc 10.1.1.2 8 1704412800 REJECT\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let format = try FlowLayout(logFormat: "${vpc-id} ${srcaddr} ${bytes} ${start} ${action}")
        let summary = try Ingestor(store: store, options: IngestOptions(logFormat: format)).ingest(paths: [path])
        #expect(summary.recordsStored == 2)
        #expect(try stored(store) == ["10.1.1.1 9 ACCEPT", "10.1.1.2 8 REJECT"])
    }

    @Test("CloudWatch Logs export lines lose their leading time; bad lines keep their number")
    func exportTask() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let text = [
            "2024-01-05T00:01:00.000Z " + record("10.0.0.1"),
            "2024-01-05T00:01:01.123Z not a record",
            "2024-01-05T00:01:02+00:00\t" + record("10.0.0.4", bytes: 3),
        ].joined(separator: "\n")
        let path = try folder.writeGzip("000000.gz", members: [text + "\n"])
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(logFormat: .awsDefault)).ingest(paths: [path])
        #expect(summary.recordsStored == 2)
        #expect(summary.files[0].lineErrors == ["\(path):2: expected 14 fields as the header says, found 3"])
        #expect(try stored(store) == ["10.0.0.1 100 ACCEPT", "10.0.0.4 3 ACCEPT"])
    }

    @Test("Firehose: subscription documents back to back, control messages dropped, escapes decoded")
    func subscriptionDocuments() throws {
        let control = #"{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}"#
        let data = """
            {"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": "flows", "logStream": "eni-1-all",
             "subscriptionFilters": ["all"], "logEvents": [
               {"id": "1", "timestamp": 1704412860000, "message": "\(record("10.0.0.1"))", "extractedFields": {"message": "not this"}},
               {"id": "2", "timestamp": 1704412860000, "message": "2 123456789012 eni-1 10.0.0.2 10.0.0.2 40000 443 6 1 \\u0031\\u00320 1704412800 1704412860 REJECT OK"}
             ]}
            """
        let lines = try events(control + data + "\n" + control)
        #expect(lines == [record("10.0.0.1"), record("10.0.0.2", bytes: 120, action: "REJECT")])

        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // Firehose writes each document as its own gzip member.
        let path = try folder.writeGzip("firehose-1", members: [control, data, data])
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(logFormat: .awsDefault)).ingest(paths: [path])
        #expect(summary.recordsStored == 4)
        #expect(summary.linesSkipped == 0)
    }

    @Test("Firehose: one {\"message\": ...} object per line; a bad event is named by its number")
    func messageLines() throws {
        let text = "{\"message\": \"\(record("10.0.0.1"))\"}\n{\"message\":\"oops \\\"quoted\\\"\"}\n{\"other\": 1, \"message\": \"\(record("10.0.0.5"))\"}\n"
        #expect(try events(text) == [record("10.0.0.1"), "oops \"quoted\"", record("10.0.0.5")])

        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("lines.json", text)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(logFormat: .awsDefault)).ingest(paths: [path])
        #expect(summary.recordsStored == 2)
        #expect(summary.files[0].lineErrors == ["\(path): log event 2: expected 14 fields as the header says, found 2"])
    }

    @Test("broken JSON rejects the file with the offset, storing nothing", arguments: [
        (#"{"logEvents": [{"message": "x"}"#, "ends inside a document"),
        (#"{"message": "x"}]"#, "']' without an open array"),
        (#"{"message": "x"} 42"#, "where a JSON document should start"),
        (#"{"message": "\q"}"#, "invalid escape"),
    ])
    func brokenJSON(text: String, reason: String) throws {
        #expect {
            _ = try events(text)
        } throws: { error in
            (error as? LogEventsError)?.reason.contains(reason) == true
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("bad.json", text)
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store, options: IngestOptions(logFormat: .awsDefault)).ingest(paths: [path])
        #expect(summary.rejected.count == 1)
        #expect(try store.openCatalogForReading().partitions().isEmpty)
    }

    @Test("text that merely starts with a blank is handed through unchanged")
    func plainText() throws {
        #expect(try events("\n\n" + defaultHeader + "\n" + record("10.0.0.1") + "\n") == ["", "", defaultHeader, record("10.0.0.1")])
    }

    @Test("a delivery time comes from the file name's window, else the hour or day folders", arguments: [
        ("AWSLogs/1/vpcflowlogs/eu-west-1/2024/01/05/f.log.gz", "2024-01-05T00:00"),
        ("AWSLogs/1/vpcflowlogs/eu-west-1/2024/01/05/13/f.log.gz", "2024-01-05T13:00"),
        ("x/year=2024/month=01/day=05/hour=07/f.log.parquet", "2024-01-05T07:00"),
        ("x/2024/01/05/123456789012_vpcflowlogs_eu-west-1_fl-1_20240105T2355Z_ab.log.gz", "2024-01-05T23:55"),
        ("/tmp/flows.log", "none"),
        ("/tmp/2024/13/05/f.log", "none"),
    ])
    func deliveryTime(path: String, expected: String) {
        let text = S3Key.deliveryTime(of: path).map { seconds in
            let day = PartitionDay(unixSeconds: seconds)
            let minutes = (seconds - Int64(day.dayNumber) * 86_400) / 60
            return day.isoText + "T" + String(format: "%02d:%02d", minutes / 60, minutes % 60)
        } ?? "none"
        #expect(text == expected)
    }

    @Test("formats without start are placed by end, else by the delivery date; the pruner trusts start ranges only where every row has one")
    func withoutStart() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // AWS's NAT-gateway example format: no start, no end.
        let nat = try folder.write("AWSLogs/123456789012/vpcflowlogs/eu-west-1/2024/01/05/13/nat.log", """
            instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr
            i-1 eni-1 10.0.0.1 10.0.0.2 10.0.0.1 52.1.1.1
            - eni-2 10.0.0.5 10.0.0.2 10.0.0.9 52.1.1.1

            """)
        // end only: 2024-01-06 00:00:00 UTC, and a record whose end is '-'.
        let endOnly = try folder.write("end.log", "srcaddr dstaddr end bytes\n10.0.0.7 10.0.0.2 1704499200 5\n10.0.0.8 10.0.0.2 - 6\n")
        let nowhere = try folder.write("nowhere.log", "srcaddr dstaddr\n10.0.0.1 10.0.0.2\n")
        let withStart = try folder.write("start.log", defaultHeader + "\n" + record("10.0.0.9") + "\n")
        let store = FlowStore(url: folder.url.appendingPathComponent("store"))
        let summary = try Ingestor(store: store).ingest(paths: [nat, endOnly, nowhere, withStart])
        #expect(summary.recordsStored == 4)
        #expect(summary.files[1].lineErrors == ["\(endOnly):3: end is '-': the record cannot be placed in a day partition"])
        guard case .rejected(let reason) = summary.files[2].status else { Issue.record("stored without a time"); return }
        #expect(reason.contains("neither 'start' nor 'end'"))

        let partitions = try store.openCatalogForReading().partitions()
        #expect(partitions.map(\.day.isoText) == ["2024-01-05", "2024-01-06"])
        #expect(partitions.map(\.rowsWithoutStart) == [2, 1])
        #expect(partitions.map(\.rowCount) == [3, 1])
        #expect(try stored(store).sorted() == ["10.0.0.1 NULL NULL", "10.0.0.5 NULL NULL", "10.0.0.7 5 NULL", "10.0.0.9 100 ACCEPT"])
        // The NAT records' start range is their delivery hour, which proves nothing about start.
        #expect(partitions[0].startRange.contains(1_704_459_600))
    }
}
