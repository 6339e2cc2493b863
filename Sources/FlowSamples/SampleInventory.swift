import FlowModel
import Foundation

/// The inventory of a `SampleNetwork`: what `aws ec2 describe-vpcs`, `describe-subnets`,
/// `describe-instances`, `describe-network-interfaces`, `describe-nat-gateways`,
/// `describe-security-groups` and `describe-vpc-endpoints` would print for it, and an excerpt of
/// AWS's `ip-ranges.json` listing the ranges its instances reach through the NAT gateways.
///
/// The files have the CLI's shapes (its top-level keys, member names and nesting, the fields
/// AWS's documented examples show) so `flowq inventory add` reads them like real ones.
struct SampleInventory: Sendable {
    let network: SampleNetwork
    /// `ip-ranges.json`'s `createDate` (and `syncToken`), Unix seconds.
    let createDate: Int64

    /// Writes one file per command under `folder` (created when missing); returns their paths.
    func write(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let documents: [(String, SampleJSON, Int)] = [
            ("describe-vpcs.json", .object([("Vpcs", .array(network.vpcs.indices.map(vpc)))]), 4),
            ("describe-subnets.json", .object([("Subnets", .array(network.subnets.indices.map(subnet)))]), 4),
            ("describe-instances.json", .object([("Reservations", .array(network.vpcs.indices.map(reservation)))]), 4),
            ("describe-network-interfaces.json", .object([("NetworkInterfaces", .array(
                network.interfaces.map { interface($0, embedded: false) } + network.natGateways.map(natInterface)))]), 4),
            ("describe-nat-gateways.json", .object([("NatGateways", .array(network.natGateways.map(natGateway)))]), 4),
            ("describe-security-groups.json", .object([("SecurityGroups", .array(network.securityGroups.map(securityGroup)))]), 4),
            ("describe-vpc-endpoints.json", .object([("VpcEndpoints", .array([]))]), 4),
            // AWS publishes ip-ranges.json indented by two.
            ("ip-ranges.json", ipRanges, 2),
        ]
        var paths: [String] = []
        for (name, document, indent) in documents {
            let url = folder.appendingPathComponent(name)
            try Data(document.text(indent: indent).utf8).write(to: url)
            paths.append(url.path)
        }
        return paths
    }

    // MARK: VPCs and subnets

    private func vpc(_ index: Int) -> SampleJSON {
        let vpc = network.vpcs[index]
        return .object([
            ("CidrBlock", .string(vpc.cidr)),
            ("DhcpOptionsId", .string(Self.derivedID("dopt-", network.accountID, count: 8))),
            ("State", "available"),
            ("VpcId", .string(vpc.id)),
            ("OwnerId", .string(network.accountID)),
            ("InstanceTenancy", "default"),
            ("Ipv6CidrBlockAssociationSet", .array([.object([
                ("AssociationId", .string(Self.derivedID("vpc-cidr-assoc-", vpc.ipv6CIDR))),
                ("Ipv6CidrBlock", .string(vpc.ipv6CIDR)),
                ("Ipv6CidrBlockState", .object([("State", "associated")])),
                ("NetworkBorderGroup", .string(network.region)),
            ])])),
            ("CidrBlockAssociationSet", .array([.object([
                ("AssociationId", .string(Self.derivedID("vpc-cidr-assoc-", vpc.cidr))),
                ("CidrBlock", .string(vpc.cidr)),
                ("CidrBlockState", .object([("State", "associated")])),
            ])])),
            ("IsDefault", false),
            ("Tags", .tags([("Name", vpc.name)])),
        ])
    }

    private func subnet(_ index: Int) -> SampleJSON {
        let subnet = network.subnets[index]
        let used = network.interfaces.filter { $0.subnet == index }.count + network.natGateways.filter { $0.subnet == index }.count
        return .object([
            ("AvailabilityZone", .string(network.zones[subnet.zone].name)),
            ("AvailabilityZoneId", .string(network.zones[subnet.zone].id)),
            // A /24 has 256 addresses, of which AWS keeps five.
            ("AvailableIpAddressCount", .number(251 - used)),
            ("CidrBlock", .string(subnet.cidr)),
            ("DefaultForAz", false),
            ("MapPublicIpOnLaunch", .bool(subnet.isPublic)),
            ("State", "available"),
            ("SubnetId", .string(subnet.id)),
            ("VpcId", .string(network.vpcs[subnet.vpc].id)),
            ("OwnerId", .string(network.accountID)),
            ("AssignIpv6AddressOnCreation", false),
            ("Ipv6CidrBlockAssociationSet", .array([.object([
                ("AssociationId", .string(Self.derivedID("subnet-cidr-assoc-", subnet.ipv6CIDR))),
                ("Ipv6CidrBlock", .string(subnet.ipv6CIDR)),
                ("Ipv6CidrBlockState", .object([("State", "associated")])),
            ])])),
            ("Tags", .tags([("Name", subnet.name)])),
            ("SubnetArn", .string("arn:aws:ec2:\(network.region):\(network.accountID):subnet/\(subnet.id)")),
            ("EnableDns64", false),
            ("Ipv6Native", false),
        ])
    }

    // MARK: ip-ranges.json

    /// Each range as AWS lists it: once as `AMAZON` (every range), once as its service.
    private var ipRanges: SampleJSON {
        let day = PartitionDay(unixSeconds: createDate)
        let (y, m, d) = day.civil
        let seconds = Int(createDate - day.startSeconds)
        let stamp = String(format: "%04d-%02d-%02d-%02d-%02d-%02d", y, m, d, seconds / 3600, seconds / 60 % 60, seconds % 60)
        func entries(_ ranges: [SampleNetwork.AWSRange], key: String) -> SampleJSON {
            let listed = ranges.map { ($0.prefix, "AMAZON") } + ranges.map { ($0.prefix, $0.service) }
            return .array(listed.map { prefix, service in
                .object([(key, .string(prefix)), ("region", .string(network.region)), ("service", .string(service)),
                         ("network_border_group", .string(network.region))])
            })
        }
        return .object([
            ("syncToken", .string(String(createDate))),
            ("createDate", .string(stamp)),
            ("prefixes", entries(network.ranges, key: "ip_prefix")),
            ("ipv6_prefixes", entries(network.ipv6Ranges, key: "ipv6_prefix")),
        ])
    }

    // MARK: Names

    /// `ip-10-0-10-12.ec2.internal` (us-east-1) or `ip-10-0-10-12.eu-west-1.compute.internal`.
    func privateDNSName(_ address: String) -> String {
        let host = "ip-" + address.replacingOccurrences(of: ".", with: "-")
        return network.region == "us-east-1" ? "\(host).ec2.internal" : "\(host).\(network.region).compute.internal"
    }

    /// `ec2-3-80-1-2.compute-1.amazonaws.com` (us-east-1) or `ec2-...<region>.compute.amazonaws.com`.
    func publicDNSName(_ address: String) -> String {
        let host = "ec2-" + address.replacingOccurrences(of: ".", with: "-")
        return network.region == "us-east-1" ? "\(host).compute-1.amazonaws.com" : "\(host).\(network.region).compute.amazonaws.com"
    }

    /// An id for something the network does not model (a DHCP option set, an association),
    /// derived from what it belongs to so the same network writes the same files.
    static func derivedID(_ prefix: String, _ owner: String, count: Int = 17) -> String {
        // FNV-1a, widened by hashing again with the previous digits.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var digits = ""
        while digits.count < count {
            for byte in (owner + prefix + digits).utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
            }
            digits += String(hash, radix: 16)
        }
        return prefix + digits.prefix(count)
    }
}
