import Foundation
import Testing
@testable import FlowIngest
@testable import FlowQuery
@testable import FlowStore

/// Trino's answers where SQLite's would differ: casts, overflow, division, IPv4-mapped
/// addresses, CIDR text and size limits (issue 11), on a small store of known records.
@Suite("Trino semantics where SQLite differs")
struct SemanticsTests {
    static let header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status extra-note"

    /// Three records: an IPv4-mapped destination, a plain IPv4 pair, an IPv6 pair.
    static let shared: Result<FlowStore, any Error> = Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-semantics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = header + "\n" + [
            "2 123456789012 eni-1 10.0.0.1 ::ffff:10.0.0.9 1000 443 6 3 9223372036854775807 1704412800 1704412860 ACCEPT OK a",
            "2 123456789012 eni-1 192.168.1.1 10.1.2.3 1001 22 6 2 40 1704412800 1704412860 REJECT OK b",
            "2 123456789012 eni-1 2001:db8::1 2001:db8::2 1002 443 6 1 100 1704412800 1704412860 ACCEPT OK c",
        ].joined(separator: "\n") + "\n"
        try text.write(to: folder.appendingPathComponent("a.log"), atomically: true, encoding: .utf8)
        let store = FlowStore(url: folder.appendingPathComponent("store"))
        _ = try Ingestor(store: store).ingest(paths: [folder.appendingPathComponent("a.log").path])
        return store
    }

    let store: FlowStore
    init() throws { store = try Self.shared.get() }

    func query(_ sql: String) throws -> [[String?]] {
        let plan = try QueryEngine(store: store).plan(sql)
        return try QueryExecutor(store: store).collect(plan).map { row in zip(row, plan.columns).map { ValueText.plain($0, type: $1.type) } }
    }

    /// The message of the error `sql` fails with (planning or running).
    func failure(_ sql: String) -> QueryError? {
        do {
            _ = try query(sql)
            return nil
        } catch let error as QueryError {
            return error
        } catch {
            return QueryError(.execution, "\(error)")
        }
    }

    // MARK: Casts

    @Test("a cast that cannot be done is an error, try_cast gives NULL", arguments: [
        ("CAST('abc' AS DOUBLE)", "Cannot cast 'abc' to DOUBLE"), ("CAST('1.5x' AS DOUBLE)", "Cannot cast '1.5x' to DOUBLE"),
        ("CAST('abc' AS BIGINT)", "Cannot cast 'abc' to BIGINT"), ("CAST(1e30 AS BIGINT)", "Unable to cast 1e+30 to bigint"),
        ("CAST(CAST(bytes AS DOUBLE) * 10 AS BIGINT)", "to bigint: out of range"),
    ])
    func failedCasts(expression: String, message: String) throws {
        let error = failure("SELECT \(expression) FROM flows")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
        #expect(error?.kind == .execution)
        let tried = try query("SELECT \(expression.replacingOccurrences(of: "CAST(", with: "try_cast(")) FROM flows LIMIT 1")
        #expect(tried == [[nil]])
    }

    @Test("casts that can be done round as Trino rounds", arguments: [
        ("CAST(' 1.5 ' AS DOUBLE)", "1.5"), ("CAST('-2e3' AS DOUBLE)", "-2000.0"), ("CAST(2.5 AS BIGINT)", "3"),
        ("CAST(-2.5 AS BIGINT)", "-3"), ("CAST(2.4 AS BIGINT)", "2"), ("CAST('42' AS BIGINT)", "42"),
    ])
    func goodCasts(expression: String, value: String) throws {
        #expect(try query("SELECT \(expression) FROM flows LIMIT 1") == [[value]])
    }

    // MARK: Overflow and division

    @Test("integer overflow and division by zero are errors, folded or per row", arguments: [
        ("9223372036854775807 + 1", "bigint addition overflow: 9223372036854775807 + 1"),
        ("-9223372036854775807 - 2", "bigint subtraction overflow"),
        ("bytes + 1", "bigint addition overflow: 9223372036854775807 + 1"),
        ("bytes * 2", "bigint multiplication overflow: 9223372036854775807 * 2"),
        ("packets / 0", "Division by zero"), ("packets % (srcport - srcport)", "Division by zero"), ("1 / 0", "Division by zero"),
    ])
    func overflow(expression: String, message: String) {
        let error = failure("SELECT \(expression) FROM flows")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
    }

    @Test("arithmetic that fits stays exact integers; doubles divide as IEEE")
    func exactArithmetic() throws {
        #expect(try query("SELECT bytes - 7, packets * 1000000000000, -packets, 7 / 2, -7 / 2, 7 % 3 FROM flows WHERE srcport = 1000")
                == [["9223372036854775800", "3000000000000", "-3", "3", "-3", "1"]])
        #expect(try query("SELECT 1.0 / 0, -1.0 / 0 FROM flows LIMIT 1") == [["Infinity", "-Infinity"]])
    }

    // MARK: Addresses

    @Test("an IPv4-mapped address prints as RFC 5952 writes it and is inside its IPv4 block")
    func mappedAddress() throws {
        #expect(try query("SELECT dstaddr FROM flows WHERE srcport = 1000") == [["::ffff:10.0.0.9"]])
        #expect(try query("SELECT srcport FROM flows WHERE contains('10.0.0.0/8', cast(dstaddr AS IPADDRESS)) ORDER BY 1") == [["1000"], ["1001"]])
        #expect(try query("SELECT srcport FROM flows WHERE contains('::ffff:10.0.0.0/8', cast(dstaddr AS IPADDRESS)) ORDER BY 1") == [["1000"], ["1001"]])
        // ::/0 holds every address, IPv4 included, as Trino's IPADDRESS does.
        #expect(try query("SELECT count(*) FROM flows WHERE contains('::/0', cast(srcaddr AS IPADDRESS))") == [["3"]])
        #expect(try query("SELECT count(*) FROM flows WHERE contains('2001:db8::/32', cast(srcaddr AS IPADDRESS))") == [["1"]])
    }

    @Test("CIDR text Trino refuses is an error", arguments: [
        ("203.0.113.3/16", "Invalid CIDR"), ("10.0.0.0", "Invalid CIDR"), ("10.0.0.0/33", "Prefix length exceeds address length"),
    ])
    func invalidCIDR(text: String, message: String) {
        let error = failure("SELECT count(*) FROM flows WHERE contains('\(text)', cast(srcaddr AS IPADDRESS))")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
        #expect(error?.kind == .type)
    }

    // MARK: Limits

    @Test("an IN list past the limit is refused with a message, not a crash; one at the limit runs")
    func longInList() throws {
        let many = (0..<50_000).map(String.init).joined(separator: ", ")
        let error = failure("SELECT count(*) FROM flows WHERE dstport IN (\(many))")
        #expect(error?.message.contains("at most 10,000 values") == true, "\(error?.message ?? "no error")")
        let allowed = (0..<10_000).map(String.init).joined(separator: ", ")
        #expect(try query("SELECT count(*) FROM flows WHERE dstport IN (\(allowed))") == [["3"]])
    }

    @Test("a long query's error shows a window around the spot, not the whole line")
    func longQueryError() {
        let text = "SELECT count(*) FROM flows WHERE " + (0..<400).map { "dstport = \($0)" }.joined(separator: " OR ") + " AND dst_port = 1"
        do {
            _ = try QueryEngine(store: store).plan(text)
            Issue.record("planned")
        } catch let error as QueryError {
            let rendered = error.rendered(query: text)
            #expect(rendered.split(separator: "\n").allSatisfy { $0.count < 200 }, "\(rendered.prefix(300))")
            #expect(rendered.contains("dst_port"))
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("json_extract_scalar reads text out of a JSON object")
    func jsonScalar() throws {
        #expect(try query("SELECT json_extract_scalar('{\"a\": \"x\", \"b\": {\"c\": 2}}', '$.a'), json_extract_scalar('{\"b\": {\"c\": 2}}', '$.b.c'), json_extract_scalar('{\"a-b\": \"y\"}', '$[\"a-b\"]'), json_extract_scalar('{}', '$.a') FROM flows LIMIT 1")
                == [["x", "2", "y", nil]])
    }
}
