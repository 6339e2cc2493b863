import Foundation
import Testing

/// `flowq detect` through the built binary: the list, a rule's text, findings over a sample
/// corpus with injected attacks in each format, `--state`, `--allowlist`, `--rules`, and the
/// exit statuses (4 for new findings).
@Suite("flowq detect end to end")
struct DetectCommandTests {
    /// A store of generated files (2024-01-01 to 2024-01-03) with attacks on the last day.
    struct Corpus {
        let scratch: Scratch
        var store: String { scratch.path("store") }
    }

    static let shared: Result<Corpus, any Error> = Result {
        let scratch = try Scratch()
        let logs = scratch.path("logs")
        let sample = try CommandRunner.run(["sample", "--records", "30000", "--days", "3", "--plain", "--attacks", "--out", logs])
        guard sample.status == 0, sample.stderr.contains("injected port-scan: 203.0.113.66") else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: sample.stderr])
        }
        let ingest = try CommandRunner.run(["ingest", "--store", scratch.path("store"), logs])
        guard ingest.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: ingest.stderr]) }
        return Corpus(scratch: scratch)
    }

    let corpus: Corpus
    init() throws { corpus = try Self.shared.get() }

    static let lastDay = ["--from", "2024-01-03", "--to", "2024-01-04"]

    func detect(_ arguments: [String], store: String? = nil) throws -> CommandRunner.Result {
        try CommandRunner.run(["detect", "--store", store ?? corpus.store] + arguments)
    }

    /// NDJSON lines as objects.
    func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test("--list names every detection with its thresholds; --show prints a rule")
    func list() throws {
        let result = try CommandRunner.run(["detect", "--list"])
        #expect(result.status == 0, "\(result.stderr)")
        for id in ["port-scan", "network-sweep", "reject-burst", "exfiltration", "new-destination", "admin-port-exposure", "unusual-protocol", "capture-gap", "delivery-stopped", "known-bad"] {
            #expect(result.stdout.contains("\n" + id + " "), "\(id)")
        }
        #expect(result.stdout.contains("--param min_ports=... (integer, default 20)"))
        let shown = try CommandRunner.run(["detect", "--show", "port-scan"])
        #expect(shown.status == 0)
        #expect(shown.stdout.hasPrefix("id: port-scan\n"))
        #expect(try CommandRunner.run(["detect", "--show", "nope"]).status == 64)
    }

    @Test("ndjson: the injected scan, sweep and exfiltration with exact fields; exit status 4")
    func ndjson() throws {
        let result = try detect(Self.lastDay + ["--only", "port-scan,network-sweep,exfiltration", "--format", "ndjson", "--samples", "1"])
        #expect(result.status == 4, "\(result.stderr)")
        let findings = try objects(result.stdout)
        #expect(findings.map { $0["detection"] as? String } == ["port-scan", "network-sweep", "exfiltration"])
        let scan = try #require(findings.first)
        #expect(scan["srcaddr"] as? String == "203.0.113.66")
        #expect(scan["severity"] as? String == "high")
        #expect(scan["first_seen"] as? String == "2024-01-03T03:10:01Z")
        #expect(scan["last_seen"] as? String == "2024-01-03T03:14:12Z")
        #expect(scan["count"] as? Int == 250)
        #expect(scan["dstport"] is NSNull)
        #expect((scan["evidence"] as? [String: Any])?["ports"] as? Int == 250)
        #expect((scan["evidence"] as? [String: Any])?["sample_flows"] as? [String] == ["2024-01-03T03:10:01Z 203.0.113.66:40001 -> 10.117.1.35:1 tcp REJECT 44 bytes"])
        #expect(scan["techniques"] as? [String] == ["T1046"])
        let exfiltration = findings[2]
        #expect(exfiltration["dstaddr"] as? String == "198.51.100.77")
        #expect(exfiltration["bytes"] as? Int == 3_000_000_015)
    }

    @Test("json, markdown and html; --output picks the format from the extension")
    func formats() throws {
        let json = try detect(Self.lastDay + ["--only", "port-scan", "--format", "json"])
        #expect(json.status == 4)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((document["findings"] as? [Any])?.count == 1)
        #expect(document["detections"] as? [String] == ["port-scan"])
        let path = corpus.scratch.path("findings.md")
        let markdown = try detect(Self.lastDay + ["--only", "port-scan", "--output", path])
        #expect(markdown.status == 4, "\(markdown.stderr)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("# Detections\n"))
        #expect(text.contains("| high | port-scan | 203.0.113.66 | 10.117.1.35 | - | 2024-01-03T03:10:01Z |"))
        let html = try detect(Self.lastDay + ["--only", "port-scan", "--format", "html"])
        #expect(html.stdout.hasPrefix("<!DOCTYPE html>"))
    }

    @Test("--state: new findings once (status 4), then nothing (status 0)")
    func state() throws {
        // A store of its own: the state file lives in it.
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.copyItem(atPath: corpus.store, toPath: scratch.path("store"))
        let arguments = Self.lastDay + ["--only", "port-scan,network-sweep", "--state", "--format", "ndjson"]
        let first = try detect(arguments, store: scratch.path("store"))
        #expect(first.status == 4, "\(first.stderr)")
        #expect(try objects(first.stdout).map { $0["status"] as? String } == ["new", "new"])
        #expect(FileManager.default.fileExists(atPath: scratch.path("store/detections.db")))
        let second = try detect(arguments, store: scratch.path("store"))
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.isEmpty)
        let table = try detect(Self.lastDay + ["--only", "port-scan", "--state"], store: scratch.path("store"))
        #expect(table.status == 0)
        #expect(table.stdout.contains("0 findings (1 already reported or allowlisted, not shown)"))
    }

    @Test("with the inventory loaded, findings name the owner of each address")
    func owners() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.copyItem(atPath: corpus.store, toPath: scratch.path("store"))
        let json = scratch.path("enis.json")
        try """
            {"NetworkInterfaces": [{"AvailabilityZone": "us-east-1a", "Description": "", "InterfaceType": "interface",
              "NetworkInterfaceId": "eni-087bc03ce68f9fc11", "OwnerId": "123456789012", "PrivateIpAddress": "10.117.1.35",
              "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": "10.117.1.35"}], "Status": "in-use",
              "SubnetId": "subnet-1", "VpcId": "vpc-1", "Attachment": {"InstanceId": "i-0webserver"}}]}
            """.write(toFile: json, atomically: true, encoding: .utf8)
        let add = try CommandRunner.run(["inventory", "add", "--store", scratch.path("store"), json])
        #expect(add.status == 0, "\(add.stderr)")
        let result = try detect(Self.lastDay + ["--only", "port-scan", "--format", "ndjson"], store: scratch.path("store"))
        let scan = try #require(try objects(result.stdout).first)
        #expect(scan["dst_owner"] as? String == "instance i-0webserver")
        #expect(scan["src_owner"] is NSNull)
        let table = try detect(Self.lastDay + ["--only", "port-scan"], store: scratch.path("store"))
        #expect(table.stdout.contains("dst_owner"))
        #expect(table.stdout.contains("instance i-0webserver"))
        // Without the inventory the table has no owner columns.
        #expect(try !detect(Self.lastDay + ["--only", "port-scan"]).stdout.contains("dst_owner"))
    }

    @Test("--allowlist drops a source; --rules adds a user's detection")
    func allowlistAndRules() throws {
        let allow = corpus.scratch.path("allow.txt")
        try "203.0.113.0/24\n".write(toFile: allow, atomically: true, encoding: .utf8)
        let allowed = try detect(Self.lastDay + ["--only", "port-scan", "--allowlist", allow])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("0 findings"))

        let rules = corpus.scratch.path("rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try """
            title: Traffic to the drop site
            severity: critical
            techniques: [T1041]
            parameters:
              site: { type: address, default: 198.51.100.77, description: the address watched }
            sql: |
              SELECT srcaddr, dstaddr, min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes
              FROM flows WHERE {window} AND dstaddr = {site} GROUP BY srcaddr, dstaddr
            """.write(toFile: rules + "/drop-site.yaml", atomically: true, encoding: .utf8)
        let custom = try detect(Self.lastDay + ["--rules", rules, "--only", "drop-site", "--format", "ndjson"])
        #expect(custom.status == 4, "\(custom.stderr)")
        let finding = try #require(try objects(custom.stdout).first)
        #expect(finding["severity"] as? String == "critical")
        #expect(finding["srcaddr"] as? String == "10.0.0.10")
    }

    @Test("mistakes: bad --param 64, unknown detection 64, broken rule file 2, no store 1")
    func mistakes() throws {
        let missing = try detect(Self.lastDay, store: corpus.scratch.path("no-such-store"))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no flowq store at"), "\(missing.stderr)")
        let badValue = try detect(Self.lastDay + ["--param", "min_ports=lots"])
        #expect(badValue.status == 64)
        #expect(badValue.stderr.contains("--param min_ports: 'lots' is not a whole number"), "\(badValue.stderr)")
        let unknown = try detect(Self.lastDay + ["--param", "nope=1"])
        #expect(unknown.status == 64)
        #expect(try detect(Self.lastDay + ["--only", "port-scam"]).status == 64)
        let rules = corpus.scratch.path("broken-rules")
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try "title: x\nseverity: high\nsql: SELECT nope FROM flows WHERE {window}\n".write(toFile: rules + "/bad.yaml", atomically: true, encoding: .utf8)
        let broken = try detect(Self.lastDay + ["--rules", rules, "--only", "bad"])
        #expect(broken.status == 2, "\(broken.stderr)")
        #expect(broken.stderr.contains("bad.yaml: sql cannot run"), "\(broken.stderr)")
    }
}
