import FlowReports

/// The detections flowq ships, each written as the YAML text of a rule file and read by
/// ``DetectionFile``, exactly as a user's file from `--rules DIR` is: `flowq detect --show ID`
/// prints the text, ready to copy and change.
///
/// Times are bucketed with `floor(start / N)`; a finding's key (detection, addresses, port,
/// interface) joins buckets that follow each other within the hour. A finding grouped over
/// several destinations or interfaces names one only when there is one
/// (`CASE WHEN count(DISTINCT x) = 1 THEN min(x) END`).
public enum BuiltInDetections {
    /// Every built-in detection, in the order `flowq detect --list` shows them.
    public static var all: [DetectionDefinition] {
        sources.compactMap { id, text in
            // The texts are fixed and parsed by a test; a broken one is a programming error.
            do {
                return try DetectionFile.parse(text, source: "built-in detection '\(id)'", defaultID: id, origin: "built-in detection '\(id)'")
            } catch {
                preconditionFailure("built-in detection '\(id)' does not parse: \(error.localizedDescription)")
            }
        }
    }

    /// The built-in detection with this id, if there is one.
    public static func named(_ id: String) -> DetectionDefinition? {
        all.first { $0.id == id.lowercased() }
    }

    /// The YAML text of the built-in detection `id`.
    public static func source(of id: String) -> String? {
        sources.first { $0.id == id.lowercased() }?.text
    }

    /// A condition true when `column` holds a private, shared, loopback or link-local address
    /// (RFC 1918, RFC 6598, IPv6 unique-local and link-local): not the public internet.
    static func isInternal(_ column: String) -> String {
        let blocks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10"]
        return "(" + blocks.map { "contains('\($0)', cast(\(column) AS IPADDRESS))" }.joined(separator: " OR ") + ")"
    }

    /// `rejected or SYN-only`: a connection that did not complete.
    static let failed = "CASE WHEN action = 'REJECT' OR tcp_flags = 2 THEN 1 ELSE 0 END"

    /// The admin and database ports `admin-port-exposure` watches (the `admin-ports` report's).
    static var adminPorts: String { BuiltInReports.adminPorts.map { String($0.port) }.joined(separator: ", ") }

    /// (id, YAML text), in list order.
    static var sources: [(id: String, text: String)] {
        [
            ("port-scan", portScan), ("network-sweep", networkSweep), ("reject-burst", rejectBurst),
            ("exfiltration", exfiltration), ("new-destination", newDestination), ("admin-port-exposure", adminPortExposure), ("unusual-protocol", unusualProtocol),
            ("capture-gap", captureGap), ("delivery-stopped", deliveryStopped), ("known-bad", knownBad),
        ]
    }

    static var portScan: String { """
        id: port-scan
        title: Port scan
        description: >
          One source reaching many destination ports of one destination within a short window,
          mostly rejected or SYN-only (tcp_flags = 2, where the log format has tcp-flags).
        severity: high
        techniques: [T1046]
        parameters:
          min_ports: { type: integer, default: 20, description: distinct destination ports of one destination in one window }
          window_seconds: { type: integer, default: 600, description: the window length in seconds (buckets of floor(start / N)) }
          min_failed_ratio: { type: number, default: 0.8, description: share of the flows that were rejected or SYN-only }
        sql: |
          SELECT srcaddr, dstaddr, interface_id,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 count(DISTINCT dstport) AS ports, min(dstport) AS lowest_port, max(dstport) AS highest_port,
                 sum(\(failed)) AS failed
          FROM vpc_flow_logs
          WHERE {window} AND srcaddr IS NOT NULL AND protocol IN (6, 17)
          GROUP BY srcaddr, dstaddr, interface_id, floor(start / {window_seconds})
          HAVING count(DISTINCT dstport) >= {min_ports}
             AND sum(\(failed)) >= {min_failed_ratio} * count(*)
        """
    }

    static var networkSweep: String { """
        id: network-sweep
        title: Network sweep
        description: >
          One source reaching many destination addresses on one port within a short window,
          mostly rejected or SYN-only: host discovery or a worm looking for its next host.
        severity: high
        techniques: [T1046, T1018]
        parameters:
          min_destinations: { type: integer, default: 25, description: distinct destination addresses on one port in one window }
          window_seconds: { type: integer, default: 600, description: the window length in seconds }
          min_failed_ratio: { type: number, default: 0.5, description: share of the flows that were rejected or SYN-only }
        sql: |
          SELECT srcaddr, dstport, CASE WHEN count(DISTINCT interface_id) = 1 THEN min(interface_id) END AS interface_id,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 count(DISTINCT dstaddr) AS destinations, sum(\(failed)) AS failed
          FROM vpc_flow_logs
          WHERE {window} AND srcaddr IS NOT NULL AND dstport IS NOT NULL AND protocol IN (6, 17)
          GROUP BY srcaddr, dstport, floor(start / {window_seconds})
          HAVING count(DISTINCT dstaddr) >= {min_destinations}
             AND sum(\(failed)) >= {min_failed_ratio} * count(*)
        """
    }

    static var rejectBurst: String { """
        id: reject-burst
        title: Burst of rejected flows
        description: >
          Rejected flows from one source in an hour far above that source's own hourly history
          (z-score over the previous days in the store).
        severity: medium
        techniques: [T1046, T1110]
        parameters:
          min_rejects: { type: integer, default: 100, description: rejected flows from one source in one hour }
          min_zscore: { type: number, default: 4, description: standard deviations above the source's hourly mean }
          baseline_days: { type: integer, default: 7, description: days of history before the window }
        sql: |
          SELECT srcaddr, CASE WHEN count(DISTINCT interface_id) = 1 THEN min(interface_id) END AS interface_id,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 count(DISTINCT dstaddr) AS destinations, count(DISTINCT dstport) AS ports
          FROM vpc_flow_logs
          WHERE {window} AND action = 'REJECT' AND srcaddr IS NOT NULL
          GROUP BY srcaddr, floor(start / 3600)
          HAVING count(*) >= {min_rejects}
        baseline:
          sql: |
            SELECT srcaddr, count(*) AS value FROM vpc_flow_logs
            WHERE {baseline_window} AND action = 'REJECT' AND srcaddr IS NOT NULL
            GROUP BY srcaddr, floor(start / 3600)
          key: [srcaddr]
          compare: flows
          period: hour
          days: baseline_days
          min_zscore: min_zscore
        """
    }

    static var exfiltration: String { """
        id: exfiltration
        title: Possible exfiltration
        description: >
          Bytes from an internal source to public destinations in one hour far above that
          source's own hourly history (z-score over the previous days in the store); a source
          with no history needs only the minimum.
        severity: high
        techniques: [T1048, T1041]
        parameters:
          min_bytes: { type: integer, default: 1000000000, description: bytes from one source to public addresses in one hour }
          min_zscore: { type: number, default: 4, description: standard deviations above the source's hourly mean }
          baseline_days: { type: integer, default: 7, description: days of history before the window }
        sql: |
          SELECT srcaddr, CASE WHEN count(DISTINCT dstaddr) = 1 THEN min(dstaddr) END AS dstaddr,
                 CASE WHEN count(DISTINCT interface_id) = 1 THEN min(interface_id) END AS interface_id,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 count(DISTINCT dstaddr) AS destinations
          FROM vpc_flow_logs
          WHERE {window} AND action = 'ACCEPT' AND \(isInternal("srcaddr")) AND NOT \(isInternal("dstaddr"))
          GROUP BY srcaddr, floor(start / 3600)
          HAVING sum(bytes) >= {min_bytes}
        baseline:
          sql: |
            SELECT srcaddr, sum(bytes) AS value FROM vpc_flow_logs
            WHERE {baseline_window} AND action = 'ACCEPT' AND \(isInternal("srcaddr")) AND NOT \(isInternal("dstaddr"))
            GROUP BY srcaddr, floor(start / 3600)
          key: [srcaddr]
          compare: bytes
          period: hour
          days: baseline_days
          min_zscore: min_zscore
        """
    }

    static var newDestination: String { """
        id: new-destination
        title: Large transfer to a new public destination
        description: >
          A public address receiving many bytes from internal sources in one UTC day when the
          store holds little or no traffic to it in the days before (z-score over its daily
          history): where stolen data goes, or a dependency nobody announced.
        severity: medium
        techniques: [T1048, T1567]
        parameters:
          min_bytes: { type: integer, default: 500000000, description: bytes to one public address in one UTC day }
          min_zscore: { type: number, default: 10, description: standard deviations above the address's daily mean }
          baseline_days: { type: integer, default: 7, description: days of history before the window }
        sql: |
          SELECT dstaddr, CASE WHEN count(DISTINCT srcaddr) = 1 THEN min(srcaddr) END AS srcaddr,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 count(DISTINCT srcaddr) AS sources
          FROM vpc_flow_logs
          WHERE {window} AND action = 'ACCEPT' AND \(isInternal("srcaddr")) AND NOT \(isInternal("dstaddr"))
          GROUP BY dstaddr, date
          HAVING sum(bytes) >= {min_bytes}
        baseline:
          sql: |
            SELECT dstaddr, sum(bytes) AS value FROM vpc_flow_logs
            WHERE {baseline_window} AND action = 'ACCEPT' AND \(isInternal("srcaddr")) AND NOT \(isInternal("dstaddr"))
            GROUP BY dstaddr, date
          key: [dstaddr]
          compare: bytes
          period: day
          days: baseline_days
          min_zscore: min_zscore
        """
    }

    static var adminPortExposure: String { """
        id: admin-port-exposure
        title: Admin or database port reachable from the internet
        description: >
          Accepted TCP flows from public addresses to SSH, RDP and database ports
          (\(adminPorts)) of internal addresses; one finding per exposed address and port.
        severity: medium
        techniques: [T1133, T1190]
        parameters:
          min_sources: { type: integer, default: 1, description: distinct public sources accepted }
        sql: |
          SELECT dstaddr, dstport, interface_id,
                 CASE WHEN count(DISTINCT srcaddr) = 1 THEN min(srcaddr) END AS srcaddr,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 count(DISTINCT srcaddr) AS sources
          FROM vpc_flow_logs
          WHERE {window} AND action = 'ACCEPT' AND protocol = 6 AND dstport IN (\(adminPorts))
            AND srcaddr IS NOT NULL AND NOT \(isInternal("srcaddr")) AND \(isInternal("dstaddr"))
          GROUP BY dstaddr, dstport, interface_id
          HAVING count(DISTINCT srcaddr) >= {min_sources}
        """
    }

    static var unusualProtocol: String { """
        id: unusual-protocol
        title: Accepted traffic on an unusual protocol
        description: >
          Accepted flows on IP protocols other than TCP (6), UDP (17), ICMP (1) and ICMPv6 (58):
          GRE, IP-in-IP and others are used for tunnels around controls.
        severity: medium
        techniques: [T1095, T1572]
        parameters:
          min_flows: { type: integer, default: 1, description: accepted flows of one pair and protocol }
        sql: |
          SELECT srcaddr, dstaddr, interface_id, protocol, protocol_name(protocol) AS protocol_name,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes
          FROM vpc_flow_logs
          WHERE {window} AND action = 'ACCEPT' AND protocol NOT IN (6, 17, 1, 58)
          GROUP BY srcaddr, dstaddr, interface_id, protocol
          HAVING count(*) >= {min_flows}
        """
    }

    static var captureGap: String { """
        id: capture-gap
        title: Flow-log capture gap
        description: >
          SKIPDATA records: the interface's flow log lost records in that capture window
          (an internal capacity error or a rule limit); traffic then went unseen.
        severity: low
        techniques: [T1562.008]
        parameters:
          min_records: { type: integer, default: 1, description: SKIPDATA records of one interface in one hour }
        sql: |
          SELECT interface_id, min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, 0 AS bytes,
                 count(*) AS skipdata_records
          FROM vpc_flow_logs
          WHERE {window} AND log_status = 'SKIPDATA'
          GROUP BY interface_id, floor(start / 3600)
          HAVING count(*) >= {min_records}
        """
    }

    static var deliveryStopped: String { """
        id: delivery-stopped
        title: Flow-log delivery stopped
        description: >
          An interface that delivered records in many hours of the days before went silent
          during the window while others kept delivering (silence is counted up to the
          window's newest record, so a late ingest is not a gap): its flow log was deleted or
          stopped, or the interface was detached. An idle interface still writes NODATA records,
          so one that logs has records in nearly every hour.
        severity: medium
        techniques: [T1562.008]
        parameters:
          min_silence_minutes: { type: integer, default: 60, description: minutes without a record before the window's newest record }
          min_active_hours: { type: integer, default: 24, description: distinct hours with records in the history and window }
          min_active_share: { type: number, default: 0.5, description: share of the hours since its first record that had records (a regular deliverer) }
          history_days: { type: integer, default: 7, description: days before the window looked at }
        sql: |
          SELECT interface_id, min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 count(DISTINCT floor(start / 3600)) AS active_hours,
                 round(count(DISTINCT floor(start / 3600)) * 3600.0 / greatest({latest_end} - min(start), 1), 2) AS active_share,
                 ({latest_end} - max("end")) / 60 AS silent_minutes
          FROM vpc_flow_logs
          WHERE start >= {window_start} - {history_days} * 86400 AND start < {window_end} AND interface_id IS NOT NULL
          GROUP BY interface_id
          HAVING max("end") >= {window_start}
             AND max("end") < {latest_end} - {min_silence_minutes} * 60
             AND count(DISTINCT floor(start / 3600)) >= {min_active_hours}
             AND count(DISTINCT floor(start / 3600)) * 3600 >= {min_active_share} * ({latest_end} - min(start))
        """
    }

    static var knownBad: String { """
        id: known-bad
        title: Traffic with a known-bad address
        description: >
          Flows from or to an address or CIDR block of your blocklist (one a line); runs only
          with --param blocklist=FILE.
        severity: high
        techniques: [T1071]
        parameters:
          blocklist: { type: address-list, description: a file of addresses and CIDR blocks one a line }
        sql: |
          SELECT srcaddr, dstaddr, interface_id,
                 min(start) AS first_seen, max("end") AS last_seen, count(*) AS flows, sum(bytes) AS bytes,
                 sum(CASE WHEN action = 'ACCEPT' THEN 1 ELSE 0 END) AS accepted,
                 count(DISTINCT dstport) AS ports
          FROM vpc_flow_logs
          WHERE {window} AND ({blocklist:srcaddr} OR {blocklist:dstaddr})
          GROUP BY srcaddr, dstaddr, interface_id
        """
    }
}
