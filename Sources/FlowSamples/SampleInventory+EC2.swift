import FlowModel

extension SampleInventory {
    /// When the instances were launched and the gateways created: a month before the flows.
    private var launchTime: String {
        let (y, m, d) = PartitionDay(unixSeconds: createDate - 30 * 86_400).civil
        return String(format: "%04d-%02d-%02dT09:14:31+00:00", y, m, d)
    }

    // MARK: describe-instances

    /// One reservation per VPC, holding its instances.
    func reservation(_ vpc: Int) -> SampleJSON {
        let members = network.interfaces.filter { $0.vpc == vpc && $0.instance != nil }
        let types = ["m6i.large", "c6g.xlarge", "r6i.large"]
        return .object([
            ("Groups", .array([])),
            ("Instances", .array(members.enumerated().map { launchIndex, interface in
                let subnet = network.subnets[interface.subnet]
                return .object([
                    ("AmiLaunchIndex", .number(launchIndex)),
                    ("ImageId", .string(Self.derivedID("ami-", network.vpcs[vpc].id))),
                    ("InstanceId", .string(interface.instance ?? "")),
                    ("InstanceType", .string(types[vpc])),
                    ("LaunchTime", .string(launchTime)),
                    ("Monitoring", .object([("State", "disabled")])),
                    ("Placement", .object([("AvailabilityZone", .string(network.zones[interface.zone].name)), ("GroupName", ""),
                                           ("Tenancy", "default")])),
                    ("PrivateDnsName", .string(privateDNSName(interface.address))),
                    ("PrivateIpAddress", .string(interface.address)),
                    ("ProductCodes", .array([])),
                    ("PublicDnsName", ""),
                    ("State", .object([("Code", 16), ("Name", "running")])),
                    ("StateTransitionReason", ""),
                    ("SubnetId", .string(subnet.id)),
                    ("VpcId", .string(network.vpcs[vpc].id)),
                    ("Architecture", .string(vpc == 1 ? "arm64" : "x86_64")),
                    ("NetworkInterfaces", .array([self.interface(interface, embedded: true)])),
                    ("SecurityGroups", groupList(interface.securityGroups)),
                    ("SourceDestCheck", true),
                    ("Tags", .tags([("Name", "\(network.vpcs[vpc].name)-\(launchIndex + 1)")])),
                    ("VirtualizationType", "hvm"),
                ])
            })),
            ("OwnerId", .string(network.accountID)),
            ("ReservationId", .string(Self.derivedID("r-", network.vpcs[vpc].id))),
        ])
    }

    // MARK: describe-network-interfaces

    /// An interface as `describe-network-interfaces` prints it, or (`embedded`) as
    /// `describe-instances` does inside its instance.
    func interface(_ interface: SampleNetwork.Interface, embedded: Bool) -> SampleJSON {
        let subnet = network.subnets[interface.subnet]
        let dns = privateDNSName(interface.address)
        var attachment: [(String, SampleJSON)] = [
            ("AttachTime", .string(launchTime)),
            ("AttachmentId", .string(Self.derivedID(interface.role == .instance ? "eni-attach-" : "ela-attach-", interface.id))),
            ("DeleteOnTermination", .bool(interface.role == .instance)),
            ("DeviceIndex", .number(interface.role == .instance ? 0 : 1)),
        ]
        if let instance = interface.instance, !embedded {
            attachment.append(("InstanceId", .string(instance)))
            attachment.append(("InstanceOwnerId", .string(network.accountID)))
        } else if interface.role != .instance {
            attachment.append(("InstanceOwnerId", .string(interface.role == .loadBalancer ? "amazon-elb" : network.accountID)))
        }
        attachment.append(("Status", "attached"))
        var members: [(String, SampleJSON)] = [("Attachment", .object(attachment))]
        if !embedded { members.append(("AvailabilityZone", .string(network.zones[interface.zone].name))) }
        members += [
            ("Description", .string(interface.description ?? "")),
            ("Groups", groupList(interface.securityGroups)),
            ("InterfaceType", .string(interface.role == .lambda ? "lambda" : "interface")),
            ("Ipv6Addresses", .array([.object([("Ipv6Address", .string(interface.ipv6)), ("IsPrimaryIpv6", false)])])),
            ("MacAddress", .string(interface.mac)),
            ("NetworkInterfaceId", .string(interface.id)),
            ("OwnerId", .string(network.accountID)),
            ("PrivateDnsName", .string(dns)),
            ("PrivateIpAddress", .string(interface.address)),
            ("PrivateIpAddresses", .array([.object([("Primary", true), ("PrivateDnsName", .string(dns)),
                                                    ("PrivateIpAddress", .string(interface.address))])])),
        ]
        if !embedded {
            switch interface.role {
            case .instance: break
            case .loadBalancer: members.append(("RequesterId", "amazon-elb"))
            case .lambda: members.append(("RequesterId", .string(Self.derivedID("AROA", interface.id, count: 17).uppercased() + ":worker")))
            }
            members.append(("RequesterManaged", .bool(interface.role != .instance)))
        }
        members += [
            ("SourceDestCheck", true),
            ("Status", "in-use"),
            ("SubnetId", .string(subnet.id)),
        ]
        if !embedded { members.append(("TagSet", .array([]))) }
        members.append(("VpcId", .string(network.vpcs[interface.vpc].id)))
        return .object(members)
    }

    /// A NAT gateway's interface: requester-managed, no security groups, its Elastic IP associated.
    func natInterface(_ nat: SampleNetwork.NATGateway) -> SampleJSON {
        let dns = privateDNSName(nat.privateIP)
        let association: SampleJSON = .object([
            ("AllocationId", .string(nat.allocationID)),
            ("AssociationId", .string(nat.associationID)),
            ("IpOwnerId", .string(network.accountID)),
            ("PublicDnsName", .string(publicDNSName(nat.publicIP))),
            ("PublicIp", .string(nat.publicIP)),
        ])
        return .object([
            ("Association", association),
            ("Attachment", .object([
                ("AttachmentId", .string(Self.derivedID("ela-attach-", nat.interfaceID))),
                ("DeleteOnTermination", false),
                ("DeviceIndex", 1),
                ("InstanceOwnerId", "amazon"),
                ("Status", "attached"),
            ])),
            ("AvailabilityZone", .string(network.zones[nat.zone].name)),
            ("Description", .string("Interface for NAT Gateway \(nat.id)")),
            ("Groups", .array([])),
            ("InterfaceType", "nat_gateway"),
            ("Ipv6Addresses", .array([])),
            ("MacAddress", .string(nat.mac)),
            ("NetworkInterfaceId", .string(nat.interfaceID)),
            ("OwnerId", .string(network.accountID)),
            ("PrivateDnsName", .string(dns)),
            ("PrivateIpAddress", .string(nat.privateIP)),
            ("PrivateIpAddresses", .array([.object([
                ("Association", association), ("Primary", true), ("PrivateDnsName", .string(dns)),
                ("PrivateIpAddress", .string(nat.privateIP)),
            ])])),
            ("RequesterId", "amazon"),
            ("RequesterManaged", true),
            ("SourceDestCheck", false),
            ("Status", "in-use"),
            ("SubnetId", .string(network.subnets[nat.subnet].id)),
            ("TagSet", .array([])),
            ("VpcId", .string(network.vpcs[nat.vpc].id)),
        ])
    }

    // MARK: describe-nat-gateways

    func natGateway(_ nat: SampleNetwork.NATGateway) -> SampleJSON {
        .object([
            ("CreateTime", .string(launchTime.replacingOccurrences(of: "+00:00", with: ".000Z"))),
            ("NatGatewayAddresses", .array([.object([
                ("AllocationId", .string(nat.allocationID)),
                ("NetworkInterfaceId", .string(nat.interfaceID)),
                ("PrivateIp", .string(nat.privateIP)),
                ("PublicIp", .string(nat.publicIP)),
                ("AssociationId", .string(nat.associationID)),
                ("IsPrimary", true),
                ("Status", "succeeded"),
            ])])),
            ("NatGatewayId", .string(nat.id)),
            ("State", "available"),
            ("SubnetId", .string(network.subnets[nat.subnet].id)),
            ("VpcId", .string(network.vpcs[nat.vpc].id)),
            ("Tags", .tags([("Name", "\(network.vpcs[nat.vpc].name)-nat")])),
            ("ConnectivityType", "public"),
        ])
    }

    // MARK: describe-security-groups

    func securityGroup(_ group: SampleNetwork.SecurityGroup) -> SampleJSON {
        .object([
            ("Description", .string(group.description)),
            ("GroupName", .string(group.name)),
            ("IpPermissions", .array(group.ingress.map(permission))),
            ("OwnerId", .string(network.accountID)),
            ("GroupId", .string(group.id)),
            ("IpPermissionsEgress", .array(group.egress.map(permission))),
            ("Tags", .tags([("Name", group.name)])),
            ("VpcId", .string(network.vpcs[group.vpc].id)),
        ])
    }

    private func permission(_ rule: SampleNetwork.Rule) -> SampleJSON {
        var members: [(String, SampleJSON)] = []
        if let ports = rule.ports { members.append(("FromPort", .number(ports.lowerBound))) }
        members.append(("IpProtocol", .string(rule.proto)))
        let cidrs: [SampleJSON] = rule.cidr.map { [.object([("CidrIp", .string($0)), ("Description", .string(rule.description))])] } ?? []
        members += [("IpRanges", .array(cidrs)), ("Ipv6Ranges", .array([])), ("PrefixListIds", .array([]))]
        if let ports = rule.ports { members.append(("ToPort", .number(ports.upperBound))) }
        let pairs: [SampleJSON] = rule.peerGroup.map { peer in
            [.object([("Description", .string(rule.description)), ("GroupId", .string(network.securityGroups[peer].id)),
                      ("UserId", .string(network.accountID))])]
        } ?? []
        members.append(("UserIdGroupPairs", .array(pairs)))
        return .object(members)
    }

    /// `[{"GroupName": ..., "GroupId": ...}]`.
    private func groupList(_ groups: [Int]) -> SampleJSON {
        .array(groups.map { .object([("GroupName", .string(network.securityGroups[$0].name)), ("GroupId", .string(network.securityGroups[$0].id))]) })
    }
}
