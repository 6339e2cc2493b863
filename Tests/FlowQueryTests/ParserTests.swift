import Foundation
import Testing
@testable import FlowQuery

// MARK: - Helpers

/// A query written with a `1️⃣` marker where an error must point, as in swift-syntax's tests:
/// the text without the marker, and the marker's line, column and offset.
///
/// The location is computed from `String` (characters and `utf8`), independently of the
/// lexer's byte scanning, so the two check each other.
struct MarkedQuery: Sendable {
    /// The query without the marker.
    let text: String
    /// Where the marker stood.
    let location: FlowQuery.SourceLocation

    init(_ marked: String) {
        guard let index = marked.firstIndex(of: "1️⃣") else {
            text = marked
            location = .start
            return
        }
        let before = marked[..<index]
        text = String(before) + String(marked[marked.index(after: index)...])
        let isNewline: (Character) -> Bool = { $0 == "\n" || $0 == "\r\n" }
        let line = before.filter(isNewline).count + 1
        let lineStart = before.lastIndex(where: isNewline).map { before.index(after: $0) } ?? before.startIndex
        location = FlowQuery.SourceLocation(line: line, column: before[lineStart...].count + 1, offset: before.utf8.count)
    }
}

/// Parses `sql`, recording a test issue (and returning nil) if it throws.
func parsed(_ sql: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> SelectStatement? {
    do {
        return try QueryParser.parse(sql)
    } catch {
        Issue.record("\(sql)\n\(error.rendered(query: sql))", sourceLocation: sourceLocation)
        return nil
    }
}

/// The single select item of `SELECT <expression> FROM t`, as a shape string.
func shapeOf(_ expression: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String? {
    guard let statement = parsed("SELECT \(expression) FROM t", sourceLocation: sourceLocation) else { return nil }
    guard statement.items.count == 1, case .expression(let e, _) = statement.items[0] else {
        Issue.record("expected one expression item, got \(statement.items)", sourceLocation: sourceLocation)
        return nil
    }
    return shape(e)
}

/// Asserts that `marked` (with its `1️⃣`) fails with `kind` at the marker, and `message` if given.
@discardableResult
func expectQueryError(
    _ marked: String, _ kind: QueryError.Kind, _ message: String? = nil,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> QueryError? {
    let query = MarkedQuery(marked)
    let error = #expect(throws: QueryError.self, "\(query.text)", sourceLocation: sourceLocation) {
        try QueryParser.parse(query.text)
    }
    guard let error else { return nil }
    #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
    #expect(error.location == query.location,
            "\(error.rendered(query: query.text))\nexpected at \(query.location)", sourceLocation: sourceLocation)
    if let message {
        #expect(error.message == message, sourceLocation: sourceLocation)
    }
    return error
}

/// An expression as a Lisp-like string that spells out its tree: `(+ 1 (* 2 3))`.
///
/// Locations are left out, so tests can state the structure in one line; location tests check
/// those separately.
func shape(_ e: FlowQuery.Expression) -> String {
    func list(_ parts: [FlowQuery.Expression]) -> String { parts.map(shape).joined(separator: " ") }
    switch e {
    case .column(let name, let quoted, _, _): return quoted ? "\"\(name)\"" : name
    case .integer(let v, _): return String(v)
    case .decimal(let v, _): return v
    case .string(let v, _): return "'" + v.replacing("'", with: "''") + "'"
    case .boolean(let v, _): return v ? "TRUE" : "FALSE"
    case .null: return "NULL"
    case .typedLiteral(let type, let value, _): return "(\(type) '\(value)')"
    case .interval(let value, let unit, _): return "(interval '\(value)' \(unit))"
    case .keywordFunction(let name, _): return "{\(name)}"
    case .unary(let op, let x, _): return "(\(op.rawValue) \(shape(x)))"
    case .binary(let op, let l, let r, _): return "(\(op.rawValue) \(shape(l)) \(shape(r)))"
    case .between(let v, let lo, let hi, let negated, _):
        return "(\(negated ? "NOT " : "")BETWEEN \(shape(v)) \(shape(lo)) \(shape(hi)))"
    case .inList(let v, let items, let negated, _): return "(\(negated ? "NOT " : "")IN \(shape(v)) \(list(items)))"
    case .like(let v, let p, let escape, let negated, _):
        return "(\(negated ? "NOT " : "")LIKE \(shape(v)) \(shape(p))\(escape.map { " ESCAPE \(shape($0))" } ?? ""))"
    case .isNull(let v, let negated, _): return "(IS \(negated ? "NOT " : "")NULL \(shape(v)))"
    case .function(let name, let args, let distinct, let star, _):
        return "\(name)(\(distinct ? "DISTINCT " : "")\(star ? "*" : args.map(shape).joined(separator: ", ")))"
    case .cast(let v, let type, let isTry, _): return "(\(isTry ? "TRY_CAST" : "CAST") \(shape(v)) AS \(type))"
    case .caseWhen(let operand, let branches, let otherwise, _):
        var s = "(CASE" + (operand.map { " " + shape($0) } ?? "")
        for b in branches { s += " (WHEN \(shape(b.condition)) \(shape(b.result)))" }
        if let otherwise { s += " (ELSE \(shape(otherwise)))" }
        return s + ")"
    }
}

/// Select items as `shape AS alias` / `*` strings.
func shapes(_ items: [SelectItem]) -> [String] {
    items.map { item in
        switch item {
        case .star: return "*"
        case .expression(let e, let alias): return shape(e) + (alias.map { " AS \($0)" } ?? "")
        }
    }
}

/// Order items as `shape ASC|DESC [NULLS FIRST|LAST]`.
func shapes(_ items: [OrderItem]) -> [String] {
    items.map { item in
        shape(item.expression) + (item.ascending ? " ASC" : " DESC")
            + (item.nullsFirst.map { $0 ? " NULLS FIRST" : " NULLS LAST" } ?? "")
    }
}

/// Shorthand for a location in tests.
func at(_ line: Int, _ column: Int, _ offset: Int) -> FlowQuery.SourceLocation {
    FlowQuery.SourceLocation(line: line, column: column, offset: offset)
}

// MARK: - The documented Athena queries

@Suite("Parser: the documented Athena queries")
struct DocumentedQueryParseTests {
    @Test("rejected 443 after a date, parenthesised AND")
    func rejected443() throws {
        let s = try #require(parsed("""
            SELECT * FROM vpc_flow_logs WHERE (action = 'REJECT' AND dstport = 443) AND date_partition >= '2024-01-01';
            """))
        #expect(s.items == [.star(table: nil, at: at(1, 8, 7))])
        #expect(s.from == TableReference(name: "vpc_flow_logs", location: at(1, 15, 14)))
        #expect(s.filter.map(shape) == "(AND (AND (= action 'REJECT') (= dstport 443)) (>= date_partition '2024-01-01'))")
        #expect(s.groupBy.isEmpty && s.having == nil && s.orderBy.isEmpty && s.limit == nil && !s.distinct)
    }

    @Test("DATE('...') is a call to date(), and date alone is the column")
    func dateCall() throws {
        let s = try #require(parsed("SELECT * FROM vpc_flow_logs WHERE date = DATE('2020-05-04') LIMIT 100;"))
        #expect(s.filter.map(shape) == "(= date date('2020-05-04'))")
        #expect(s.limit == 100)
    }

    @Test("day_of_week(date) AS day, and columns named date, action, protocol")
    func dayOfWeek() throws {
        let s = try #require(parsed("""
            SELECT day_of_week(date) AS day, date, interface_id, srcaddr, action, protocol FROM vpc_flow_logs \
            WHERE action = 'REJECT' AND protocol = 6 LIMIT 100;
            """))
        #expect(shapes(s.items) == ["day_of_week(date) AS day", "date", "interface_id", "srcaddr", "action", "protocol"])
        #expect(s.filter.map(shape) == "(AND (= action 'REJECT') (= protocol 6))")
        #expect(s.limit == 100)
    }

    @Test("sum per destination over the last 7 days: current_date - interval '7' day")
    func lastSevenDays() throws {
        let s = try #require(parsed("""
            SELECT SUM(packets) AS packetcount, dstaddr FROM vpc_flow_logs WHERE dstport = 443 AND \
            date > current_date - interval '7' day GROUP BY dstaddr ORDER BY packetcount DESC LIMIT 10;
            """))
        #expect(shapes(s.items) == ["sum(packets) AS packetcount", "dstaddr"])
        #expect(s.filter.map(shape) == "(AND (= dstport 443) (> date (- {current_date} (interval '7' day))))")
        #expect(s.groupBy.map(shape) == ["dstaddr"])
        #expect(shapes(s.orderBy) == ["packetcount DESC"])
        #expect(s.limit == 10)
    }

    @Test("a day range ordered by day")
    func dayRange() throws {
        let s = try #require(parsed("""
            SELECT * FROM vpc_flow_logs WHERE day >= '2021/02/01' AND day < '2021/02/28' ORDER BY day ASC LIMIT 100;
            """))
        #expect(s.filter.map(shape) == "(AND (>= day '2021/02/01') (< day '2021/02/28'))")
        #expect(s.orderBy == [OrderItem(expression: .column(name: "day", quoted: false, table: nil, at: at(1, 87, 86)), ascending: true)])
        #expect(s.limit == 100)
    }

    @Test("ISO 8601 times of start and \"end\"; DAY in capitals is the day column")
    func isoTimes() throws {
        let s = try #require(parsed("""
            SELECT interface_id, srcaddr, action, protocol, to_iso8601(from_unixtime(start)) AS start_time, \
            to_iso8601(from_unixtime("end")) AS end_time FROM vpc_flow_logs WHERE DAY >= '2021/04/01' AND DAY < '2021/04/30';
            """))
        #expect(shapes(s.items) == [
            "interface_id", "srcaddr", "action", "protocol", "to_iso8601(from_unixtime(start)) AS start_time",
            "to_iso8601(from_unixtime(\"end\")) AS end_time",
        ])
        #expect(s.filter.map(shape) == "(AND (>= DAY '2021/04/01') (< DAY '2021/04/30'))")
        #expect(s.limit == nil)
    }

    @Test("one source address in a day range")
    func oneSource() throws {
        let s = try #require(parsed("""
            SELECT * FROM vpc_flow_logs WHERE srcaddr = '10.117.1.22' AND day >= '2021/02/01' AND day < '2021/02/28';
            """))
        #expect(s.filter.map(shape) == "(AND (AND (= srcaddr '10.117.1.22') (>= day '2021/02/01')) (< day '2021/02/28'))")
    }

    @Test("split_part with no spaces around = and ,")
    func splitPart() throws {
        let s = try #require(parsed("""
            SELECT * FROM vpc_flow_logs WHERE split_part(srcaddr,'.', 1)='10' AND split_part(srcaddr,'.', 2) ='117';
            """))
        #expect(s.filter.map(shape) == "(AND (= split_part(srcaddr, '.', 1) '10') (= split_part(srcaddr, '.', 2) '117'))")
    }

    @Test("contains() with cast(... as IPADDRESS)")
    func containsCast() throws {
        let s = try #require(parsed("""
            SELECT * FROM vpc_flow_logs WHERE log_status = 'OK' AND contains('172.16.0.0/12', cast(srcaddr as IPADDRESS)) \
            AND contains('172.16.0.0/12', cast(dstaddr as IPADDRESS)) AND date_partition >= '2020/07/01' \
            AND date_partition <= '2020/07/31';
            """))
        #expect(s.filter.map(shape) == """
            (AND (AND (AND (AND (= log_status 'OK') contains('172.16.0.0/12', (CAST srcaddr AS ipaddress))) \
            contains('172.16.0.0/12', (CAST dstaddr AS ipaddress))) (>= date_partition '2020/07/01')) \
            (<= date_partition '2020/07/31'))
            """)
    }

    @Test("min, max(\"end\") and array_agg(DISTINCT(x))")
    func firstAndLastSeen() throws {
        let s = try #require(parsed("""
            SELECT srcaddr, min(start) AS first_seen, max("end") AS last_seen, array_agg(DISTINCT(dstaddr)), \
            array_agg(DISTINCT(instance_id)), array_agg(DISTINCT(dstport)) FROM vpc_flow_logs \
            WHERE dstport < 32768 AND date_partition >= '2020/07/01' GROUP BY srcaddr ORDER BY first_seen ASC;
            """))
        #expect(shapes(s.items) == [
            "srcaddr", "min(start) AS first_seen", "max(\"end\") AS last_seen", "array_agg(DISTINCT dstaddr)",
            "array_agg(DISTINCT instance_id)", "array_agg(DISTINCT dstport)",
        ])
        #expect(s.filter.map(shape) == "(AND (< dstport 32768) (>= date_partition '2020/07/01'))")
        #expect(s.groupBy.map(shape) == ["srcaddr"])
        #expect(shapes(s.orderBy) == ["first_seen ASC"])
    }

    @Test("GROUP BY 1 ORDER BY 1 with count(*)")
    func ordinals() throws {
        let s = try #require(parsed("""
            SELECT date_trunc('hour', from_unixtime(start)) AS h, count(*) FROM flows WHERE log_status = 'SKIPDATA' \
            GROUP BY 1 ORDER BY 1;
            """))
        #expect(shapes(s.items) == ["date_trunc('hour', from_unixtime(start)) AS h", "count(*)"])
        guard case .expression(.function("count", let args, false, true, _), nil) = s.items[1] else {
            Issue.record("count(*) should be a star call: \(s.items[1])")
            return
        }
        #expect(args.isEmpty)
        #expect(s.from.name == "flows")
        #expect(s.groupBy == [.integer(1, at: at(1, 114, 113))])
        #expect(shapes(s.orderBy) == ["1 ASC"])
        #expect(s.orderBy.first?.nullsFirst == nil)
    }

    @Test("LIKE, HAVING, a bare alias and NULLS LAST")
    func havingAndNulls() throws {
        let s = try #require(parsed("""
            SELECT srcaddr, count(*) c FROM flows WHERE srcaddr LIKE '10.%' AND action='REJECT' GROUP BY srcaddr \
            HAVING count(*) > 5 ORDER BY c DESC NULLS LAST, 1 LIMIT 20;
            """))
        #expect(shapes(s.items) == ["srcaddr", "count(*) AS c"])
        #expect(s.filter.map(shape) == "(AND (LIKE srcaddr '10.%') (= action 'REJECT'))")
        #expect(s.groupBy.map(shape) == ["srcaddr"])
        #expect(s.having.map(shape) == "(> count(*) 5)")
        #expect(shapes(s.orderBy) == ["c DESC NULLS LAST", "1 ASC"])
        #expect(s.limit == 20)
    }

    @Test("DISTINCT, CASE, || and the negated predicates")
    func distinctCase() throws {
        let s = try #require(parsed("""
            SELECT DISTINCT CASE WHEN protocol = 6 THEN 'tcp' WHEN protocol = 17 THEN 'udp' ELSE 'other' END AS p, \
            coalesce(region, 'n/a') || '-' || lower(action) FROM flows WHERE NOT (dstport BETWEEN 1024 AND 65535) \
            AND srcport NOT IN (22, 3389) AND vpc_id IS NOT NULL;
            """))
        #expect(s.distinct)
        #expect(shapes(s.items) == [
            "(CASE (WHEN (= protocol 6) 'tcp') (WHEN (= protocol 17) 'udp') (ELSE 'other')) AS p",
            "(|| (|| coalesce(region, 'n/a') '-') lower(action))",
        ])
        #expect(s.filter.map(shape) == """
            (AND (AND (NOT (BETWEEN dstport 1024 65535)) (NOT IN srcport 22 3389)) (IS NOT NULL vpc_id))
            """)
    }
}

// MARK: - Expressions

@Suite("Parser: precedence")
struct PrecedenceTests {
    @Test("operators bind as in Trino", arguments: [
        ("a OR b AND c", "(OR a (AND b c))"),
        ("a AND b OR c", "(OR (AND a b) c)"),
        ("NOT a = b", "(NOT (= a b))"),
        ("NOT a AND b", "(AND (NOT a) b)"),
        ("NOT NOT a", "(NOT (NOT a))"),
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("8 / 4 % 3", "(% (/ 8 4) 3)"),
        ("-x * y", "(* (- x) y)"),
        ("- -x", "(- (- x))"),
        ("+x", "(+ x)"),
        ("-1", "(- 1)"),
        ("'a' || 'b' = 'ab'", "(= (|| 'a' 'b') 'ab')"),
        ("a || b + c", "(+ (|| a b) c)"),
        ("a + b || c", "(|| (+ a b) c)"),
        ("a = 1 OR b <> 2 AND c != 3", "(OR (= a 1) (AND (<> b 2) (<> c 3)))"),
        ("a < b + 1", "(< a (+ b 1))"),
        ("a BETWEEN 1 AND 2 AND b", "(AND (BETWEEN a 1 2) b)"),
        ("a BETWEEN b + 1 AND c * 2", "(BETWEEN a (+ b 1) (* c 2))"),
        ("a IS NULL OR b IS NOT NULL", "(OR (IS NULL a) (IS NOT NULL b))"),
        ("a + 1 IS NULL", "(IS NULL (+ a 1))"),
        ("NOT a IN (1, 2)", "(NOT (IN a 1 2))"),
        ("a NOT LIKE 'x%' ESCAPE '\\'", "(NOT LIKE a 'x%' ESCAPE '\\')"),
        ("a LIKE b || '%'", "(LIKE a (|| b '%'))"),
        ("(a = b) = c", "(= (= a b) c)"),
    ])
    func precedence(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }
}

@Suite("Parser: expressions")
struct ExpressionTests {
    @Test("literals", arguments: [
        ("443", "443"), ("1.5", "1.5"), (".5", ".5"), ("1e3", "1e3"), ("'it''s'", "'it''s'"), ("''", "''"),
        ("TRUE", "TRUE"), ("false", "FALSE"), ("NULL", "NULL"),
        ("DATE '2024-01-05'", "(date '2024-01-05')"), ("timestamp '2024-01-05 10:00:00'", "(timestamp '2024-01-05 10:00:00')"),
        ("IPADDRESS '10.0.0.1'", "(ipaddress '10.0.0.1')"),
        ("current_date", "{current_date}"), ("CURRENT_TIMESTAMP", "{current_timestamp}"), ("localtimestamp", "{localtimestamp}"),
    ])
    func literals(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }

    @Test("integer literals are Int64 until they overflow, then decimals kept as written")
    func integerOverflow() throws {
        let max = try #require(parsed("SELECT 9223372036854775807 FROM t"))
        #expect(max.items == [.expression(.integer(Int64.max, at: at(1, 8, 7)), alias: nil)])
        let over = try #require(parsed("SELECT 9223372036854775808 FROM t"))
        #expect(over.items == [.expression(.decimal("9223372036854775808", at: at(1, 8, 7)), alias: nil)])
        #expect(shapeOf("007") == "7")
    }

    @Test("intervals", arguments: [
        ("interval '7' day", "(interval '7' day)"), ("INTERVAL '2' HOURS", "(interval '2' hour)"),
        ("interval '-1' day", "(interval '-1' day)"), ("interval - '3' minute", "(interval '-3' minute)"),
        ("interval -'-3' minute", "(interval '3' minute)"), ("interval + '3' second", "(interval '3' second)"),
        ("interval '1' Month", "(interval '1' month)"), ("interval '1' years", "(interval '1' year)"),
        ("interval '2' weeks", "(interval '2' week)"), ("interval '30' SECONDS", "(interval '30' second)"),
        ("interval", "interval"), ("interval + 1", "(+ interval 1)"),
    ])
    func intervals(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }

    @Test("function calls: names lowercased, *, DISTINCT, ALL, no arguments", arguments: [
        ("COUNT(*)", "count(*)"), ("count(DISTINCT srcaddr)", "count(DISTINCT srcaddr)"),
        ("count(distinct(srcaddr))", "count(DISTINCT srcaddr)"), ("sum(ALL bytes)", "sum(bytes)"),
        ("now()", "now()"), ("Coalesce(a, 'x', 1)", "coalesce(a, 'x', 1)"), ("f(g(h(x)))", "f(g(h(x)))"),
        ("DATE('2020-05-04')", "date('2020-05-04')"), ("date (x)", "date(x)"), ("\"Count\"(x)", "count(x)"),
        ("max(a) + min(b)", "(+ max(a) min(b))"), ("f(a = 1, b OR c)", "f((= a 1), (OR b c))"),
        ("if(a > 1, 'x', 'y')", "if((> a 1), 'x', 'y')"), ("trim(action)", "trim(action)"),
        ("count(all)", "count(all)"),
    ])
    func functions(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }

    @Test("CAST and TRY_CAST keep the type lowercased with its parameters", arguments: [
        ("cast(srcaddr as IPADDRESS)", "(CAST srcaddr AS ipaddress)"),
        ("CAST(x AS BIGINT)", "(CAST x AS bigint)"),
        ("try_cast(x AS varchar(10))", "(TRY_CAST x AS varchar(10))"),
        ("cast(x as DECIMAL(10, 2))", "(CAST x AS decimal(10,2))"),
        ("cast(x as double precision)", "(CAST x AS double precision)"),
        ("cast(x as timestamp(3) with time zone)", "(CAST x AS timestamp(3) with time zone)"),
        ("cast(x as array(varchar))", "(CAST x AS array(varchar))"),
        ("cast(x as row(a bigint, b varchar))", "(CAST x AS row(a bigint,b varchar))"),
        ("cast(a + 1 as date)", "(CAST (+ a 1) AS date)"),
    ])
    func casts(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }

    @Test("CASE forms", arguments: [
        ("CASE WHEN a THEN 1 END", "(CASE (WHEN a 1))"),
        ("case protocol when 6 then 'tcp' when 17 then 'udp' end", "(CASE protocol (WHEN 6 'tcp') (WHEN 17 'udp'))"),
        ("CASE WHEN a > 1 THEN 'x' ELSE NULL END", "(CASE (WHEN (> a 1) 'x') (ELSE NULL))"),
        ("CASE WHEN a THEN CASE WHEN b THEN 1 END END", "(CASE (WHEN a (CASE (WHEN b 1))))"),
    ])
    func cases(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }

    @Test("EXTRACT(field FROM x) is the function named for the field", arguments: [
        ("extract(hour FROM ts)", "hour(ts)"), ("EXTRACT(DOW FROM ts)", "day_of_week(ts)"),
        ("extract(year from from_unixtime(start))", "year(from_unixtime(start))"),
    ])
    func extract(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }

    @Test("column references: as written, quoted, qualified by the table alias", arguments: [
        ("srcaddr", "srcaddr"), ("SrcAddr", "SrcAddr"), ("\"end\"", "\"end\""), ("\"a\"\"b\"", "\"a\"b\""),
        ("`end`", "\"end\""), ("t.srcaddr", "srcaddr"), ("t.\"end\"", "\"end\""), ("date", "date"),
        ("day", "day"), ("year", "year"), ("start", "start"), ("type", "type"), ("version", "version"),
        ("action", "action"), ("protocol", "protocol"), ("hour", "hour"), ("timestamp", "timestamp"),
    ])
    func columns(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }

    @Test("IN lists and BETWEEN", arguments: [
        ("a IN (1)", "(IN a 1)"), ("a not in ('x', 'y', 'z')", "(NOT IN a 'x' 'y' 'z')"),
        ("a IN (b + 1, lower(c))", "(IN a (+ b 1) lower(c))"), ("a NOT BETWEEN 1 AND 10", "(NOT BETWEEN a 1 10)"),
        ("date BETWEEN DATE '2024-01-01' AND current_date", "(BETWEEN date (date '2024-01-01') {current_date})"),
    ])
    func lists(expression: String, expected: String) {
        #expect(shapeOf(expression) == expected)
    }
}

@Suite("Parser: locations in the tree")
struct TreeLocationTests {
    @Test("a binary expression is at its operator, a call at its name, a column at its name token")
    func operatorLocations() throws {
        let s = try #require(parsed("SELECT * FROM t f WHERE f.dstport >= count(x) + 1"))
        guard case .binary(.greaterOrEqual, let left, let right, let at1)? = s.filter,
              case .binary(.add, let call, _, let at2) = right else {
            Issue.record("unexpected shape \(String(describing: s.filter))")
            return
        }
        #expect(at1 == at(1, 35, 34))
        #expect(at2 == at(1, 47, 46))
        #expect(left == .column(name: "dstport", quoted: false, table: "f", at: at(1, 27, 26)))
        #expect(call.location == at(1, 38, 37))
    }

    @Test("unary, predicates, CASE, CAST and literals are at their first token")
    func otherLocations() throws {
        let s = try #require(parsed("SELECT -a, CASE WHEN b THEN 1 END, CAST(c AS int), DATE 'x', interval '1' day FROM t"))
        let locations = s.items.compactMap { item -> FlowQuery.SourceLocation? in
            if case .expression(let e, _) = item { return e.location }
            return nil
        }
        #expect(locations == [at(1, 8, 7), at(1, 12, 11), at(1, 36, 35), at(1, 52, 51), at(1, 62, 61)])
        let p = try #require(parsed("SELECT * FROM t WHERE a NOT IN (1) OR b IS NULL OR c LIKE 'x' OR d BETWEEN 1 AND 2"))
        guard case .binary(.or, .binary(.or, .binary(.or, let notIn, let isNull, _), let like, _), let between, _)? = p.filter else {
            Issue.record("unexpected shape")
            return
        }
        #expect(notIn.location == at(1, 25, 24))
        #expect(isNull.location == at(1, 41, 40))
        #expect(like.location == at(1, 54, 53))
        #expect(between.location == at(1, 68, 67))
    }

    @Test("a multi-line query with comments keeps line and column right")
    func multiLine() throws {
        let s = try #require(parsed("""
            -- top 10 talkers
            SELECT srcaddr,   /* who */
                   sum(bytes) AS total
            FROM   "vpc_flow_logs" AS f
            WHERE  f.action = 'ACCEPT'
              AND  date >= DATE '2024-01-01'
            GROUP BY srcaddr
            ORDER BY total DESC
            LIMIT 10
            """))
        #expect(s.items == [
            .expression(.column(name: "srcaddr", quoted: false, table: nil, at: at(2, 8, 25)), alias: nil),
            .expression(.function(name: "sum", arguments: [.column(name: "bytes", quoted: false, table: nil, at: at(3, 12, 57))],
                                  distinct: false, star: false, at: at(3, 8, 53)), alias: "total"),
        ])
        #expect(s.from == TableReference(name: "vpc_flow_logs", alias: "f", location: at(4, 8, 80)))
        guard case .binary(.and, .binary(.equal, let action, _, let eq), .binary(.greaterOrEqual, _, let date, _), let and)? = s.filter else {
            Issue.record("unexpected shape \(String(describing: s.filter))")
            return
        }
        #expect(action.location == at(5, 10, 110))
        #expect(eq == at(5, 17, 117))
        #expect(and == at(6, 3, 130))
        #expect(date == .typedLiteral(type: "date", value: "2024-01-01", at: at(6, 16, 143)))
        #expect(s.limit == 10)
    }
}

// MARK: - Statements

@Suite("Parser: statement structure")
struct StatementTests {
    @Test("SELECT ALL is the default; SELECT DISTINCT sets the flag")
    func quantifiers() throws {
        #expect(try #require(parsed("SELECT ALL a FROM t")).distinct == false)
        #expect(try #require(parsed("SELECT ALL a FROM t")).items.count == 1)
        #expect(try #require(parsed("select distinct a, b from t")).distinct == true)
    }

    @Test("select items: *, t.*, aliases with and without AS, quoted aliases", arguments: [
        ("SELECT * FROM t", ["*"]),
        ("SELECT *, a FROM t", ["*", "a"]),
        ("SELECT t.* FROM t", ["*"]),
        ("SELECT f.*, f.a FROM t f", ["*", "a"]),
        ("SELECT a AS x, b y, c \"Z z\", d AS \"end\" FROM t", ["a AS x", "b AS y", "c AS Z z", "d AS end"]),
        ("SELECT a day FROM t", ["a AS day"]),
        ("SELECT count(*) AS n FROM t", ["count(*) AS n"]),
        ("SELECT a * b FROM t", ["(* a b)"]),
    ])
    func selectItems(sql: String, expected: [String]) throws {
        #expect(shapes(try #require(parsed(sql)).items) == expected)
    }

    @Test("t.* is located at its qualifier")
    func qualifiedStarLocation() throws {
        #expect(try #require(parsed("SELECT  f.* FROM t f")).items == [.star(table: "f", at: at(1, 9, 8))])
    }

    @Test("table names: plain, qualified, quoted, with and without alias", arguments: [
        ("SELECT * FROM vpc_flow_logs", "vpc_flow_logs", nil),
        ("SELECT * FROM db.vpc_flow_logs", "db.vpc_flow_logs", nil),
        ("SELECT * FROM awsdatacatalog.db.vpc_flow_logs v", "awsdatacatalog.db.vpc_flow_logs", "v"),
        ("SELECT * FROM \"vpc_flow_logs\"", "vpc_flow_logs", nil),
        ("SELECT * FROM \"db\".\"Flow Logs\" AS \"F\"", "db.Flow Logs", "F"),
        ("SELECT * FROM flows AS f", "flows", "f"),
        ("SELECT * FROM flows f WHERE f.a = 1", "flows", "f"),
        ("SELECT * FROM flows LIMIT 5", "flows", nil),
        ("SELECT * FROM flows;", "flows", nil),
    ] as [(String, String, String?)])
    func tables(sql: String, name: String, alias: String?) throws {
        let s = try #require(parsed(sql))
        #expect(s.from.name == name)
        #expect(s.from.alias == alias)
        #expect(s.from.location == at(1, 15, 14))
    }

    @Test("qualifiers may name the alias, or the table when it has none, in any letter case", arguments: [
        "SELECT f.a FROM flows f", "SELECT F.a FROM flows f", "SELECT flows.a FROM flows", "SELECT flows.a FROM db.flows",
        "SELECT db.flows.a FROM db.flows", "SELECT FLOWS.* FROM flows WHERE flows.a = 1 ORDER BY flows.b",
        "SELECT \"f\".a FROM flows AS f",
    ])
    func qualifiers(sql: String) {
        #expect(parsed(sql) != nil)
    }

    @Test("GROUP BY, HAVING, ORDER BY variants, LIMIT ALL")
    func clauses() throws {
        let s = try #require(parsed("""
            SELECT a, b, count(*) FROM t GROUP BY a, 2 HAVING count(*) > 1 AND max(c) < 5 \
            ORDER BY a, b desc, 3 ASC NULLS FIRST, lower(a) NULLS LAST LIMIT ALL
            """))
        #expect(s.groupBy.map(shape) == ["a", "2"])
        #expect(s.having.map(shape) == "(AND (> count(*) 1) (< max(c) 5))")
        #expect(shapes(s.orderBy) == ["a ASC", "b DESC", "3 ASC NULLS FIRST", "lower(a) ASC NULLS LAST"])
        #expect(s.limit == nil)
        #expect(try #require(parsed("SELECT a FROM t LIMIT 0")).limit == 0)
        #expect(try #require(parsed("SELECT a FROM t HAVING count(*) > 1")).having != nil)
    }

    @Test("one trailing semicolon, comments and blank space around the statement are fine", arguments: [
        "SELECT a FROM t;", "SELECT a FROM t ;  ", "  \n SELECT a FROM t -- done", "/* q */ SELECT a FROM t; -- done\n",
        "SELECT a FROM t;\n/* trailing */",
    ])
    func trailing(sql: String) {
        #expect(parsed(sql)?.items.count == 1)
    }

    @Test("keywords in any case")
    func lowercaseKeywords() throws {
        let s = try #require(parsed("select a from t where a is not null group by a having count(*) > 1 order by a desc limit 5"))
        #expect(s.filter.map(shape) == "(IS NOT NULL a)")
        #expect(s.limit == 5)
    }
}

// MARK: - Errors

/// One error case: the marked query, the kind, and the message.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    let marked: String
    let kind: QueryError.Kind
    let message: String

    init(_ marked: String, _ kind: QueryError.Kind, _ message: String) {
        self.marked = marked
        self.kind = kind
        self.message = message
    }

    var testDescription: String { marked }
}

@Suite("Parser: syntax errors")
struct SyntaxErrorTests {
    @Test("each points at the offending token and says what was expected", arguments: [
        ErrorCase("SELECT * FROM flows WHERE dstport = 1️⃣FROM", .syntax, "expected an expression after '=' but found 'FROM'"),
        ErrorCase("SELECT * FROM flows WHERE1️⃣", .syntax, "expected an expression after 'WHERE' but the query ended"),
        ErrorCase("SELECT * FROM flows WHERE1️⃣   -- nothing\n\n", .syntax,
                  "expected an expression after 'WHERE' but the query ended"),
        ErrorCase("SELECT * FROM flows\nWHERE a = 1 AND1️⃣\n", .syntax, "expected an expression after 'AND' but the query ended"),
        ErrorCase("SELECT 1️⃣FROM t", .syntax, "expected an expression or '*' after 'SELECT' but found 'FROM'"),
        ErrorCase("SELECT a, 1️⃣FROM t", .syntax, "expected an expression or '*' after ',' but found 'FROM'"),
        ErrorCase("SELECT a 1️⃣WHERE a = 1", .syntax, "expected ',' or FROM but found 'WHERE'"),
        ErrorCase("SELECT a b 1️⃣c FROM t", .syntax, "expected ',' or FROM but found 'c'"),
        ErrorCase("SELECT a1️⃣", .syntax, "expected ',' or FROM but the query ended"),
        ErrorCase("SELECT a AS 1️⃣FROM t", .syntax, "expected a column alias after 'AS' but found 'FROM'"),
        ErrorCase("SELECT a FROM 1️⃣WHERE a = 1", .syntax, "expected a table name after 'FROM' but found 'WHERE'"),
        ErrorCase("SELECT a FROM 1️⃣'flows'", .syntax, "expected a table name after 'FROM' but found the string 'flows'"),
        ErrorCase("SELECT a FROM t AS 1️⃣WHERE", .syntax, "expected a table alias after 'AS' but found 'WHERE'"),
        ErrorCase("SELECT a FROM db.1️⃣;", .syntax, "expected a name after '.' but found ';'"),
        ErrorCase("SELECT a FROM t WHERE a = 1 1️⃣b = 2", .syntax,
                  "expected GROUP BY, HAVING, ORDER BY, LIMIT or the end of the query but found 'b'"),
        ErrorCase("SELECT a FROM t f 1️⃣g h", .syntax,
                  "expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT or the end of the query but found 'g'"),
        ErrorCase("SELECT a FROM t GROUP BY a 1️⃣b", .syntax,
                  "expected ',', HAVING, ORDER BY, LIMIT or the end of the query but found 'b'"),
        ErrorCase("SELECT a FROM t LIMIT 5 1️⃣6", .syntax, "expected the end of the query but found '6'"),
        ErrorCase("SELECT a FROM t GROUP 1️⃣a", .syntax, "expected BY after 'GROUP' but found 'a'"),
        ErrorCase("SELECT a FROM t ORDER1️⃣", .syntax, "expected BY after 'ORDER' but the query ended"),
        ErrorCase("SELECT a FROM t ORDER BY a 1️⃣WHERE a = 1", .syntax, "WHERE must come before ORDER BY"),
        ErrorCase("SELECT a FROM t LIMIT 1 1️⃣ORDER BY a", .syntax, "ORDER BY must come before LIMIT"),
        ErrorCase("SELECT a FROM t WHERE a = 1 1️⃣WHERE b = 2", .syntax, "only one WHERE clause is allowed"),
        ErrorCase("SELECT a FROM t 1️⃣FROM u", .syntax, "only one FROM clause is allowed"),
        ErrorCase("SELECT a FROM t LIMIT 1️⃣x", .syntax, "expected a row count or ALL after 'LIMIT' but found 'x'"),
        ErrorCase("SELECT a FROM t LIMIT 1️⃣-1", .syntax, "expected a row count or ALL after 'LIMIT' but found '-'"),
        ErrorCase("SELECT a FROM t LIMIT 1️⃣2.5", .syntax, "expected a row count or ALL after 'LIMIT' but found '2.5'"),
        ErrorCase("SELECT a FROM t LIMIT 1️⃣99999999999999999999", .syntax, "the LIMIT 99999999999999999999 is too large"),
        ErrorCase("SELECT a FROM t ORDER BY a NULLS 1️⃣FIRSTLY", .syntax, "expected FIRST or LAST after 'NULLS' but found 'FIRSTLY'"),
        ErrorCase("SELECT a FROM t WHERE a IS 1️⃣5", .syntax, "expected NULL or NOT NULL after 'IS' but found '5'"),
        ErrorCase("SELECT a FROM t WHERE a IS NOT 1️⃣TRUE", .syntax, "expected NULL after 'NOT' but found 'TRUE'"),
        ErrorCase("SELECT a FROM t WHERE a = 1 1️⃣= 2", .syntax,
                  "a comparison cannot directly follow another; add parentheses or join them with AND"),
        ErrorCase("SELECT a FROM t WHERE a < b 1️⃣IS NULL", .syntax,
                  "a comparison cannot directly follow another; add parentheses or join them with AND"),
        ErrorCase("SELECT a FROM t WHERE a = 1️⃣NOT b", .syntax, "expected an expression after '=' but found 'NOT'"),
        ErrorCase("SELECT a FROM t WHERE a BETWEEN 1 1️⃣OR 2", .syntax,
                  "expected AND between the bounds of BETWEEN but found 'OR'"),
        ErrorCase("SELECT a FROM t WHERE a IN 1️⃣1", .syntax, "expected '(' and a list of values after 'IN' but found '1'"),
        ErrorCase("SELECT a FROM t WHERE a IN (1️⃣)", .syntax, "expected an expression after '(' but found ')'"),
        ErrorCase("SELECT a FROM t WHERE a IN (1, 2 1️⃣3)", .syntax, "expected ',' or ')' in the IN list but found '3'"),
        ErrorCase("SELECT a FROM t WHERE a LIKE1️⃣", .syntax, "expected an expression after 'LIKE' but the query ended"),
        ErrorCase("SELECT count(1️⃣FROM t", .syntax, "expected an expression after '(' but found 'FROM'"),
        ErrorCase("SELECT count(a 1️⃣FROM t", .syntax, "expected ',' or ')' but found 'FROM'"),
        ErrorCase("SELECT count(a,1️⃣) FROM t", .syntax, "expected an expression after ',' but found ')'"),
        ErrorCase("SELECT count(DISTINCT 1️⃣*) FROM t", .syntax, "expected an expression after 'DISTINCT' but found '*'"),
        ErrorCase("SELECT (a + 1 1️⃣FROM t", .syntax, "expected ')' to match the '(' at 1:8 but found 'FROM'"),
        ErrorCase("SELECT (\n  (a + 1) * 2\n1️⃣FROM t", .syntax, "expected ')' to match the '(' at 1:8 but found 'FROM'"),
        ErrorCase("SELECT a FROM t WHERE (a = 1) 1️⃣)", .syntax,
                  "expected GROUP BY, HAVING, ORDER BY, LIMIT or the end of the query but found ')'"),
        ErrorCase("SELECT CASE 1️⃣END FROM t", .syntax, "expected WHEN after 'CASE' but found 'END'"),
        ErrorCase("SELECT CASE a 1️⃣END FROM t", .syntax, "expected WHEN after 'a' but found 'END'"),
        ErrorCase("SELECT CASE WHEN a 1️⃣1 END FROM t", .syntax, "expected THEN after 'a' but found '1'"),
        ErrorCase("SELECT CASE WHEN a THEN 1 1️⃣FROM t", .syntax,
                  "expected WHEN, ELSE or END to close the CASE at 1:8 but found 'FROM'"),
        ErrorCase("SELECT CASE WHEN a THEN 1 ELSE 2 1️⃣FROM t", .syntax, "expected END to close the CASE at 1:8 but found 'FROM'"),
        ErrorCase("SELECT cast(a 1️⃣varchar) FROM t", .syntax, "expected AS and a type in CAST but found 'varchar'"),
        ErrorCase("SELECT try_cast(a AS 1️⃣) FROM t", .syntax, "expected a type name after 'AS' but found ')'"),
        ErrorCase("SELECT cast(a AS int 1️⃣FROM t", .syntax, "expected ')' to close CAST but found 'FROM'"),
        ErrorCase("SELECT cast(a AS varchar(1️⃣)) FROM t", .syntax, "expected a type name after '(' but found ')'"),
        ErrorCase("SELECT cast(a AS timestamp with 1️⃣zone) FROM t", .syntax, "expected TIME ZONE after 'with' but found 'zone'"),
        ErrorCase("SELECT interval '1' 1️⃣fortnight FROM t", .syntax,
                  "expected an interval unit (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE or SECOND) after the string '1' but found 'fortnight'"),
        ErrorCase("SELECT extract(1️⃣fortnight FROM ts) FROM t", .syntax,
                  "expected a date or time field such as YEAR, MONTH, DAY or HOUR after '(' but found 'fortnight'"),
        ErrorCase("SELECT extract(hour 1️⃣OF ts) FROM t", .syntax, "expected FROM after the field in EXTRACT but found 'OF'"),
        ErrorCase("SELECT current_date1️⃣() FROM t", .syntax, "current_date is written without parentheses"),
        ErrorCase("SELECT 1 + f1️⃣.* FROM t f", .syntax, "'f.*' can only stand alone as a select item"),
        ErrorCase("SELECT a FROM t WHERE t.1️⃣'x' = 1", .syntax, "expected a column name after '.' but found the string 'x'"),
        ErrorCase("1️⃣SELEC * FROM t", .syntax, "expected SELECT but found 'SELEC'"),
        ErrorCase("1️⃣FROM t SELECT a", .syntax, "expected SELECT but found 'FROM'"),
        ErrorCase("SELECT a FROM t;1️⃣;", .syntax, "expected the end of the query after ';' but found ';'"),
    ])
    func syntaxErrors(c: ErrorCase) {
        expectQueryError(c.marked, c.kind, c.message)
    }

    @Test("lexer errors reach the caller through the parser, at their own spot")
    func lexerErrors() {
        expectQueryError("SELECT a FROM t WHERE a = 1️⃣'unterminated", .syntax,
                         "unterminated string literal: the opening ' has no closing '")
        expectQueryError("SELECT a FROM t 1️⃣/* never closed", .syntax, "unterminated comment: '/*' has no closing '*/'")
        expectQueryError("SELECT a FROM t WHERE a 1️⃣! b", .syntax, "unexpected character '!'")
        expectQueryError("1️⃣/* only an open comment", .syntax)
        expectQueryError("SELECT 1️⃣2x FROM t", .syntax)
    }

    @Test("an earlier mistake is reported before a later lexer error")
    func parseErrorFirst() {
        expectQueryError("SELECT a FROM 1️⃣WHERE x = 'unterminated", .syntax,
                         "expected a table name after 'FROM' but found 'WHERE'")
        expectQueryError("SELECT a FROM t; 1️⃣DROP TABLE t '", .refused)
    }

    @Test("hints for a double-quoted string and for the reserved word END")
    func hints() {
        let quoted = expectQueryError("SELECT * FROM t WHERE date = DATE 1️⃣\"2024-01-01\"", .syntax,
                                      "expected GROUP BY, HAVING, ORDER BY, LIMIT or the end of the query but found \"2024-01-01\"")
        #expect(quoted?.hint == "double quotes make a name; write strings in single quotes ('...')")
        let end = expectQueryError("SELECT start, 1️⃣end FROM t", .syntax, "expected an expression or '*' after ',' but found 'end'")
        #expect(end?.hint == "END is a reserved word; to use the column, write \"end\"")
        #expect(expectQueryError("SELECT 1️⃣FROM t", .syntax)?.hint == nil)
    }

    @Test("errors render with a caret under the spot")
    func rendering() throws {
        let sql = "SELECT *\nFROM flows\nWHERE dstport = FROM"
        let error = #expect(throws: QueryError.self) { try QueryParser.parse(sql) }
        #expect(error?.rendered(query: sql) == """
            error: expected an expression after '=' but found 'FROM' at 3:17
              WHERE dstport = FROM
                              ^
            """)
    }
}

@Suite("Parser: unsupported SQL")
struct UnsupportedTests {
    @Test("valid SQL that flowq does not run is named, at the construct", arguments: [
        ErrorCase("SELECT count(*) 1️⃣OVER (PARTITION BY a) FROM t", .unsupported, "window functions (OVER) are not supported"),
        ErrorCase("SELECT row_number() 1️⃣over (order by a) FROM t", .unsupported, "window functions (OVER) are not supported"),
        ErrorCase("SELECT sum(a) 1️⃣OVER w FROM t", .unsupported, "window functions (OVER) are not supported"),
        ErrorCase("SELECT a FROM t 1️⃣WINDOW w AS (PARTITION BY a)", .unsupported, "window functions (WINDOW) are not supported"),
        ErrorCase("SELECT * FROM t AS a inner join u1️⃣", .syntax, "expected ON after 'u' but the query ended"),
        ErrorCase("SELECT * FROM t 1️⃣RIGHT OUTER JOIN u", .unsupported, "RIGHT JOIN is not supported; flowq runs JOIN and LEFT JOIN with the flow table on the left"),
        ErrorCase("SELECT * FROM t 1️⃣FULL JOIN u", .unsupported, "FULL JOIN is not supported; flowq runs JOIN and LEFT JOIN with the flow table on the left"),
        ErrorCase("SELECT * FROM t 1️⃣CROSS JOIN u", .unsupported, "CROSS JOIN is not supported; write JOIN ... ON with an equality"),
        ErrorCase("SELECT * FROM t 1️⃣NATURAL JOIN u", .unsupported, "NATURAL JOIN is not supported; write JOIN ... ON with an equality"),
        ErrorCase("SELECT * FROM t JOIN u 1️⃣USING (a)", .unsupported, "JOIN ... USING is not supported; write ON a.column = b.column"),
        ErrorCase("SELECT * FROM t1️⃣, u", .unsupported, "several tables separated by commas are not supported; write JOIN ... ON"),
        ErrorCase("SELECT * FROM t WHERE a IN 1️⃣(SELECT b FROM u)", .unsupported,
                  "subqueries (SELECT inside parentheses) are not supported"),
        ErrorCase("SELECT * FROM 1️⃣(SELECT * FROM t)", .unsupported, "subqueries (SELECT inside parentheses) are not supported"),
        ErrorCase("SELECT 1️⃣(SELECT max(a) FROM t) FROM t", .unsupported,
                  "subqueries (SELECT inside parentheses) are not supported"),
        ErrorCase("SELECT * FROM t WHERE exists 1️⃣(SELECT 1 FROM u)", .unsupported,
                  "subqueries (SELECT inside parentheses) are not supported"),
        ErrorCase("SELECT * FROM t WHERE a = 1️⃣(\n  select max(a) FROM t)", .unsupported,
                  "subqueries (SELECT inside parentheses) are not supported"),
        ErrorCase("SELECT a FROM t 1️⃣UNION SELECT a FROM u", .unsupported, "set operations (UNION) are not supported"),
        ErrorCase("SELECT a FROM t WHERE a = 1 1️⃣union all SELECT a FROM u", .unsupported,
                  "set operations (UNION) are not supported"),
        ErrorCase("SELECT a FROM t ORDER BY a 1️⃣INTERSECT SELECT a FROM u", .unsupported,
                  "set operations (INTERSECT) are not supported"),
        ErrorCase("SELECT a FROM t f 1️⃣EXCEPT SELECT a FROM u", .unsupported, "set operations (EXCEPT) are not supported"),
        ErrorCase("1️⃣WITH x AS (SELECT 1) SELECT * FROM x", .unsupported,
                  "WITH clauses (common table expressions) are not supported"),
        ErrorCase("SELECT a FROM t ORDER BY a 1️⃣OFFSET 10", .unsupported, "OFFSET is not supported"),
        ErrorCase("SELECT a FROM t LIMIT 10 1️⃣offset 5", .unsupported, "OFFSET is not supported"),
        ErrorCase("SELECT a FROM t 1️⃣OFFSET 5", .unsupported, "OFFSET is not supported"),
        ErrorCase("SELECT a FROM t ORDER BY a 1️⃣FETCH FIRST 10 ROWS ONLY", .unsupported, "FETCH FIRST is not supported; use LIMIT"),
        ErrorCase("SELECT a FROM t 1️⃣TABLESAMPLE BERNOULLI (10)", .unsupported, "TABLESAMPLE is not supported"),
        ErrorCase("SELECT a FROM t f 1️⃣tablesample system (10)", .unsupported, "TABLESAMPLE is not supported"),
        ErrorCase("SELECT a FROM t GROUP BY 1️⃣ROLLUP (a, b)", .unsupported, "GROUPING SETS, ROLLUP and CUBE are not supported"),
        ErrorCase("SELECT a FROM t GROUP BY a, 1️⃣cube(b)", .unsupported, "GROUPING SETS, ROLLUP and CUBE are not supported"),
        ErrorCase("SELECT a FROM t GROUP BY 1️⃣GROUPING SETS ((a), (b))", .unsupported,
                  "GROUPING SETS, ROLLUP and CUBE are not supported"),
        ErrorCase("SELECT transform(xs, x 1️⃣-> x + 1) FROM t", .unsupported, "lambda expressions (->) are not supported"),
        ErrorCase("SELECT reduce(xs, 0, (s, x) 1️⃣-> s + x, s -> s) FROM t", .unsupported,
                  "lambda expressions (->) are not supported"),
        ErrorCase("SELECT filter(xs, x1️⃣->x > 1) FROM t", .unsupported, "lambda expressions (->) are not supported"),
        ErrorCase("SELECT a FROM t WHERE a 1️⃣IS DISTINCT FROM b", .unsupported, "IS DISTINCT FROM is not supported"),
        ErrorCase("SELECT a FROM t WHERE a 1️⃣IS NOT DISTINCT FROM b", .unsupported, "IS NOT DISTINCT FROM is not supported"),
        ErrorCase("SELECT xs1️⃣[1] FROM t", .unsupported, "arrays and subscripts ([...]) are not supported"),
        ErrorCase("SELECT ARRAY1️⃣[1, 2] FROM t", .unsupported, "arrays and subscripts ([...]) are not supported"),
        ErrorCase("SELECT * FROM t WHERE 1️⃣(a, b) = (1, 2)", .unsupported, "row constructors such as (a, b) are not supported"),
        ErrorCase("SELECT current_timestamp1️⃣(3) FROM t", .unsupported,
                  "a precision for current_timestamp is not supported; write current_timestamp alone"),
        ErrorCase("SELECT * FROM 1️⃣unnest(xs)", .unsupported,
                  "table functions such as unnest(...) are not supported; flowq queries one table"),
        ErrorCase("SELECT array_agg(a 1️⃣ORDER BY b) FROM t", .unsupported, "ORDER BY inside a function call is not supported"),
        ErrorCase("SELECT count(*) 1️⃣FILTER (WHERE a > 1) FROM t", .unsupported,
                  "FILTER clauses on aggregates are not supported; use CASE inside the aggregate"),
        ErrorCase("SELECT interval '1' day 1️⃣to second FROM t", .unsupported,
                  "interval ranges such as DAY TO SECOND are not supported"),
        ErrorCase("1️⃣(SELECT * FROM t)", .unsupported, "a query in parentheses is not supported; remove the outer parentheses"),
    ])
    func unsupported(c: ErrorCase) {
        expectQueryError(c.marked, c.kind, c.message)
    }
}

@Suite("Parser: refused statements")
struct RefusedTests {
    @Test("anything but SELECT is refused, naming the statement", arguments: [
        ("1️⃣INSERT INTO vpc_flow_logs VALUES (1)", "INSERT"), ("1️⃣UPDATE t SET a = 1", "UPDATE"),
        ("1️⃣DELETE FROM t", "DELETE"), ("1️⃣MERGE INTO t USING u ON t.a = u.a", "MERGE"),
        ("1️⃣CREATE TABLE x (a int)", "CREATE"), ("1️⃣DROP TABLE vpc_flow_logs", "DROP"),
        ("1️⃣drop table vpc_flow_logs", "DROP"), ("1️⃣ALTER TABLE t ADD COLUMN b int", "ALTER"),
        ("1️⃣ATTACH DATABASE 'x.db' AS y", "ATTACH"), ("1️⃣DETACH DATABASE y", "DETACH"),
        ("1️⃣PRAGMA table_info(t)", "PRAGMA"), ("1️⃣VACUUM", "VACUUM"), ("1️⃣REINDEX t", "REINDEX"),
        ("1️⃣ANALYZE t", "ANALYZE"), ("1️⃣REPLACE INTO t VALUES (1)", "REPLACE"), ("1️⃣TRUNCATE TABLE t", "TRUNCATE"),
        ("1️⃣GRANT SELECT ON t TO u", "GRANT"), ("1️⃣SET SESSION a = 1", "SET"), ("1️⃣BEGIN", "BEGIN"),
        ("1️⃣COMMIT;", "COMMIT"), ("1️⃣EXPLAIN SELECT * FROM t", "EXPLAIN"), ("1️⃣Show tables", "SHOW"),
        ("  -- a comment first\n  1️⃣delete from t", "DELETE"),
    ])
    func refused(marked: String, word: String) {
        expectQueryError(marked, .refused, "flowq runs only read-only SELECT queries; '\(word)' statements are refused")
    }

    @Test("a second statement after ';' is refused, whatever it is", arguments: [
        "SELECT * FROM t; 1️⃣DROP TABLE t", "SELECT 1 FROM t;\n1️⃣SELECT 2 FROM t", "SELECT 1 FROM t; 1️⃣x",
        "SELECT 1 FROM t;1️⃣ATTACH DATABASE 'x' AS y;",
    ])
    func secondStatement(marked: String) {
        expectQueryError(marked, .refused, "only one statement may be given; found a second statement after ';'")
    }

    @Test("an empty query is refused, without a location", arguments: ["", "   ", "\n\n", "-- only a comment", ";", "/* c */ ;"])
    func empty(sql: String) {
        let error = #expect(throws: QueryError.self) { try QueryParser.parse(sql) }
        #expect(error == QueryError(.refused, "the query is empty"))
    }
}

@Suite("Parser: qualifiers")
struct QualifierTests {
    @Test("a qualifier that names neither the table nor its alias is an unknown name", arguments: [
        ErrorCase("SELECT 1️⃣g.srcaddr FROM flows f", .unknownName, "unknown table or alias 'g'"),
        ErrorCase("SELECT 1️⃣flows.srcaddr FROM flows f", .unknownName, "unknown table or alias 'flows'"),
        ErrorCase("SELECT 1️⃣g.* FROM flows", .unknownName, "unknown table or alias 'g'"),
        ErrorCase("SELECT a FROM flows WHERE 1️⃣other.db.a = 1", .unknownName, "unknown table or alias 'other.db'"),
        ErrorCase("SELECT a FROM flows f ORDER BY 1️⃣x.a", .unknownName, "unknown table or alias 'x'"),
    ])
    func unknown(c: ErrorCase) {
        expectQueryError(c.marked, c.kind, c.message)
    }

    @Test("the hint names the table or alias to use")
    func hints() {
        #expect(expectQueryError("SELECT 1️⃣g.a FROM flows f", .unknownName)?.hint == "the table is called 'f' in this query")
        #expect(expectQueryError("SELECT 1️⃣g.a FROM flows", .unknownName)?.hint == "the table in FROM is 'flows'")
    }
}

@Suite("Parser: size limits")
struct LimitTests {
    /// `SELECT` of `a` inside `count` nested parentheses.
    static func parenthesized(_ count: Int) -> String {
        "SELECT " + String(repeating: "(", count: count) + "a" + String(repeating: ")", count: count) + " FROM t"
    }

    /// `SELECT f(f(...f(a)...))` with `count` calls.
    static func calls(_ count: Int) -> String {
        "SELECT " + String(repeating: "f(", count: count) + "a" + String(repeating: ")", count: count) + " FROM t"
    }

    /// `SELECT - - ... a`, `count` minus signs.
    static func negations(_ count: Int) -> String {
        "SELECT " + String(repeating: "- ", count: count) + "a FROM t"
    }

    /// `WHERE NOT NOT ... a`, `count` NOTs.
    static func nots(_ count: Int) -> String {
        "SELECT * FROM t WHERE " + String(repeating: "NOT ", count: count) + "a"
    }

    /// `SELECT a op a op ... FROM t` with `count` operators.
    static func chain(_ count: Int, _ op: String) -> String {
        "SELECT a" + String(repeating: " \(op) a", count: count) + " FROM t"
    }

    /// `levels` nested parentheses, each holding a chain of `length` additions before the next.
    static func chainsInParentheses(_ levels: Int, _ length: Int) -> String {
        "SELECT " + String(repeating: "(" + String(repeating: "a + ", count: length), count: levels) + "a"
            + String(repeating: ")", count: levels) + " FROM t"
    }

    /// The select list is one level; each parenthesis, call or prefix operator one more.
    static let deepest = Parser.maximumDepth - 1
    /// The select list's expression is one level of height; each chained operator one more.
    static let longest = Parser.maximumHeight - 1

    @Test("past the limits, a query fails cleanly instead of overflowing the stack", arguments: [
        parenthesized(deepest + 1), calls(deepest + 1), negations(deepest + 1), nots(deepest + 1),
        chain(longest + 1, "+"), chain(longest + 1, "OR"), chain(longest + 1, "AND"), chain(longest + 1, "*"),
        parenthesized(10_000), chain(100_000, "OR"),
        // Chains inside parentheses share one height budget, so they cannot multiply: 30 levels
        // of 40 additions stay under the depth limit but pass the height limit.
        chainsInParentheses(30, 40),
    ])
    func tooLarge(sql: String) {
        let error = #expect(throws: QueryError.self) { try QueryParser.parse(sql) }
        #expect(error?.kind == .unsupported)
        #expect(error?.message == "the expression is too deeply nested or too long; simplify it or split the query")
        #expect(error?.location != nil)
    }

    @Test("the error points where the limit is passed")
    func location() {
        // At the first token of the expression one level too deep...
        expectQueryError("SELECT " + String(repeating: "(", count: Self.deepest + 1) + "1️⃣a"
                         + String(repeating: ")", count: Self.deepest + 1) + " FROM t", .unsupported)
        // ...at the prefix operator that goes one level too deep...
        expectQueryError("SELECT " + String(repeating: "- ", count: Self.deepest) + "1️⃣- a FROM t", .unsupported)
        // ...and at the operator one past the longest chain.
        expectQueryError(Self.chain(Self.longest, "+").replacing(" FROM t", with: " 1️⃣+ a FROM t"), .unsupported)
    }

    /// The largest queries the limits accept.
    static let largestAccepted = [
        parenthesized(deepest), calls(deepest), negations(deepest), nots(deepest), chain(longest, "+"),
        chain(longest, "OR"), chain(longest, "AND"), chainsInParentheses(20, 40),
        "SELECT a FROM t WHERE a IN (" + Array(repeating: "1", count: 10_000).joined(separator: ", ") + ")",
    ]

    @Test("the largest accepted queries parse, compare and free on a thread with a 512 KB stack")
    func smallStack() async {
        let queries = Self.largestAccepted
        let parsedCount = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            // 512 KB is what macOS gives secondary threads and Swift concurrency's; Linux's
            // default is larger, so this checks the tightest platform even when run on Linux.
            let thread = Thread {
                var count = 0
                for sql in queries {
                    if let statement = try? QueryParser.parse(sql), statement == statement { count += 1 }
                }
                continuation.resume(returning: count)
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
        #expect(parsedCount == queries.count)
    }
}
