import Testing
@testable import FlowInventory

@Suite("Address owners over time")
struct AddressOwnersTests {
    @Test("an address is its owner's in the newest snapshot at or before the flow; before every snapshot, the oldest")
    func timeAware() {
        let owners = AddressOwners([
            (asOf: 1_000, row: NetworkInterfaceRow(interfaceID: "eni-1", address: "10.0.1.5", instanceID: "i-aaa")),
            (asOf: 2_000, row: NetworkInterfaceRow(interfaceID: "eni-2", address: "10.0.1.5", instanceID: "i-bbb")),
            (asOf: 2_000, row: NetworkInterfaceRow(interfaceID: "eni-3", address: "10.0.1.6", instanceID: "i-ccc")),
        ])
        #expect(owners.owner(of: "10.0.1.5", at: 500) == "instance i-aaa")
        #expect(owners.owner(of: "10.0.1.5", at: 1_000) == "instance i-aaa")
        #expect(owners.owner(of: "10.0.1.5", at: 1_999) == "instance i-aaa")
        #expect(owners.owner(of: "10.0.1.5", at: 2_000) == "instance i-bbb")
        #expect(owners.owner(of: "10.0.1.5", at: 9_999) == "instance i-bbb")
        #expect(owners.owner(of: "10.0.1.5", at: nil) == "instance i-bbb")
        // Listed only by the later snapshot: that is the best evidence, also for earlier flows.
        #expect(owners.owner(of: "10.0.1.6", at: 1_500) == "instance i-ccc")
        #expect(owners.owner(of: "10.9.9.9", at: 1_500) == nil)
        #expect(owners.count == 2)
    }

    @Test("AWS-managed interfaces are named by what they are", arguments: [
        (NetworkInterfaceRow(interfaceID: "eni-n", interfaceType: "nat_gateway", interfaceDescription: "Interface for NAT Gateway nat-0123456789abcdef0"), "nat-gateway nat-0123456789abcdef0"),
        (NetworkInterfaceRow(interfaceID: "eni-v", interfaceType: "vpc_endpoint", interfaceDescription: "VPC Endpoint Interface vpce-0a1b2c3d4e5f67890"), "vpc-endpoint vpce-0a1b2c3d4e5f67890"),
        (NetworkInterfaceRow(interfaceID: "eni-e", interfaceType: "interface", interfaceDescription: "ELB app/web/50dc6c495c0c9188"), "elb app/web/50dc6c495c0c9188"),
        (NetworkInterfaceRow(interfaceID: "eni-l", interfaceType: "lambda", interfaceDescription: "AWS Lambda VPC ENI-worker-1a2b"), "lambda"),
        (NetworkInterfaceRow(interfaceID: "eni-i", interfaceType: "interface", instanceID: "i-0abc"), "instance i-0abc"),
        (NetworkInterfaceRow(interfaceID: "eni-x", interfaceType: "interface", interfaceDescription: "spare"), "interface eni-x"),
    ])
    func kinds(row: NetworkInterfaceRow, owner: String) {
        #expect(AddressOwners.owner(of: row) == owner)
    }
}
