import Foundation
import Testing
@testable import FlowQuery
@testable import FlowReports

/// Custom reports from YAML: the documented example runs, and every mistake names the file,
/// the key path and what is wrong.
@Suite("Report files")
struct ReportFileTests {
    static let example = """
        title: Nightly security summary
        description: What was rejected and who knocked on admin ports
        parameters: { address: 10.0.0.10 }
        queries:
          - name: Rejected by source
            sql: SELECT srcaddr, count(*) AS flows FROM flows WHERE action = 'REJECT' AND {window} GROUP BY srcaddr ORDER BY flows DESC, srcaddr LIMIT 20
            chart: bar          # bar | line | none
          - name: Traffic from {address}
            sql: SELECT date_trunc('hour', from_unixtime(start)) AS hour, sum(bytes) AS bytes FROM flows WHERE srcaddr = {address} AND {window} GROUP BY 1 ORDER BY 1
            chart: line
        output: { format: html }
        """

    /// The error `text` gives, or a recorded issue when it parses.
    func error(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> ReportError? {
        do {
            _ = try ReportFile.parse(text, source: "nightly.yaml")
            Issue.record("the file was accepted", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.kind == .definition, sourceLocation: sourceLocation)
            #expect(error.message.hasPrefix("nightly.yaml"), "names the file: \(error.message)", sourceLocation: sourceLocation)
            return error
        }
    }

    @Test("the documented example parses and runs, with its parameter default")
    func example() async throws {
        let report = try ReportFile.parse(Self.example, source: "nightly.yaml", defaultName: "nightly")
        #expect(report.name == "nightly")
        #expect(report.title == "Nightly security summary")
        #expect(report.summary == "What was rejected and who knocked on admin ports")
        #expect(report.parameters == [ReportParameter(name: "address", defaultValue: "10.0.0.10")])
        #expect(report.queries.map(\.chart) == [.bar, .line])
        #expect(report.queries.map(\.keyPath) == ["queries[0]", "queries[1]"])
        #expect(report.preferredFormat == .html)

        let fixture = try Fixture.get()
        let window = try ReportWindow.days(from: "2024-01-01", to: "2024-01-05")
        let result = try await ReportRunner(store: fixture.store).run(report, window: window)
        #expect(result.sections[1].title == "Traffic from 10.0.0.10")
        let records = fixture.records.filter { Fixture.day($0) >= "2024-01-01" && Fixture.day($0) < "2024-01-05" }
        let rejected = Dictionary(grouping: records.filter { $0.text("action") == "REJECT" }, by: { $0.text("srcaddr") ?? "" }).mapValues(\.count)
        let top = rejected.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }.prefix(20)
        #expect(result.sections[0].rows.map { [$0[0].textValue, $0[1].integerValue.map(String.init)] } == top.map { [$0.key, String($0.value)] })
        let bytes = records.filter { $0.text("srcaddr") == "10.0.0.10" }.compactMap { $0.int("bytes") }.reduce(0, +)
        #expect(result.sections[1].rows.compactMap { $0[1].integerValue }.reduce(0, +) == bytes)
        #expect(bytes > 0)

        // A --param overrides the file's default.
        let other = try report.resolvedQueries(window: window, parameters: ["address": "192.0.2.7"])
        #expect(other[1].sql.contains("srcaddr = '192.0.2.7'"))
    }

    @Test("mapping parameters, label and value lists, no output section")
    func fullerFile() throws {
        let report = try ReportFile.parse("""
            name: ports
            title: Ports
            parameters:
              target:
                default: 10.0.0.1
                description: the host
              proto: { default: tcp }
            queries:
              - name: By port
                sql: SELECT dstport, count(*) AS flows FROM flows WHERE dstaddr = {target} AND protocol_name(protocol) = {proto} GROUP BY 1
                chart: bar
                label: dstport
                value: [flows]
            """, source: "ports.yaml")
        #expect(report.name == "ports")
        #expect(report.parameters.map(\.name) == ["target", "proto"])
        #expect(report.parameters[0].summary == "the host")
        #expect(report.parameters[0].kind == .word)
        #expect(report.queries[0].labelColumns == ["dstport"])
        #expect(report.queries[0].valueColumns == ["flows"])
        #expect(report.preferredFormat == nil)
    }

    @Test("SQL folded over several lines (as `flowq report --help` shows it) reads as one line")
    func foldedSQL() throws {
        let report = try ReportFile.parse("""
            title: T
            queries:
              - name: Rejected by source
                sql: >
                  SELECT srcaddr, count(*) AS flows FROM flows
                  WHERE action = 'REJECT' AND {window}
                  GROUP BY srcaddr ORDER BY flows DESC LIMIT 20
            """, source: "folded.yaml")
        #expect(report.queries[0].sql == "SELECT srcaddr, count(*) AS flows FROM flows WHERE action = 'REJECT' AND {window} GROUP BY srcaddr ORDER BY flows DESC LIMIT 20")
    }

    @Test("missing and misplaced keys are named by their key path")
    func keyPaths() throws {
        let missingSQL = error("""
            title: T
            queries:
              - name: one
                sql: SELECT 1 FROM flows
              - name: two
            """)
        #expect(missingSQL?.message.contains("queries[1].sql: missing") == true, "\(missingSQL?.message ?? "")")
        #expect(missingSQL?.message.hasPrefix("nightly.yaml:5:") == true, "\(missingSQL?.message ?? "")")

        let chart = error("title: T\nqueries:\n  - name: one\n    sql: SELECT 1 FROM flows\n    chart: pie\n")
        #expect(chart?.message == "nightly.yaml:5:12: queries[0].chart: 'pie' is not a chart; use bar, line or none")

        let typo = error("titel: T\nqueries:\n  - { name: a, sql: SELECT 1 FROM flows }\n")
        #expect(typo?.message.contains("titel: unknown key (did you mean 'title'?)") == true, "\(typo?.message ?? "")")

        let queryTypo = error("title: T\nqueries:\n  - { name: a, sqll: SELECT 1 FROM flows }\n")
        #expect(queryTypo?.message.contains("queries[0].sqll: unknown key (did you mean 'sql'?)") == true, "\(queryTypo?.message ?? "")")

        let notList = error("title: T\nqueries: SELECT 1 FROM flows\n")
        #expect(notList?.message.contains("queries: must be a list") == true)

        let noTitle = error("queries:\n  - { name: a, sql: SELECT 1 FROM flows }\n")
        #expect(noTitle?.message.contains("title: missing") == true)

        let noQueries = error("title: T\n")
        #expect(noQueries?.message.contains("queries: missing") == true)

        let emptySQL = error("title: T\nqueries:\n  - name: a\n    sql:\n")
        #expect(emptySQL?.message.contains("queries[0].sql: is empty") == true, "\(emptySQL?.message ?? "")")

        let format = error("title: T\nqueries:\n  - { name: a, sql: SELECT 1 FROM flows }\noutput: { format: pdf }\n")
        #expect(format?.message.contains("output.format: 'pdf' is not a format") == true)

        let twice = error("title: T\ntitle: U\nqueries:\n  - { name: a, sql: SELECT 1 FROM flows }\n")
        #expect(twice?.message.contains("title: appears twice") == true, "\(twice?.message ?? "")")

        let sqlList = error("title: T\nqueries:\n  - name: a\n    sql: [1, 2]\n")
        #expect(sqlList?.message.contains("queries[0].sql: must be text, not a list") == true)
    }

    @Test("YAML syntax errors give the file, line and column")
    func syntax() throws {
        let bad = error("title: T\nqueries:\n  - name: a\n   sql: [unclosed\n")
        #expect(bad?.message.contains("not valid YAML") == true, "\(bad?.message ?? "")")
        #expect(bad?.message.hasPrefix("nightly.yaml:4:") == true, "\(bad?.message ?? "")")
        let empty = error("")
        #expect(empty?.message == "nightly.yaml: the file is empty; a report needs at least title and queries")
    }

    @Test("a bad parameter default is refused where it is written")
    func badDefault() throws {
        let hostile = error("title: T\nparameters: { address: \"x' OR '1'='1\" }\nqueries:\n  - { name: a, sql: SELECT 1 FROM flows }\n")
        #expect(hostile?.message.contains("parameters.address: 'x' OR '1'='1' is not an IP address") == true, "\(hostile?.message ?? "")")
        let word = error("title: T\nparameters: { port: \"22 OR 1=1\" }\nqueries:\n  - { name: a, sql: SELECT 1 FROM flows }\n")
        #expect(word?.message.contains("parameters.port") == true)
        let name = error("title: T\nparameters: { window: 1 }\nqueries:\n  - { name: a, sql: SELECT 1 FROM flows }\n")
        #expect(name?.message.contains("'window' cannot be a parameter name") == true)
    }

    @Test("placeholders: unknown names and quoted placeholders are refused with the key path")
    func placeholders() throws {
        let window = try ReportWindow.days(from: "2024-01-01", to: "2024-01-02")
        let typo = try ReportFile.parse("title: T\nparameters: { address: 10.0.0.1 }\nqueries:\n  - { name: a, sql: \"SELECT 1 FROM flows WHERE srcaddr = {adress}\" }\n", source: "t.yaml")
        #expect(throws: ReportError.self) { try typo.resolvedQueries(window: window, parameters: [:]) }
        do {
            _ = try typo.resolvedQueries(window: window, parameters: [:])
        } catch {
            #expect(error.message.contains("t.yaml: queries[0].sql: {adress} is not a placeholder"), "\(error.message)")
        }
        let quoted = try ReportFile.parse("title: T\nparameters: { address: 10.0.0.1 }\nqueries:\n  - { name: a, sql: \"SELECT 1 FROM flows WHERE srcaddr = '{address}'\" }\n", source: "t.yaml")
        do {
            _ = try quoted.resolvedQueries(window: window, parameters: [:])
            Issue.record("a quoted placeholder was accepted")
        } catch {
            #expect(error.message.contains("queries[0].sql: {address} is inside quotes"), "\(error.message)")
        }
        // Braces that are not placeholders, and placeholders in comments, are left alone.
        let literal = ReportDefinition(name: "l", title: "L", summary: "", queries: [
            ReportQuery(name: "q", sql: "SELECT '{not one}', '{x}' FROM flows -- {window} here\nWHERE {window}"),
        ])
        #expect(try literal.resolvedQueries(window: window, parameters: [:])[0].sql
                == "SELECT '{not one}', '{x}' FROM flows -- {window} here\nWHERE \(window.condition)")
    }

    @Test("a query that cannot run is named by its key path, with the SQL error")
    func badQuery() async throws {
        let report = try ReportFile.parse("""
            title: T
            queries:
              - { name: ok, sql: SELECT count(*) FROM flows }
              - name: bad
                sql: SELECT dst_port FROM flows WHERE {window}
            """, source: "bad.yaml")
        let window = try ReportWindow.days(from: "2024-01-01", to: "2024-01-02")
        let runner = ReportRunner(store: try Fixture.get().store)
        do {
            _ = try await runner.run(report, window: window)
            Issue.record("the bad query ran")
        } catch {
            #expect(error.kind == .invalidQuery)
            #expect(error.message.contains("bad.yaml: queries[1].sql ('bad') cannot run: unknown column 'dst_port'"), "\(error.message)")
            #expect(error.rendered().contains("^"), "a caret under the spot")
        }
        let label = try ReportFile.parse("title: T\nqueries:\n  - { name: a, sql: SELECT count(*) AS n FROM flows, chart: bar, label: nope }\n", source: "label.yaml")
        do {
            _ = try await runner.run(label, window: window)
            Issue.record("a missing label column was accepted")
        } catch {
            #expect(error.message.contains("label.yaml: queries[0].label: the query has no column 'nope'"), "\(error.message)")
        }
    }

    @Test("load names an unreadable file")
    func unreadable() {
        #expect(throws: ReportError.self) { try ReportFile.load(path: "/nonexistent/report.yaml") }
    }
}
