import FlowModel

/// The simulated network the generator draws from: interfaces with their VPC, subnet and
/// private address, external peers, and the services they talk to.
struct World: Sendable {
    struct Interface: Sendable {
        var id: String
        var address: String
        var vpc: String
        var subnet: String
        var instance: String
        var az: String
    }

    let accountID: String
    let region: String
    let interfaces: [Interface]
    let externalV4: [String]
    let externalV6: [String]
    let internalV6: [String]
    /// (port, protocol, reject probability), most common first.
    let services: [(port: Int, proto: Int, reject: Double)] = [
        (443, 6, 0.05), (80, 6, 0.08), (53, 17, 0.01), (22, 6, 0.45), (3389, 6, 0.6), (123, 17, 0.02),
        (5432, 6, 0.3), (3306, 6, 0.3), (6379, 6, 0.2), (8080, 6, 0.1), (25, 6, 0.5), (1433, 6, 0.5),
    ]

    init(random: inout SplitMix64, accountID: String, region: String) {
        self.accountID = accountID
        self.region = region
        func hex(_ count: Int) -> String {
            String((0..<count).map { _ in Array("0123456789abcdef")[random.below(16)] })
        }
        let vpcs = (0..<3).map { _ in "vpc-" + hex(17) }
        interfaces = (0..<40).map { i in
            let vpc = i % 3
            let address = vpc == 0 ? "10.0.\(i / 8).\(10 + i)" : vpc == 1 ? "172.31.\(16 + i / 8).\(20 + i)" : "10.117.\(i % 4).\(30 + i)"
            return Interface(
                id: "eni-" + hex(17), address: address, vpc: vpcs[vpc], subnet: "subnet-" + hex(17),
                instance: i % 5 == 4 ? "-" : "i-" + hex(17), az: "use1-az\(1 + i % 3)")
        }
        externalV4 = (0..<2000).map { _ in
            "\(1 + random.below(222)).\(random.below(256)).\(random.below(256)).\(1 + random.below(254))"
        }
        // AWS writes IPv6 in canonical form (RFC 5952), so the generator does too.
        func canonical(_ text: String) -> String { IPAddress(text)?.text ?? text }
        externalV6 = (0..<50).map { _ in canonical("2600:1f18:\(hex(4)):\(hex(4))::\(hex(3))") }
        internalV6 = (0..<20).map { _ in canonical("2001:db8:1234:a1\(random.below(10))\(random.below(10)):\(hex(4)):\(hex(4)):\(hex(4)):\(hex(4))") }
    }

    /// Fills `record` with one flow of a file whose window ends at `windowEnd`.
    func fill(_ record: inout SampleRecord, index: Int, of count: Int, windowEnd: Int64, random: inout SplitMix64) {
        let interface = interfaces[random.skewed(interfaces.count)]
        record.account = accountID
        record.region = region
        record.interface = interface.id
        record.vpc = interface.vpc
        record.subnet = interface.subnet
        record.instance = interface.instance
        record.az = interface.az
        // Flows of the window: start up to 10 minutes before its end, so the first files of a
        // day hold flows that started the day before.
        record.start = windowEnd - 60 - Int64(random.below(540))
        record.end = record.start + 1 + Int64(random.below(59))
        record.version = 2

        // Guarantee the rare kinds in every file of some size; otherwise draw them.
        let special = count >= 50 ? index % 50 : -1
        if special == 7 || (special < 0 && random.chance(0.004)) || random.chance(0.004) {
            record.setEmpty(status: "NODATA")
            return
        }
        if special == 19 || random.chance(0.002) {
            record.setEmpty(status: "SKIPDATA")
            return
        }
        record.status = "OK"
        let ipv6 = special == 31 || random.chance(0.03)
        let service = services[random.skewed(services.count)]
        let ingress = random.chance(0.6)
        let peer: String
        if ipv6 {
            peer = ingress ? externalV6[random.skewed(externalV6.count)] : internalV6[random.below(internalV6.count)]
        } else if random.chance(0.25) {
            peer = interfaces[random.below(interfaces.count)].address
        } else {
            peer = externalV4[random.skewed(externalV4.count)]
        }
        let local = ipv6 ? internalV6[random.below(internalV6.count)] : interface.address
        let ephemeral = 32768 + random.below(28232)
        record.proto = random.chance(0.02) ? (ipv6 ? 58 : 1) : service.proto
        let portless = record.proto == 1 || record.proto == 58
        if ingress {
            (record.src, record.dst) = (peer, local)
            (record.srcport, record.dstport) = portless ? (0, 0) : (ephemeral, service.port)
        } else {
            (record.src, record.dst) = (local, peer)
            (record.srcport, record.dstport) = portless ? (0, 0) : (ephemeral, random.chance(0.7) ? service.port : 1024 + random.below(64000))
        }
        // A rejected flow on 443 in every file of some size.
        if special == 43 {
            record.dstport = 443
            record.proto = 6
        }
        record.reject = special == 43 || random.chance(service.reject * 0.5)
        record.packets = 1 + random.skewed(2000)
        record.bytes = record.packets * (40 + random.below(1460))
        record.tcpFlags = record.proto == 6 ? (record.reject ? 2 : [2, 18, 19, 3, 27, 1][random.below(6)]) : -1
        record.type = ipv6 ? "IPv6" : "IPv4"
        record.direction = ingress ? "ingress" : "egress"
        record.trafficPath = ingress ? -1 : 1 + random.below(8)
    }
}

/// One generated record's values; `-1` or `nil` write as `-`.
struct SampleRecord {
    var version = 2
    var account = "", region = "", interface = "", vpc = "", subnet = "", instance = "", az = ""
    var src: String? = nil, dst: String? = nil
    /// `pkt-srcaddr`/`pkt-dstaddr` when they differ from `src`/`dst` (a NAT gateway's interface).
    var pktSrc: String? = nil, pktDst: String? = nil
    var srcport = -1, dstport = -1, proto = -1, packets = -1, bytes = -1
    var start: Int64 = 0, end: Int64 = 0
    var reject = false
    var status = "OK"
    var tcpFlags = -1
    var type: String? = nil
    var direction: String? = nil
    var trafficPath = -1

    /// A NODATA or SKIPDATA row: only times and status are set.
    mutating func setEmpty(status: String) {
        self.status = status
        src = nil; dst = nil; pktSrc = nil; pktDst = nil
        srcport = -1; dstport = -1; proto = -1; packets = -1; bytes = -1; tcpFlags = -1
        type = nil; direction = nil; trafficPath = -1
    }

    var isEmpty: Bool { status != "OK" }

    /// Appends the record's line in `layout` order.
    func append(_ layout: [FlowField], to buffer: inout [UInt8]) {
        for (i, field) in layout.enumerated() {
            if i > 0 { buffer.append(0x20) }
            switch field {
            case .version: number(layout.count > 14 ? 5 : version, &buffer)
            case .accountID: text(account, &buffer)
            case .interfaceID: text(interface, &buffer)
            case .srcaddr: text(src, &buffer)
            case .dstaddr: text(dst, &buffer)
            case .pktSrcaddr: text(pktSrc ?? src, &buffer)
            case .pktDstaddr: text(pktDst ?? dst, &buffer)
            case .srcport: number(srcport, &buffer)
            case .dstport: number(dstport, &buffer)
            case .protocol: number(proto, &buffer)
            case .packets: number(packets, &buffer)
            case .bytes: number(bytes, &buffer)
            case .start: number(Int(start), &buffer)
            case .end: number(Int(end), &buffer)
            case .action: text(isEmpty ? nil : (reject ? "REJECT" : "ACCEPT"), &buffer)
            case .logStatus: text(status, &buffer)
            case .vpcID: text(vpc, &buffer)
            case .subnetID: text(subnet, &buffer)
            case .instanceID: text(instance, &buffer)
            case .tcpFlags: number(tcpFlags, &buffer)
            case .type: text(type, &buffer)
            case .region: text(region, &buffer)
            case .azID: text(az, &buffer)
            case .flowDirection: text(direction, &buffer)
            case .trafficPath: number(trafficPath, &buffer)
            default: text(nil, &buffer)
            }
        }
        buffer.append(0x0A)
    }

    private func text(_ value: String?, _ buffer: inout [UInt8]) {
        guard let value, !value.isEmpty else { buffer.append(0x2D); return }
        buffer.append(contentsOf: value.utf8)
    }

    private func number(_ value: Int, _ buffer: inout [UInt8]) {
        guard value >= 0 else { buffer.append(0x2D); return }
        if value < 10 { buffer.append(UInt8(0x30 + value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[count] = UInt8(0x30 + rest % 10)
                rest /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { buffer.append(raw[i]) }
        }
    }
}
