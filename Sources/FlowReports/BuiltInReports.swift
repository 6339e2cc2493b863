
/// The reports flowq ships: most are one or more flowq queries over `vpc_flow_logs`, ending
/// with a per-hour time series over the same records; `nat-gateways`, `cross-az` and
/// `security-groups` are computed in Swift from aggregate queries and the store's inventory
/// (``ComputedReport``).
///
/// Ties in every top-N are broken by the label columns (addresses by their text), so a report
/// gives the same rows on every run.
public enum BuiltInReports {
    /// Every built-in report, in the order `flowq report --list` shows them.
    public static let all: [ReportDefinition] = [
        topTalkers, topInterfaces, acceptedTCP, rejected, rejectedTCP, adminPortsReport, ipFamilies, pairs,
        fromSource, toDestination, logStatus,
        NATGatewayReport.definition, CrossAZReport.definition, SecurityGroupReport.definition,
    ]

    /// The built-in report called `name`, if there is one.
    public static func named(_ name: String) -> ReportDefinition? {
        all.first { $0.name == name.lowercased() }
    }

    /// The ports `admin-ports` watches, with the service usually behind each.
    public static let adminPorts: [(port: Int, service: String)] = [
        (22, "SSH"), (3389, "RDP"), (1433, "SQL Server"), (3306, "MySQL"), (5432, "PostgreSQL"),
        (1521, "Oracle"), (27017, "MongoDB"), (6379, "Redis"),
    ]

    // MARK: The reports

    static let topTalkers = ReportDefinition(
        name: "top-talkers", title: "Top talkers",
        summary: "The 50 source/destination pairs that moved the most bytes, and the 50 that sent the most packets.",
        queries: [
            query("Top 50 source/destination pairs by bytes", """
                SELECT srcaddr, dstaddr, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows \
                FROM vpc_flow_logs WHERE {window} AND srcaddr IS NOT NULL \
                GROUP BY srcaddr, dstaddr ORDER BY bytes DESC, srcaddr, dstaddr LIMIT 50
                """, chart: .bar, label: ["srcaddr", "dstaddr"], value: ["bytes"]),
            query("Top 50 source/destination pairs by packets", """
                SELECT srcaddr, dstaddr, sum(packets) AS packets, sum(bytes) AS bytes, count(*) AS flows \
                FROM vpc_flow_logs WHERE {window} AND srcaddr IS NOT NULL \
                GROUP BY srcaddr, dstaddr ORDER BY packets DESC, srcaddr, dstaddr LIMIT 50
                """, chart: .bar, label: ["srcaddr", "dstaddr"], value: ["packets"]),
            perHour("Traffic per hour"),
        ])

    static let topInterfaces = ReportDefinition(
        name: "top-interfaces", title: "Top interfaces and subnets",
        summary: "The 50 network interfaces and the 50 subnets that moved the most bytes (subnet is empty for records whose log format lacks subnet-id).",
        queries: [
            query("Top 50 interfaces by bytes", """
                SELECT interface_id, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows \
                FROM vpc_flow_logs WHERE {window} AND interface_id IS NOT NULL \
                GROUP BY interface_id ORDER BY bytes DESC NULLS LAST, interface_id LIMIT 50
                """, chart: .bar, value: ["bytes"]),
            query("Top 50 subnets by bytes", """
                SELECT subnet_id, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows \
                FROM vpc_flow_logs WHERE {window} \
                GROUP BY subnet_id ORDER BY bytes DESC NULLS LAST, subnet_id NULLS LAST LIMIT 50
                """, chart: .bar, value: ["bytes"]),
            perHour("Traffic per hour"),
        ])

    static let acceptedTCP = ReportDefinition(
        name: "accepted-tcp", title: "Accepted TCP traffic",
        summary: "Where accepted TCP traffic (protocol 6, action ACCEPT) went: the top 50 destinations and destination ports.",
        queries: [
            query("Top 50 destinations of accepted TCP traffic", """
                SELECT dstaddr, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows \
                FROM vpc_flow_logs WHERE {window} AND protocol = 6 AND action = 'ACCEPT' \
                GROUP BY dstaddr ORDER BY bytes DESC, dstaddr LIMIT 50
                """, chart: .bar, value: ["bytes"]),
            query("Top 50 destination ports of accepted TCP traffic", """
                SELECT dstport, count(*) AS flows, sum(bytes) AS bytes, count(DISTINCT dstaddr) AS destinations \
                FROM vpc_flow_logs WHERE {window} AND protocol = 6 AND action = 'ACCEPT' \
                GROUP BY dstport ORDER BY flows DESC, dstport LIMIT 50
                """, chart: .bar, label: ["dstport"], value: ["flows"]),
            perHour("Accepted TCP traffic per hour", filter: "protocol = 6 AND action = 'ACCEPT'"),
        ])

    static let rejected = ReportDefinition(
        name: "rejected", title: "Rejected traffic",
        summary: "The 50 sources with the most rejected flows (any protocol), with how many destination ports each tried.",
        queries: [
            query("Top 50 sources of rejected traffic", """
                SELECT srcaddr, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes, count(DISTINCT dstport) AS ports \
                FROM vpc_flow_logs WHERE {window} AND action = 'REJECT' \
                GROUP BY srcaddr ORDER BY flows DESC, srcaddr LIMIT 50
                """, chart: .bar, value: ["flows"]),
            perHour("Rejected traffic per hour", filter: "action = 'REJECT'", flowsFirst: true),
        ])

    static let rejectedTCP = ReportDefinition(
        name: "rejected-tcp", title: "Rejected TCP traffic",
        summary: "The 50 source and destination-port pairs with the most rejected TCP flows: scans and blocked connections.",
        queries: [
            query("Top 50 sources and destination ports of rejected TCP traffic", """
                SELECT srcaddr, dstport, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes \
                FROM vpc_flow_logs WHERE {window} AND protocol = 6 AND action = 'REJECT' \
                GROUP BY srcaddr, dstport ORDER BY flows DESC, srcaddr, dstport LIMIT 50
                """, chart: .bar, label: ["srcaddr", "dstport"], value: ["flows"]),
            perHour("Rejected TCP traffic per hour", filter: "protocol = 6 AND action = 'REJECT'", flowsFirst: true),
        ])

    static let adminPortsReport: ReportDefinition = {
        let list = adminPorts.map { String($0.port) }.joined(separator: ", ")
        let service = "CASE dstport " + adminPorts.map { "WHEN \($0.port) THEN '\($0.service)'" }.joined(separator: " ") + " END"
        var queries = [
            query("Traffic to admin and database ports", """
                SELECT dstport, \(service) AS service, count(*) AS flows, count(DISTINCT srcaddr) AS sources, \
                count_if(action = 'ACCEPT') AS accepted, count_if(action = 'REJECT') AS rejected, sum(bytes) AS bytes \
                FROM vpc_flow_logs WHERE {window} AND dstport IN (\(list)) \
                GROUP BY 1, 2 ORDER BY flows DESC, dstport
                """, chart: .bar, label: ["service"], value: ["flows"]),
        ]
        for (port, name) in adminPorts {
            queries.append(query("Top 20 sources to port \(port) (\(name))", """
                SELECT srcaddr, count(*) AS flows, count_if(action = 'ACCEPT') AS accepted, \
                count_if(action = 'REJECT') AS rejected, sum(bytes) AS bytes \
                FROM vpc_flow_logs WHERE {window} AND dstport = \(port) \
                GROUP BY srcaddr ORDER BY flows DESC, srcaddr LIMIT 20
                """, chart: .bar, value: ["flows"]))
        }
        queries.append(perHour("Admin-port traffic per hour", filter: "dstport IN (\(list))", flowsFirst: true))
        return ReportDefinition(
            name: "admin-ports", title: "Admin and database ports",
            summary: "Who connects to SSH, RDP and database ports (\(list)): each port's traffic, and its top 20 sources.",
            queries: queries)
    }()

    static let ipFamilies = ReportDefinition(
        name: "ip-families", title: "IPv4 and IPv6",
        summary: "Bytes, packets and flows over IPv4 and over IPv6 (by source address), in all and per hour.",
        queries: [
            query("Traffic by IP family", """
                SELECT CASE WHEN strpos(srcaddr, ':') > 0 THEN 'IPv6' ELSE 'IPv4' END AS family, \
                sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows \
                FROM vpc_flow_logs WHERE {window} AND srcaddr IS NOT NULL GROUP BY 1 ORDER BY 1
                """, chart: .bar, value: ["bytes"]),
            query("Bytes per hour by IP family", """
                SELECT date_trunc('hour', from_unixtime(start)) AS hour, \
                sum(if(strpos(srcaddr, ':') > 0, 0, bytes)) AS ipv4_bytes, \
                sum(if(strpos(srcaddr, ':') > 0, bytes, 0)) AS ipv6_bytes \
                FROM vpc_flow_logs WHERE {window} AND srcaddr IS NOT NULL GROUP BY 1 ORDER BY 1
                """, chart: .line),
        ])

    static let pairs = ReportDefinition(
        name: "pairs", title: "Traffic per source/destination pair",
        summary: "Bytes, packets and flows for each source/destination pair, largest first (the first 1,000 pairs).",
        queries: [
            query("Bytes per source/destination pair", """
                SELECT srcaddr, dstaddr, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows \
                FROM vpc_flow_logs WHERE {window} AND srcaddr IS NOT NULL \
                GROUP BY srcaddr, dstaddr ORDER BY bytes DESC, srcaddr, dstaddr LIMIT 1000
                """, chart: .bar, label: ["srcaddr", "dstaddr"], value: ["bytes"]),
            perHour("Traffic per hour"),
        ])

    static let fromSource = ReportDefinition(
        name: "from-source", title: "Traffic from one source",
        summary: "Everything one address sent: its destinations, destination ports and traffic per hour.",
        parameters: [ReportParameter(name: "address", summary: "the source address (IPv4 or IPv6)")],
        queries: [
            query("Destinations of traffic from {address}", """
                SELECT dstaddr, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows, \
                count_if(action = 'ACCEPT') AS accepted, count_if(action = 'REJECT') AS rejected \
                FROM vpc_flow_logs WHERE {window} AND srcaddr = {address} \
                GROUP BY dstaddr ORDER BY bytes DESC, dstaddr LIMIT 100
                """, chart: .bar, value: ["bytes"]),
            query("Destination ports of traffic from {address}", """
                SELECT dstport, protocol_name(protocol) AS protocol, count(*) AS flows, sum(bytes) AS bytes, \
                count_if(action = 'REJECT') AS rejected \
                FROM vpc_flow_logs WHERE {window} AND srcaddr = {address} \
                GROUP BY 1, 2 ORDER BY flows DESC, dstport, protocol LIMIT 100
                """, chart: .bar, label: ["dstport", "protocol"], value: ["flows"]),
            perHour("Traffic from {address} per hour", filter: "srcaddr = {address}"),
        ])

    static let toDestination = ReportDefinition(
        name: "to-destination", title: "Traffic to one destination",
        summary: "Everything sent to one address: its sources, the ports reached and traffic per hour.",
        parameters: [ReportParameter(name: "address", summary: "the destination address (IPv4 or IPv6)")],
        queries: [
            query("Sources of traffic to {address}", """
                SELECT srcaddr, sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows, \
                count_if(action = 'ACCEPT') AS accepted, count_if(action = 'REJECT') AS rejected \
                FROM vpc_flow_logs WHERE {window} AND dstaddr = {address} \
                GROUP BY srcaddr ORDER BY bytes DESC, srcaddr LIMIT 100
                """, chart: .bar, value: ["bytes"]),
            query("Ports reached on {address}", """
                SELECT dstport, protocol_name(protocol) AS protocol, count(*) AS flows, sum(bytes) AS bytes, \
                count_if(action = 'REJECT') AS rejected \
                FROM vpc_flow_logs WHERE {window} AND dstaddr = {address} \
                GROUP BY 1, 2 ORDER BY flows DESC, dstport, protocol LIMIT 100
                """, chart: .bar, label: ["dstport", "protocol"], value: ["flows"]),
            perHour("Traffic to {address} per hour", filter: "dstaddr = {address}"),
        ])

    static let logStatus = ReportDefinition(
        name: "log-status", title: "NODATA and SKIPDATA",
        summary: "Records per log status, and NODATA (no traffic) and SKIPDATA (records skipped by AWS) per hour.",
        queries: [
            query("Records by log status", """
                SELECT log_status, count(*) AS records, count(DISTINCT interface_id) AS interfaces \
                FROM vpc_flow_logs WHERE {window} GROUP BY log_status ORDER BY records DESC, log_status
                """, chart: .bar, value: ["records"]),
            query("NODATA and SKIPDATA records per hour", """
                SELECT date_trunc('hour', from_unixtime(start)) AS hour, count_if(log_status = 'NODATA') AS nodata, \
                count_if(log_status = 'SKIPDATA') AS skipdata, count(DISTINCT interface_id) AS interfaces \
                FROM vpc_flow_logs WHERE {window} AND log_status IN ('NODATA', 'SKIPDATA') GROUP BY 1 ORDER BY 1
                """, chart: .line, value: ["nodata", "skipdata"]),
            perHour("Traffic per hour"),
        ])

    // MARK: Building blocks

    private static func query(_ name: String, _ sql: String, chart: ReportChart = .none, label: [String] = [], value: [String] = []) -> ReportQuery {
        ReportQuery(name: name, sql: sql, chart: chart, label: label, value: value)
    }

    /// Bytes, packets and flows per hour of `start`, over the window and `filter`.
    private static func perHour(_ name: String, filter: String? = nil, flowsFirst: Bool = false) -> ReportQuery {
        let condition = "{window}" + (filter.map { " AND " + $0 } ?? "")
        let measures = flowsFirst ? "count(*) AS flows, sum(bytes) AS bytes, sum(packets) AS packets"
                                  : "sum(bytes) AS bytes, sum(packets) AS packets, count(*) AS flows"
        return query(name, """
            SELECT date_trunc('hour', from_unixtime(start)) AS hour, \(measures) \
            FROM vpc_flow_logs WHERE \(condition) GROUP BY 1 ORDER BY 1
            """, chart: .line, value: [flowsFirst ? "flows" : "bytes"])
    }
}
