import FlowModel

extension SampleNetwork {
    /// The records of the next flow of a file, as the interfaces on its path log it, and what
    /// the flow was in `truth`.
    ///
    /// A NAT hop is six records, a flow between two interfaces two, anything else one; a flow
    /// never runs past the file's last record or past the records every file of 50 or more
    /// holds at fixed places (NODATA, SKIPDATA, IPv6, a rejected flow on 443), so files have
    /// exactly the records asked for and the rare kinds where the plain generator puts them.
    func nextFlow(index: Int, of count: Int, windowEnd: Int64, random: inout SplitMix64, truth: inout SampleGroundTruth) -> [SampleRecord] {
        let offset = count >= 50 ? index % 50 : -1
        let nextSpecial = [7, 19, 31, 43, 57].first { $0 > offset } ?? 57
        let budget = count >= 50 ? min(count - index, nextSpecial - offset) : count - index
        let start = windowEnd - 60 - Int64(random.below(540))
        let end = start + 1 + Int64(random.below(59))
        let source = interfaces[random.skewed(interfaces.count)]

        if offset == 7 || (offset < 0 && random.chance(0.004)) || random.chance(0.004) {
            return [empty(on: source, status: "NODATA", start: start, end: end)]
        }
        if offset == 19 || random.chance(0.002) {
            return [empty(on: source, status: "SKIPDATA", start: start, end: end)]
        }
        if offset == 31 || random.chance(0.03) {
            return [ipv6(from: source, start: start, end: end, random: &random)]
        }
        if offset == 43 {
            // A rejected HTTPS flow, as every file of some size has one (a network ACL's deny list).
            let balancer = interfaces.first { $0.role == .loadBalancer && $0.vpc == source.vpc } ?? source
            return [ingress(to: balancer, from: externalV4[random.skewed(externalV4.count)], port: 443, reject: true, start: start, end: end, random: &random)]
        }
        switch source.role {
        case .loadBalancer:
            if budget >= 2 && random.chance(0.25) {
                return internalFlow(from: source, port: Self.backendPort, start: start, end: end, random: &random, truth: &truth)
            }
            return [internetIngress(to: source, start: start, end: end, random: &random)]
        case .instance, .lambda:
            if budget >= 6 && random.chance(0.75) {
                return natHop(from: source, start: start, end: end, random: &random, truth: &truth)
            }
            if budget >= 2 {
                let port = Self.internalPorts[random.skewed(Self.internalPorts.count)]
                return internalFlow(from: source, port: port, start: start, end: end, random: &random, truth: &truth)
            }
            return [ipv6(from: source, start: start, end: end, random: &random)]
        }
    }

    /// The AWS service whose listed range holds `address` (as `aws_service` answers it), or nil.
    func service(of address: String) -> String? {
        guard case .v4(let value)? = IPAddress(address) else { return nil }
        return ranges.first { CIDRBlock($0.prefix)?.ipv4Range?.contains(value) == true }?.service
    }

    // MARK: Flows

    /// Six records, as the VPC user guide shows a NAT gateway's traffic.
    private func natHop(from source: Interface, start: Int64, end: Int64, random: inout SplitMix64, truth: inout SampleGroundTruth) -> [SampleRecord] {
        let nat = natGateways[source.vpc]
        let external: String
        let port: Int
        if random.chance(0.35) {
            external = servicePeers[random.skewed(servicePeers.count)].address
            port = 443
        } else {
            external = externalV4[random.skewed(externalV4.count)]
            port = random.chance(0.1) ? 123 : random.chance(0.8) ? 443 : 80
        }
        let proto = port == 123 ? 17 : 6
        let ephemeral = 32768 + random.below(28232)
        let translated = 1024 + random.below(64511)
        let requestPackets = 1 + random.skewed(200)
        let request = (packets: requestPackets, bytes: requestPackets * (40 + random.below(1460)))
        let responsePackets = 1 + random.skewed(2000)
        let response = (packets: responsePackets, bytes: responsePackets * (40 + random.below(1460)))
        let (requestFlags, responseFlags) = proto == 6 ? (3, 19) : (-1, -1)

        var onSource = record(on: source, start: start, end: end)
        var onNAT = record(onNAT: nat, start: start, end: end)
        onSource.proto = proto
        onNAT.proto = proto
        var records: [SampleRecord] = []
        func add(_ base: SampleRecord, _ from: (String, Int), _ to: (String, Int), packet: (String, String)? = nil,
                 _ traffic: (packets: Int, bytes: Int), flags: Int, path: Int) {
            var record = base
            (record.src, record.srcport, record.dst, record.dstport) = (from.0, from.1, to.0, to.1)
            (record.pktSrc, record.pktDst) = (packet?.0, packet?.1)
            (record.packets, record.bytes, record.tcpFlags) = (traffic.packets, traffic.bytes, flags)
            record.direction = path < 0 ? "ingress" : "egress"
            record.trafficPath = path
            records.append(record)
        }
        // The source's interface: the connection as the instance sees it.
        add(onSource, (source.address, ephemeral), (external, port), request, flags: requestFlags, path: 1)
        add(onSource, (external, port), (source.address, ephemeral), response, flags: responseFlags, path: -1)
        // The NAT gateway's interface: in from the instance, out translated, the response in, and back.
        add(onNAT, (source.address, ephemeral), (nat.privateIP, port), packet: (source.address, external), request, flags: requestFlags, path: -1)
        add(onNAT, (nat.privateIP, translated), (external, port), request, flags: requestFlags, path: 2)
        add(onNAT, (external, port), (nat.privateIP, translated), response, flags: responseFlags, path: -1)
        add(onNAT, (nat.privateIP, port), (source.address, ephemeral), packet: (external, source.address), response, flags: responseFlags, path: 1)

        truth.natHops.append(SampleGroundTruth.NATHop(
            natGatewayID: nat.id, natInterfaceID: nat.interfaceID, natPrivateIP: nat.privateIP, natPublicIP: nat.publicIP,
            natZoneID: zones[nat.zone].id, sourceInterfaceID: source.id, sourceAddress: source.address, sourceOwner: owner(of: source),
            sourceZoneID: zones[source.zone].id, externalAddress: external, service: service(of: external), proto: proto, port: port,
            start: start, requestBytes: request.bytes, responseBytes: response.bytes))
        return records
    }

    /// Two records: the client's egress and the server's ingress, another instance of the VPC.
    private func internalFlow(from source: Interface, port: Int, start: Int64, end: Int64, random: inout SplitMix64,
                              truth: inout SampleGroundTruth) -> [SampleRecord] {
        let candidates = servers[source.vpc].filter { interfaces[$0].id != source.id }
        let server = interfaces[candidates[random.below(candidates.count)]]
        let ephemeral = 32768 + random.below(28232)
        let packets = 1 + random.skewed(2000)
        let bytes = packets * (40 + random.below(1460))
        let flags = [3, 27, 2][random.below(3)]
        var records: [SampleRecord] = []
        for (interface, direction) in [(source, "egress"), (server, "ingress")] {
            var record = record(on: interface, start: start, end: end)
            (record.src, record.srcport, record.dst, record.dstport) = (source.address, ephemeral, server.address, port)
            (record.proto, record.packets, record.bytes, record.tcpFlags) = (6, packets, bytes, flags)
            record.direction = direction
            record.trafficPath = direction == "egress" ? 1 : -1
            records.append(record)
        }
        truth.internalFlows.append(SampleGroundTruth.InternalFlow(
            vpcID: vpcs[source.vpc].id, sourceInterfaceID: source.id, sourceAddress: source.address, sourceZoneID: zones[source.zone].id,
            destinationInterfaceID: server.id, destinationAddress: server.address, destinationZoneID: zones[server.zone].id,
            port: port, start: start, bytes: bytes))
        return records
    }

    /// One record: an internet client at a load balancer; scanners on closed ports are
    /// rejected, and only `adminPeers` use the admin port.
    private func internetIngress(to balancer: Interface, start: Int64, end: Int64, random: inout SplitMix64) -> SampleRecord {
        if random.chance(0.12) {
            let port = [22, 3389, 23, 445, 5900][random.skewed(5)]
            return ingress(to: balancer, from: externalV4[random.below(externalV4.count)], port: port, reject: true, start: start, end: end, random: &random)
        }
        if random.chance(0.03) {
            return ingress(to: balancer, from: adminPeers[random.below(adminPeers.count)], port: Self.adminPort, reject: false,
                           start: start, end: end, random: &random)
        }
        return ingress(to: balancer, from: externalV4[random.skewed(externalV4.count)], port: random.chance(0.85) ? 443 : 80,
                       reject: false, start: start, end: end, random: &random)
    }

    private func ingress(to interface: Interface, from peer: String, port: Int, reject: Bool, start: Int64, end: Int64,
                         random: inout SplitMix64) -> SampleRecord {
        var record = record(on: interface, start: start, end: end)
        (record.src, record.srcport, record.dst, record.dstport) = (peer, 32768 + random.below(28232), interface.address, port)
        record.proto = 6
        record.packets = reject ? 1 + random.below(3) : 1 + random.skewed(2000)
        record.bytes = record.packets * (40 + random.below(reject ? 40 : 1460))
        record.tcpFlags = reject ? 2 : [2, 18, 19, 3, 27][random.below(5)]
        record.reject = reject
        record.direction = "ingress"
        record.trafficPath = -1
        return record
    }

    /// One record: the interface's own IPv6 address and an IPv6 host on the internet
    /// (through the egress-only internet gateway, or into a load balancer).
    private func ipv6(from interface: Interface, start: Int64, end: Int64, random: inout SplitMix64) -> SampleRecord {
        var record = record(on: interface, start: start, end: end)
        let peer = externalV6[random.skewed(externalV6.count)]
        let ephemeral = 32768 + random.below(28232)
        if interface.role == .loadBalancer {
            (record.src, record.srcport, record.dst, record.dstport) = (peer, ephemeral, interface.ipv6, 443)
            record.direction = "ingress"
            record.trafficPath = -1
        } else {
            (record.src, record.srcport, record.dst, record.dstport) = (interface.ipv6, ephemeral, peer, 443)
            record.direction = "egress"
            record.trafficPath = 2
        }
        record.type = "IPv6"
        record.proto = 6
        record.packets = 1 + random.skewed(500)
        record.bytes = record.packets * (60 + random.below(1440))
        record.tcpFlags = [2, 18, 19, 3][random.below(4)]
        return record
    }

    // MARK: Records

    /// A record of `interface` with its ids and times set, and IPv4 traffic fields to fill.
    private func record(on interface: Interface, start: Int64, end: Int64) -> SampleRecord {
        record(interfaceID: interface.id, vpc: interface.vpc, subnet: interface.subnet, zone: interface.zone,
               instance: interface.instance ?? "-", start: start, end: end)
    }

    /// A record of a NAT gateway's interface: requester-managed, so its instance id is `-`.
    private func record(onNAT nat: NATGateway, start: Int64, end: Int64) -> SampleRecord {
        record(interfaceID: nat.interfaceID, vpc: nat.vpc, subnet: nat.subnet, zone: nat.zone, instance: "-", start: start, end: end)
    }

    private func record(interfaceID: String, vpc: Int, subnet: Int, zone: Int, instance: String, start: Int64, end: Int64) -> SampleRecord {
        var record = SampleRecord()
        record.account = accountID
        record.region = region
        record.interface = interfaceID
        record.vpc = vpcs[vpc].id
        record.subnet = subnets[subnet].id
        record.instance = instance
        record.az = zones[zone].id
        record.start = start
        record.end = end
        record.type = "IPv4"
        return record
    }

    private func empty(on interface: Interface, status: String, start: Int64, end: Int64) -> SampleRecord {
        var record = record(on: interface, start: start, end: end)
        record.setEmpty(status: status)
        return record
    }
}
