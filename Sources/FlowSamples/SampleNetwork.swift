import FlowModel

/// The world `flowq sample --inventory` writes: the generator's VPCs, interfaces and instances
/// laid out as a real account would have them, with NAT gateways, security groups and AWS's
/// address ranges, so that the flow logs and the inventory files describe the same network.
///
/// Built from a `World` (same VPC, interface and instance ids) plus draws of its own, from a
/// stream seeded apart from the traffic's, so the world without `--inventory` is untouched.
/// Each VPC has a public and a private /24 subnet in each of three Availability Zones:
/// instances and Lambda functions sit in the private ones and reach the internet and AWS's
/// public endpoints through the VPC's one NAT gateway (in the first zone's public subnet);
/// internet-facing load balancers sit in the public ones.
struct SampleNetwork: Sendable {
    /// What an interface belongs to.
    enum Role: Sendable {
        case instance, loadBalancer, lambda
    }

    struct Zone: Sendable {
        /// `use1-az1`: what flow logs' `az-id` carries.
        var id: String
        /// `us-east-1b`: the account's name for it.
        var name: String
    }

    struct VPC: Sendable {
        var id: String
        var cidr: String
        var ipv6CIDR: String
        /// `10.0` for `10.0.0.0/16`.
        var prefix: String
        var ipv6Prefix: String
        var name: String
    }

    struct Subnet: Sendable {
        var id: String
        var vpc: Int
        var zone: Int
        var isPublic: Bool
        var cidr: String
        var ipv6CIDR: String
        var name: String
    }

    struct Interface: Sendable {
        var id: String
        var vpc: Int
        var subnet: Int
        var zone: Int
        var role: Role
        var address: String
        var ipv6: String
        /// `i-...`, or nil for a load balancer's or Lambda's interface.
        var instance: String?
        var securityGroups: [Int]
        var mac: String
        /// `ELB app/web-0/...` or `AWS Lambda VPC ENI-...`; nil for an instance's.
        var description: String?
    }

    struct NATGateway: Sendable {
        var id: String
        var vpc: Int
        var subnet: Int
        var zone: Int
        var interfaceID: String
        var privateIP: String
        var publicIP: String
        var allocationID: String
        var associationID: String
        var mac: String
    }

    struct SecurityGroup: Sendable {
        var id: String
        var name: String
        var description: String
        var vpc: Int
        var ingress: [Rule]
        var egress: [Rule]
    }

    /// One permission with one peer: a CIDR or another group.
    struct Rule: Sendable {
        /// `tcp`, `udp` or `-1`.
        var proto: String
        var ports: ClosedRange<Int>?
        var cidr: String?
        var peerGroup: Int?
        var description: String
    }

    /// One `ip-ranges.json` entry the excerpt lists (besides its `AMAZON` twin).
    struct AWSRange: Sendable {
        var prefix: String
        var service: String
    }

    /// An address of an AWS service that instances talk to.
    struct ServicePeer: Sendable {
        var address: String
        var service: String
    }

    let accountID: String
    let region: String
    let zones: [Zone]
    let vpcs: [VPC]
    let subnets: [Subnet]
    let interfaces: [Interface]
    let natGateways: [NATGateway]
    let securityGroups: [SecurityGroup]
    let ranges: [AWSRange]
    let ipv6Ranges: [AWSRange]
    let servicePeers: [ServicePeer]
    /// The few internet peers that use the admin port the wide rule opens to everyone.
    let adminPeers: [String]
    /// Internet peers (`World.externalV4`) and IPv6 peers (`World.externalV6`).
    let externalV4: [String]
    let externalV6: [String]
    /// Per VPC, the interfaces that accept connections (instances).
    let servers: [[Int]]

    /// The port the wide `0.0.0.0/0` rule opens and only `adminPeers` use.
    static let adminPort = 8443
    /// Ports the app group opens that no generated flow uses.
    static let unusedPorts: [(proto: String, port: Int, description: String)] = [
        ("tcp", 9200, "Elasticsearch (retired)"), ("udp", 161, "SNMP from the VPC"),
    ]
    /// Ports instances serve each other on, most common first; all opened to the VPC by the app group.
    static let internalPorts = [443, 5432, 6379, 3306, 22]
    /// The port load balancers forward to.
    static let backendPort = 8080

    init(world: World, seed: UInt64) {
        var random = SplitMix64(seed: seed ^ 0x1D_E7A2_5B3C_9F01)
        func hex(_ count: Int) -> String {
            String((0..<count).map { _ in Array("0123456789abcdef")[random.below(16)] })
        }
        func mac() -> String {
            "0e:" + (0..<5).map { _ in hex(2) }.joined(separator: ":")
        }
        accountID = world.accountID
        region = world.region
        externalV4 = world.externalV4
        externalV6 = world.externalV6
        let zonePrefix = Self.zonePrefix(region: world.region)
        // Names and ids of a zone differ per account; here az1 is b, az2 c, az3 a.
        zones = (0..<3).map { Zone(id: "\(zonePrefix)-az\($0 + 1)", name: world.region + ["b", "c", "a"][$0]) }

        let vpcIDs = Self.vpcIDs(of: world)
        let prefixes = ["10.0", "172.31", "10.117"]
        vpcs = (0..<3).map { v in
            VPC(id: vpcIDs[v], cidr: "\(prefixes[v]).0.0/16", ipv6CIDR: "2001:db8:1234:a\(v)00::/56",
                prefix: prefixes[v], ipv6Prefix: "2001:db8:1234:a\(v)", name: ["shop", "payments", "analytics"][v])
        }
        var subnets: [Subnet] = []
        for v in 0..<3 {
            for isPublic in [true, false] {
                for zone in 0..<3 {
                    let third = isPublic ? zone : 10 + zone
                    let tier = isPublic ? "public" : "private"
                    subnets.append(Subnet(
                        id: "subnet-" + hex(17), vpc: v, zone: zone, isPublic: isPublic,
                        cidr: "\(prefixes[v]).\(third).0/24", ipv6CIDR: "2001:db8:1234:a\(v)\(String(format: "%02x", third))::/64",
                        name: "\(vpcs[v].name)-\(tier)-\(zones[zone].name)"))
                }
            }
        }
        self.subnets = subnets
        func subnetIndex(vpc: Int, zone: Int, isPublic: Bool) -> Int {
            vpc * 6 + (isPublic ? 0 : 3) + zone
        }

        // Two groups per VPC: web (load balancers) and app (instances and functions).
        var groups: [SecurityGroup] = []
        for v in 0..<3 {
            let web = groups.count
            let everywhere = "0.0.0.0/0"
            groups.append(SecurityGroup(
                id: "sg-" + hex(17), name: "\(vpcs[v].name)-web", description: "Internet-facing load balancers", vpc: v,
                ingress: [
                    Rule(proto: "tcp", ports: 443...443, cidr: everywhere, description: "HTTPS from anywhere"),
                    Rule(proto: "tcp", ports: 80...80, cidr: everywhere, description: "HTTP, redirected to HTTPS"),
                    Rule(proto: "tcp", ports: Self.adminPort...Self.adminPort, cidr: everywhere, description: "Admin console"),
                ],
                egress: [Rule(proto: "-1", cidr: everywhere, description: "All traffic")]))
            var appIngress = [Rule(proto: "tcp", ports: Self.backendPort...Self.backendPort, peerGroup: web, description: "From the load balancers")]
            for port in Self.internalPorts {
                appIngress.append(Rule(proto: "tcp", ports: port...port, cidr: vpcs[v].cidr, description: "Port \(port) from the VPC"))
            }
            for unused in Self.unusedPorts {
                appIngress.append(Rule(proto: unused.proto, ports: unused.port...unused.port, cidr: vpcs[v].cidr, description: unused.description))
            }
            groups.append(SecurityGroup(
                id: "sg-" + hex(17), name: "\(vpcs[v].name)-app", description: "Application servers and functions", vpc: v,
                ingress: appIngress, egress: [Rule(proto: "-1", cidr: everywhere, description: "All traffic")]))
        }
        securityGroups = groups

        // The interfaces of the base world, placed: ids and instances kept, addresses by subnet.
        var interfaces: [Interface] = []
        for (i, base) in world.interfaces.enumerated() {
            let v = i % 3
            let role: Role = i % 10 == 4 ? .loadBalancer : i % 10 == 9 ? .lambda : .instance
            let zone = (i / 3) % 3
            let subnet = subnetIndex(vpc: v, zone: zone, isPublic: role == .loadBalancer)
            let third = subnets[subnet].isPublic ? zone : 10 + zone
            let description: String?
            switch role {
            case .instance: description = nil
            case .loadBalancer: description = "ELB app/\(vpcs[v].name)-web/\(hex(16))"
            case .lambda: description = "AWS Lambda VPC ENI-\(vpcs[v].name)-worker-\(hex(8))-\(hex(4))-\(hex(4))-\(hex(4))-\(hex(12))"
            }
            interfaces.append(Interface(
                id: base.id, vpc: v, subnet: subnet, zone: zone, role: role, address: "\(prefixes[v]).\(third).\(10 + i)",
                ipv6: IPAddress("2001:db8:1234:a\(v)\(String(format: "%02x", third)):\(hex(4)):\(hex(4)):\(hex(4)):\(hex(4))")?.text ?? "",
                instance: base.instance == "-" ? nil : base.instance, securityGroups: [v * 2 + (role == .loadBalancer ? 0 : 1)],
                mac: mac(), description: description))
        }
        self.interfaces = interfaces
        servers = (0..<3).map { v in interfaces.indices.filter { interfaces[$0].vpc == v && interfaces[$0].role == .instance } }

        // AWS's ranges in the region (as published for us-east-1), and peers inside them.
        let ec2 = "3.80.0.0/12", s3 = ["52.216.0.0/15", "3.5.0.0/19"], dynamo = ["3.218.180.0/22", "52.94.0.0/22"]
        ranges = [AWSRange(prefix: ec2, service: "EC2")] + s3.map { AWSRange(prefix: $0, service: "S3") }
            + dynamo.map { AWSRange(prefix: $0, service: "DYNAMODB") }
        ipv6Ranges = [AWSRange(prefix: "2600:1f18::/32", service: "EC2")]
        func address(in prefix: String) -> String {
            let block = CIDRBlock(prefix)?.ipv4Range ?? 0...0
            let span = UInt64(block.upperBound - block.lowerBound)
            return IPAddress.format(v4: block.lowerBound + UInt32(1 + random.next() % max(1, span - 1)))
        }
        var peers: [ServicePeer] = []
        for prefix in s3 { for _ in 0..<4 { peers.append(ServicePeer(address: address(in: prefix), service: "S3")) } }
        for prefix in dynamo { for _ in 0..<2 { peers.append(ServicePeer(address: address(in: prefix), service: "DYNAMODB")) } }
        for _ in 0..<3 { peers.append(ServicePeer(address: address(in: ec2), service: "EC2")) }
        servicePeers = peers

        natGateways = (0..<3).map { v in
            let subnet = subnetIndex(vpc: v, zone: 0, isPublic: true)
            return NATGateway(
                id: "nat-" + hex(17), vpc: v, subnet: subnet, zone: 0, interfaceID: "eni-" + hex(17),
                privateIP: "\(prefixes[v]).0.100", publicIP: address(in: ec2), allocationID: "eipalloc-" + hex(17),
                associationID: "eipassoc-" + hex(17), mac: mac())
        }
        adminPeers = (0..<3).map { _ in world.externalV4[100 + random.below(world.externalV4.count - 100)] }
    }

    /// The VPC ids of the base world, in VPC order (interface `i` is in VPC `i % 3`).
    private static func vpcIDs(of world: World) -> [String] {
        (0..<3).map { world.interfaces[$0].vpc }
    }

    /// `use1` for `us-east-1`, `euw1` for `eu-west-1`: the start of the region's zone ids.
    static func zonePrefix(region: String) -> String {
        let parts = region.split(separator: "-")
        guard parts.count == 3, let direction = parts[1].first else { return region }
        return "\(parts[0])\(direction)\(parts[2])"
    }

    /// The owner of an interface's addresses as `addr_owner` prints it.
    func owner(of interface: Interface) -> String {
        switch interface.role {
        case .instance: return "instance \(interface.instance ?? "")"
        case .lambda: return "lambda"
        case .loadBalancer: return "elb " + (interface.description ?? "").dropFirst(4)
        }
    }
}
