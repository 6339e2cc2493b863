import FlowDetect
import Foundation
import Testing

/// Rule files: the built-ins parse and are documented; a user's file is read the same way,
/// and each mistake names the file, line and key.
@Suite("Detection rule files")
struct DetectionFileTests {
    @Test("the built-ins parse, with ids, severities, techniques and documented thresholds")
    func builtIns() throws {
        let all = BuiltInDetections.all
        #expect(all.map(\.id) == ["port-scan", "network-sweep", "reject-burst", "exfiltration", "new-destination", "admin-port-exposure",
                                  "unusual-protocol", "capture-gap", "delivery-stopped", "known-bad"])
        for detection in all {
            #expect(!detection.techniques.isEmpty, "\(detection.id)")
            #expect(!detection.summary.isEmpty, "\(detection.id)")
            #expect(detection.parameters.allSatisfy { !$0.summary.isEmpty }, "\(detection.id)")
            // The shown text is the definition: reading it again gives the same detection.
            let text = try #require(BuiltInDetections.source(of: detection.id))
            let again = try DetectionFile.parse(text, source: "built-in detection '\(detection.id)'", origin: detection.origin)
            #expect(again == detection)
        }
        let scan = try #require(BuiltInDetections.named("port-scan"))
        #expect(scan.parameters.map(\.name) == ["min_ports", "window_seconds", "min_failed_ratio"])
        #expect(scan.parameters.map(\.defaultValue) == ["20", "600", "0.8"])
        #expect(scan.parameters.map(\.kind) == [.integer, .integer, .number])
        #expect(BuiltInDetections.named("exfiltration")?.baseline?.period == .hour)
    }

    static let valid = """
        id: ssh-brute-force
        title: SSH brute force
        severity: high
        techniques: [T1110.001]
        parameters:
          min_attempts: { type: integer, default: 50, description: rejected flows in one bucket }
          target: 10.0.0.1
        sql: |
          SELECT srcaddr, dstaddr, min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows
          FROM flows WHERE {window} AND dstport = 22 AND action = 'REJECT'
          GROUP BY srcaddr, dstaddr HAVING count(*) >= {min_attempts}
        evidence: [flows]
        """

    @Test("a user's rule: parameters typed from their declaration or their default")
    func userRule() throws {
        let rule = try DetectionFile.parse(Self.valid, source: "ssh.yaml")
        #expect(rule.id == "ssh-brute-force")
        #expect(rule.severity == .high)
        #expect(rule.techniques == ["T1110.001"])
        #expect(rule.parameters.map(\.kind) == [.integer, .word])
        #expect(rule.evidence == ["flows"])
        #expect(rule.origin == "ssh.yaml")
    }

    @Test("mistakes name the file, the line and the key", arguments: [
        ("severity: high", "severity: urgent", "ssh.yaml:3:11: severity: 'urgent' is not a severity; use info, low, medium, high, critical"),
        ("techniques: [T1110.001]", "techniques: [brute]", "techniques: 'brute' is not a MITRE ATT&CK technique id"),
        ("title: SSH brute force", "titel: SSH brute force", "titel: unknown key (did you mean 'title'?)"),
        ("{ type: integer, default: 50,", "{ type: count, default: 50,", "parameters.min_attempts.type: 'count' is not a type"),
        ("{ type: integer, default: 50,", "{ type: integer, default: fifty,", "'fifty' is not a whole number"),
        ("id: ssh-brute-force", "id: ssh brute", "id: 'ssh brute' may hold only letters, digits, - and _"),
    ])
    func mistakes(original: String, replacement: String, message: String) throws {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        let error = try #require(throws: DetectionError.self) { try DetectionFile.parse(text, source: "ssh.yaml") }
        #expect(error.kind == .definition)
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("a placeholder the rule does not declare is refused when filled in")
    func unknownPlaceholder() throws {
        let text = Self.valid.replacingOccurrences(of: "{min_attempts}", with: "{min_attempt}")
        let rule = try DetectionFile.parse(text, source: "ssh.yaml")
        let store = try FlowFiles().store().store
        let error = try #require(throws: DetectionError.self) {
            try DetectionRunner(store: store).run([rule], window: DetectionTests.window)
        }
        #expect(error.message.contains("ssh.yaml: sql: {min_attempt} is not a placeholder of this detection"), "\(error.message)")
    }

    @Test("address lists: addresses and blocks, comments, and errors with the line")
    func addressList() throws {
        let list = try AddressList(text: "# scanners\n198.51.100.0/24\n2001:DB8::1 # one\n\n", source: "list.txt")
        #expect(list.addresses == ["2001:db8::1"])
        #expect(list.blocks == ["198.51.100.0/24"])
        #expect(list.contains("198.51.100.7"))
        #expect(list.contains("2001:db8:0::1"))
        #expect(!list.contains("198.51.101.7"))
        #expect(list.condition(column: "srcaddr") == "(srcaddr IN ('2001:db8::1') OR contains('198.51.100.0/24', cast(srcaddr AS IPADDRESS)))")
        let error = try #require(throws: DetectionError.self) { try AddressList(text: "10.0.0.1\n10.0.0.1/8\n", source: "list.txt") }
        #expect(error.message.hasPrefix("list.txt:2: '10.0.0.1/8' is not a CIDR block"), "\(error.message)")
        #expect(throws: DetectionError.self) { try AddressList(text: "evil.example.com\n", source: "list.txt") }
    }
}
