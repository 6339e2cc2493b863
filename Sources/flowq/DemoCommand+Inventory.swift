import FlowIngest
import FlowInventory
import FlowStore
import Foundation

extension DemoCommand {
    /// The questions the demo asks once the samples' inventory is added.
    static let inventoryQuestions: [(title: String, sql: String)] = [
        ("Who talks to AWS services: owners from describe-network-interfaces, services from ip-ranges.json",
         "SELECT addr_owner(srcaddr) AS owner, aws_service(dstaddr) AS service, sum(bytes) AS bytes FROM flows WHERE aws_service(dstaddr) IS NOT NULL GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10"),
        ("Requests to S3 through NAT gateways (a gateway endpoint would carry them for free)",
         "SELECT addr_owner(srcaddr) AS nat_gateway, count(*) AS flows, sum(bytes) AS bytes FROM flows WHERE starts_with(addr_owner(srcaddr), 'nat-gateway') AND aws_service(dstaddr) = 'S3' GROUP BY 1 ORDER BY 3 DESC"),
        ("Bytes per instance and zone: the flows joined with the interfaces and their subnets",
         "SELECT coalesce(i.instance_id, i.interface_type) AS owner, s.availability_zone AS zone, sum(f.bytes) AS bytes, count(*) AS flows FROM vpc_flow_logs f JOIN network_interfaces i ON f.interface_id = i.interface_id JOIN subnets s ON i.subnet_id = s.subnet_id GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 5"),
    ]

    /// When the samples' inventory describes its world: the first day of the samples.
    static let inventoryAsOf: Int64 = 1_704_067_200

    /// Adds the `*.json` files of `folder` (the samples' `inventory/`) to `store`'s inventory,
    /// each once however often the demo runs; returns how many it read.
    static func addInventory(from folder: String, to store: FlowStore) throws -> Int {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty, let inventory = try InventoryStore.open(store, forWriting: true) else { return 0 }
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let document = try InventoryDocument.parse(bytes: bytes, name: path)
            var hash = XXHash64()
            bytes.withUnsafeBytes { hash.update($0) }
            _ = try inventory.add(document, source: path, contentKey: hash.contentKey, asOf: inventoryAsOf)
        }
        return names.count
    }
}
