/// Which command printed an inventory file, told by its content, not its name.
public enum InventoryKind: String, Sendable, Hashable, CaseIterable {
    /// `aws ec2 describe-network-interfaces`: top-level `NetworkInterfaces`.
    case networkInterfaces
    /// `aws ec2 describe-instances`: top-level `Reservations`.
    case instances
    /// `aws ec2 describe-subnets`: top-level `Subnets`.
    case subnets
    /// `aws ec2 describe-vpcs`: top-level `Vpcs`.
    case vpcs
    /// `aws ec2 describe-security-groups`: top-level `SecurityGroups`.
    case securityGroups
    /// `aws ec2 describe-nat-gateways`: top-level `NatGateways`.
    case natGateways
    /// `aws ec2 describe-vpc-endpoints`: top-level `VpcEndpoints`.
    case vpcEndpoints
    /// AWS's published `ip-ranges.json`: top-level `syncToken` with `prefixes`/`ipv6_prefixes`.
    case ipRanges

    /// The top-level member that identifies the kind (`syncToken` for ip-ranges, which also
    /// needs `prefixes` or `ipv6_prefixes`).
    public var topLevelKey: String {
        switch self {
        case .networkInterfaces: return "NetworkInterfaces"
        case .instances: return "Reservations"
        case .subnets: return "Subnets"
        case .vpcs: return "Vpcs"
        case .securityGroups: return "SecurityGroups"
        case .natGateways: return "NatGateways"
        case .vpcEndpoints: return "VpcEndpoints"
        case .ipRanges: return "syncToken"
        }
    }

    /// Where such a file comes from: `aws ec2 describe-vpcs`, `ip-ranges.json`.
    public var source: String {
        switch self {
        case .networkInterfaces: return "aws ec2 describe-network-interfaces"
        case .instances: return "aws ec2 describe-instances"
        case .subnets: return "aws ec2 describe-subnets"
        case .vpcs: return "aws ec2 describe-vpcs"
        case .securityGroups: return "aws ec2 describe-security-groups"
        case .natGateways: return "aws ec2 describe-nat-gateways"
        case .vpcEndpoints: return "aws ec2 describe-vpc-endpoints"
        case .ipRanges: return "https://ip-ranges.amazonaws.com/ip-ranges.json"
        }
    }

    /// The tables a file of this kind fills.
    public var tableNames: [String] {
        switch self {
        case .networkInterfaces: return [NetworkInterfaceRow.tableName]
        case .instances: return [InstanceRow.tableName]
        case .subnets: return [SubnetRow.tableName]
        case .vpcs: return [VPCRow.tableName]
        case .securityGroups: return [SecurityGroupRow.tableName, SecurityGroupRuleRow.tableName]
        case .natGateways: return [NATGatewayRow.tableName]
        case .vpcEndpoints: return [VPCEndpointRow.tableName]
        case .ipRanges: return [IPRangeRow.tableName]
        }
    }

    /// The kind whose identifying members `object` has; several or none is not decided here.
    static func candidates(for object: JSONValue) -> [InventoryKind] {
        let keys = Set(object.keys)
        return allCases.filter { kind in
            guard keys.contains(kind.topLevelKey) else { return false }
            return kind != .ipRanges || keys.contains("prefixes") || keys.contains("ipv6_prefixes")
        }
    }
}
