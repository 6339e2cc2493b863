import FlowInventory
import FlowModel
import FlowQuery
import Foundation

/// `nat-gateways`: the bytes each NAT gateway processed per day, by source and destination,
/// priced per GB, with the S3 and DynamoDB traffic a gateway endpoint would carry for free.
///
/// **Each hop once.** AWS's flow log examples for a NAT gateway show one connection as four
/// records on the gateway's interface (client → gateway, gateway → remote, remote → gateway,
/// gateway → client) and two more on the client's interface (client → remote, remote → client).
/// Only the gateway's interface is read, and of it only the inside leg (between the gateway and
/// the client): that leg carries the same packets as the outside one, names the client, and
/// with `pkt-srcaddr`/`pkt-dstaddr` in the log format also names the remote end. A record is
/// the inside leg when its `pkt-*` address differs from its address (the gateway translated
/// it), or else when its peer is in the gateway's VPC (an interface or subnet block of it).
struct NATGatewayReport: ComputedReport {
    /// The report's definition.
    static let definition = ReportDefinition(
        name: "nat-gateways", title: "NAT gateway data processing",
        summary: "Bytes each NAT gateway processed per day (each hop counted once, on the gateway's own interface), by source (instance, else subnet) and destination (AWS service from ip-ranges.json, else internet), priced per GB; and S3 or DynamoDB traffic that a gateway endpoint would carry for free.",
        parameters: [
            ReportParameter(name: "price_per_gb", summary: "US dollars per GB (2^30 bytes) processed", defaultValue: "0.045"),
            ReportParameter(name: "price_table", summary: "a file of 'region price' lines overriding price_per_gb per region ('*' for the rest)", optional: true),
        ],
        computation: NATGatewayReport())

    static let perDay = "Bytes processed per NAT gateway per day"
    static let bySourceAndDestination = "Bytes processed by source and destination"
    static let findings = "Findings"

    var sectionNames: [String] { [Self.perDay, Self.bySourceAndDestination, Self.findings] }

    /// The services a gateway endpoint exists for, as ip-ranges.json names them, with the
    /// endpoint service's last name part.
    static let gatewayEndpointServices: [(service: String, endpoint: String)] = [("S3", "s3"), ("DYNAMODB", "dynamodb")]

    /// One gateway as the report needs it.
    private struct Gateway {
        var id: String
        var name: String?
        var vpcID: String?
        var region: String?
        var interfaceIDs: Set<String>
        var addresses: Set<NetworkAddress>
    }

    /// Bytes of one (gateway, day, source, destination).
    private struct Key: Hashable {
        var gateway: String
        var day: String
        var source: String
        var destination: String
        var destinationRegion: String?
    }

    func sections(in context: ComputedReportContext) throws(ReportError) -> [ReportSection] {
        let inventory = try context.inventory(needing: [.natGateways, .networkInterfaces, .subnets, .ipRanges])
        let defaultPrice = try context.number("price_per_gb")
        var prices = RegionPrices(fallback: defaultPrice)
        if let path = context.parameters["price_table"] {
            prices = try RegionPrices.load(path: path, fallback: defaultPrice)
        }
        let gateways = Self.gateways(inventory)
        let byInterface = Dictionary(gateways.flatMap { gateway in gateway.interfaceIDs.map { ($0, gateway) } }, uniquingKeysWith: { first, _ in first })

        let sql = """
            SELECT interface_id, date, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, sum(bytes) AS bytes, count(*) AS flows \
            FROM vpc_flow_logs WHERE \(context.window.condition) AND action = 'ACCEPT' AND srcaddr IS NOT NULL \
            AND interface_id \(ComputedReportContext.inList(byInterface.keys.sorted())) \
            GROUP BY 1, 2, 3, 4, 5, 6
            """
        var counted: [Key: Int64] = [:]
        var outsideBytes: [String: Int64] = [:]
        var otherBytes: Int64 = 0
        if !byInterface.isEmpty {
            for record in try context.aggregate(sql, purpose: "NAT gateway interface").records {
                guard let gateway = record.text("interface_id").flatMap({ byInterface[$0] }),
                      let day = record.text("date"), let src = record.address("srcaddr"), let dst = record.address("dstaddr") else { continue }
                let bytes = record.integer("bytes")
                let time = PartitionDay(day).map { $0.startSeconds + 86_399 }
                let fromGateway = gateway.addresses.contains(src), toGateway = gateway.addresses.contains(dst)
                guard fromGateway != toGateway else {
                    otherBytes += bytes
                    continue
                }
                // Towards the gateway: the client's request (inside) or the remote's answer (outside).
                let peer = toGateway ? src : dst
                let packetAddress = record.address(toGateway ? "pkt_dstaddr" : "pkt_srcaddr")
                let translated = packetAddress != nil && packetAddress != (toGateway ? dst : src)
                guard translated || inventory.isInside(peer, vpc: gateway.vpcID, at: time) else {
                    outsideBytes[gateway.id, default: 0] += bytes
                    continue
                }
                let remote = translated ? packetAddress : nil
                let match = remote.flatMap { inventory.ipRanges?.match(for: $0.text) }
                let destination = remote.map { address in match?.service ?? (address.isPrivate ? "private network" : "internet") } ?? "unknown"
                let key = Key(gateway: gateway.id, day: day, source: Self.source(peer, inventory: inventory, at: time),
                              destination: destination, destinationRegion: match?.region)
                counted[key, default: 0] += bytes
            }
        }
        return [
            perDaySection(counted, gateways: gateways, prices: prices, outside: outsideBytes, other: otherBytes, sql: sql),
            detailSection(counted, gateways: gateways, prices: prices, sql: sql),
            findingsSection(counted, gateways: gateways, prices: prices, inventory: inventory, sql: sql),
        ]
    }

    // MARK: Sections

    private func perDaySection(_ counted: [Key: Int64], gateways: [Gateway], prices: RegionPrices,
                               outside: [String: Int64], other: Int64, sql: String) -> ReportSection {
        var table = ReportTable(Self.perDay, sql: sql, columns: [
            ("nat_gateway", .varchar), ("name", .varchar), ("vpc_id", .varchar), ("region", .varchar), ("day", .date),
            ("bytes", .integer), ("gb", .double), ("usd_per_gb", .double), ("cost_usd", .double),
        ], chart: .bar, label: ["nat_gateway", "day"], value: ["bytes"])
        var totals: [String: [String: Int64]] = [:]
        for (key, bytes) in counted { totals[key.gateway, default: [:]][key.day, default: 0] += bytes }
        var sum: Int64 = 0
        for gateway in gateways {
            for (day, bytes) in (totals[gateway.id] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let price = prices.price(for: gateway.region)
                table.append([.text(gateway.id), .text(gateway.name), .text(gateway.vpcID), .text(gateway.region), .text(day),
                              .integer(bytes), .number(ReportMoney.rounded(ReportMoney.gigabytes(bytes))), .number(price),
                              .number(ReportMoney.dollars(ReportMoney.gigabytes(bytes) * price))])
                sum += bytes
            }
        }
        table.notes.append("Each hop counted once: only records on the gateway's own interface, and of those only the leg between the gateway and the client in its VPC (the outside leg carries the same packets again, and the client's interface logs them a third time).")
        let skipped = outside.values.reduce(0, +)
        table.notes.append("\(ReportText.grouped(sum)) bytes counted; \(ReportText.grouped(skipped)) bytes on the outside legs not counted again\(other > 0 ? "; \(ReportText.grouped(other)) bytes on gateway interfaces neither to nor from a gateway address left out" : "").")
        let listed = prices.prices.isEmpty ? "" : " (\(prices.prices.count) region(s) from price_table)"
        table.notes.append("Priced per GB of 2^30 bytes at $\(ValueText.formatDouble(prices.fallback))\(listed).")
        if gateways.isEmpty { table.notes.append("The inventory lists no NAT gateways.") }
        return table.section
    }

    private func detailSection(_ counted: [Key: Int64], gateways: [Gateway], prices: RegionPrices, sql: String) -> ReportSection {
        var table = ReportTable(Self.bySourceAndDestination, sql: sql, columns: [
            ("nat_gateway", .varchar), ("day", .date), ("source", .varchar), ("destination", .varchar), ("destination_region", .varchar),
            ("bytes", .integer), ("gb", .double), ("cost_usd", .double),
        ])
        table.notes.append("Source: the client's instance, else its subnet, else its address. Destination: the remote address's service in ip-ranges.json, else internet; unknown when the log format lacks pkt-srcaddr and pkt-dstaddr.")
        let region = Dictionary(gateways.map { ($0.id, $0.region) }, uniquingKeysWith: { first, _ in first })
        let order = Dictionary(gateways.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let sorted = counted.sorted { a, b in
            ((order[a.key.gateway] ?? 0), a.key.day, -a.value, a.key.source, a.key.destination)
                < ((order[b.key.gateway] ?? 0), b.key.day, -b.value, b.key.source, b.key.destination)
        }
        for (key, bytes) in sorted {
            let price = prices.price(for: region[key.gateway] ?? nil)
            table.append([.text(key.gateway), .text(key.day), .text(key.source), .text(key.destination), .text(key.destinationRegion),
                          .integer(bytes), .number(ReportMoney.rounded(ReportMoney.gigabytes(bytes))),
                          .number(ReportMoney.dollars(ReportMoney.gigabytes(bytes) * price))])
        }
        return table.section
    }

    private func findingsSection(_ counted: [Key: Int64], gateways: [Gateway], prices: RegionPrices,
                                 inventory: ReportInventory, sql: String) -> ReportSection {
        var table = ReportTable(Self.findings, sql: sql, columns: [
            ("nat_gateway", .varchar), ("vpc_id", .varchar), ("destination", .varchar), ("bytes", .integer), ("gb", .double),
            ("cost_usd", .double), ("finding", .varchar),
        ])
        let knowsEndpoints = inventory.kinds.contains(.vpcEndpoints)
        for gateway in gateways {
            let mine = counted.filter { $0.key.gateway == gateway.id }
            let price = prices.price(for: gateway.region)
            for (service, endpointName) in Self.gatewayEndpointServices {
                // A gateway endpoint serves its own region only.
                let bytes = mine.filter { $0.key.destination == service && (gateway.region == nil || $0.key.destinationRegion == gateway.region) }
                    .values.reduce(0, +)
                guard bytes > 0 else { continue }
                let endpoint = inventory.endpoints.values.first { endpoint in
                    endpoint.vpcID == gateway.vpcID && endpoint.vpcEndpointType?.lowercased() == "gateway"
                        && endpoint.serviceName?.split(separator: ".").last.map(String.init) == endpointName
                        && !["deleted", "deleting", "rejected", "failed"].contains(endpoint.state?.lowercased() ?? "")
                }
                if endpoint != nil { continue }
                let serviceName = "com.amazonaws.\(gateway.region ?? "REGION").\(endpointName)"
                var finding = "\(service == "S3" ? "S3" : "DynamoDB") traffic goes through \(gateway.id): a gateway endpoint (\(serviceName)) in \(gateway.vpcID ?? "its VPC") would make it free (gateway endpoints have no data processing charge)"
                if !knowsEndpoints {
                    finding += "; the inventory has no `aws ec2 describe-vpc-endpoints` output, so an existing endpoint could not be checked"
                }
                table.append([.text(gateway.id), .text(gateway.vpcID), .text(service), .integer(bytes),
                              .number(ReportMoney.rounded(ReportMoney.gigabytes(bytes))),
                              .number(ReportMoney.dollars(ReportMoney.gigabytes(bytes) * price)), .text(finding)])
            }
            let unknown = mine.filter { $0.key.destination == "unknown" }.values.reduce(0, +)
            if unknown > 0 {
                table.append([.text(gateway.id), .text(gateway.vpcID), .text("unknown"), .integer(unknown),
                              .number(ReportMoney.rounded(ReportMoney.gigabytes(unknown))),
                              .number(ReportMoney.dollars(ReportMoney.gigabytes(unknown) * price)),
                              .text("the flow log of \(gateway.id)'s interface lacks pkt-srcaddr and pkt-dstaddr, so these bytes have no destination; add both fields to its log format to see S3 and DynamoDB traffic")])
            }
        }
        table.notes.append("S3 or DynamoDB traffic in the gateway's own region, through a gateway whose VPC has no gateway endpoint for the service in the vpc_endpoints inventory.")
        return table.section
    }

    // MARK: Inventory

    /// The gateways with an interface, in id order, each with its interfaces' addresses.
    private static func gateways(_ inventory: ReportInventory) -> [Gateway] {
        inventory.natGateways.keys.sorted().compactMap { id in
            guard let rows = inventory.natGateways[id], let first = rows.first else { return nil }
            let interfaceIDs = Set(rows.compactMap(\.networkInterfaceID))
            guard !interfaceIDs.isEmpty else { return nil }
            var addresses = Set(rows.compactMap { $0.privateIP.flatMap(NetworkAddress.init) })
            for interfaceID in interfaceIDs {
                for row in inventory.interfaces[interfaceID] ?? [] where row.addressKind != .publicIPv4 {
                    if let address = row.address.flatMap(NetworkAddress.init) { addresses.insert(address) }
                }
            }
            let subnet = first.subnetID.flatMap { inventory.subnets[$0] }
            let zone = subnet?.availabilityZone ?? interfaceIDs.lazy.compactMap { inventory.interfaces[$0]?.first?.availabilityZone }.first
            return Gateway(id: id, name: first.tags.last(where: { $0.key == "Name" })?.value, vpcID: first.vpcID,
                           region: ReportInventory.region(of: subnet, zone: zone), interfaceIDs: interfaceIDs, addresses: addresses)
        }
    }

    /// The client's instance, else its subnet, else its address.
    private static func source(_ address: NetworkAddress, inventory: ReportInventory, at time: Int64?) -> String {
        if let instance = inventory.interface(for: address, at: time)?.instanceID { return instance }
        if let subnet = inventory.subnet(for: address, at: time) { return subnet.subnetID }
        return address.text
    }
}
