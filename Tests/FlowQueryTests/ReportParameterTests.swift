import Foundation
import Testing
@testable import FlowReports

/// Report windows and parameters: the SQL they become, and the values refused before they reach it.
@Suite("Report windows and parameters")
struct ReportParameterTests {
    let fixture: Fixture
    let window: ReportWindow

    init() throws {
        fixture = try Fixture.get()
        window = try ReportWindow.days(from: "2024-01-02", to: "2024-01-04")
    }

    @Test("--since keeps records whose start is within the span before now")
    func sinceWindow() async throws {
        let now = Date(timeIntervalSince1970: 1_704_240_000) // 2024-01-03 00:00 UTC
        let window = try ReportWindow.last("36h", now: now)
        #expect(window.condition == "(start >= \(1_704_240_000 - 36 * 3600))")
        #expect(window.summary == "last 36h (since 2024-01-01 12:00 UTC)")
        let result = try await ReportRunner(store: fixture.store).run(try #require(BuiltInReports.named("rejected")), window: window, now: now)
        let expected = fixture.records.filter { ($0.int("start") ?? 0) >= 1_704_240_000 - 36 * 3600 && $0.text("action") == "REJECT" }
        #expect(result.sections[1].rows.compactMap { $0[1].integerValue }.reduce(0, +) == Int64(expected.count))
        #expect(!expected.isEmpty)
    }

    @Test("window options: spans, days, their errors, and the 24h default")
    func windowOptions() throws {
        let now = Date(timeIntervalSince1970: 1_704_240_000)
        #expect(try ReportWindow.resolve(since: nil, from: nil, to: nil, now: now) == ReportWindow.last("24h", now: now))
        #expect(try ReportWindow.last("90m", now: now).condition == "(start >= \(1_704_240_000 - 5400))")
        #expect(try ReportWindow.last("7d", now: now).condition == "(start >= \(1_704_240_000 - 7 * 86_400))")
        #expect(try ReportWindow.days(from: "2024-01-02", to: "2024/01/05").condition == "(date_partition >= '2024/01/02' AND date_partition < '2024/01/05')")
        #expect(try ReportWindow.days(from: "2024-01-02", to: nil).condition == "(date_partition >= '2024/01/02')")
        for bad in ["24", "h", "0h", "-3d", "1y", "24 hours"] {
            #expect(throws: ReportError.self) { try ReportWindow.last(bad, now: now) }
        }
        #expect(throws: ReportError.self) { try ReportWindow.days(from: "2024-01-05", to: "2024-01-05") }
        #expect(throws: ReportError.self) { try ReportWindow.days(from: "yesterday", to: nil) }
        #expect(throws: ReportError.self) { try ReportWindow.resolve(since: "24h", from: "2024-01-01", to: nil) }
    }

    @Test("parameters are checked before they reach SQL", arguments: ["x' OR '1'='1", "10.0.0.1' --", "10.0.0.1; DROP TABLE flows", "", "10.0.0.256"])
    func hostileAddress(value: String) async throws {
        let report = try #require(BuiltInReports.named("from-source"))
        do {
            _ = try await ReportRunner(store: fixture.store).run(report, window: window, parameters: ["address": value])
            Issue.record("'\(value)' was accepted")
        } catch {
            #expect(error.kind == .usage)
            #expect(error.message.contains("--param address"))
            #expect(error.message.contains("not an IP address"))
        }
    }

    @Test("a parameter becomes a quoted literal; IPv6 is written canonically; unknown or missing parameters are refused")
    func parameterLiterals() throws {
        let report = try #require(BuiltInReports.named("to-destination"))
        let queries = try report.resolvedQueries(window: window, parameters: ["address": "2001:DB8:0:0::1"])
        #expect(queries[0].sql.contains("dstaddr = '2001:db8::1'"))
        #expect(queries[0].sql.contains("(date_partition >= '2024/01/02' AND date_partition < '2024/01/04')"))
        #expect(queries[0].name == "Sources of traffic to 2001:db8::1")
        #expect(!queries.contains { $0.sql.contains("{") })
        #expect(throws: ReportError.self) { try report.resolvedQueries(window: window, parameters: [:]) }
        #expect(throws: ReportError.self) { try report.resolvedQueries(window: window, parameters: ["address": "10.0.0.1", "port": "22"]) }
        let word = ReportDefinition(name: "w", title: "W", summary: "", parameters: [ReportParameter(name: "port", defaultValue: "22")],
                                    queries: [ReportQuery(name: "q", sql: "SELECT count(*) FROM flows WHERE cast(dstport AS varchar) = {port}")])
        #expect(try word.resolvedQueries(window: window, parameters: [:])[0].sql.hasSuffix("= '22'"))
        #expect(throws: ReportError.self) { try word.resolvedQueries(window: window, parameters: ["port": "22' OR '1'='1"]) }
        #expect(throws: ReportError.self) { try word.resolvedQueries(window: window, parameters: ["port": "22 OR 1=1"]) }
    }
}
