import FlowInventory
import FlowModel
import Foundation
import Testing
@testable import FlowEmit
@testable import FlowQuery
@testable import FlowStore

/// JOIN and LEFT JOIN of the flow table with the inventory, checked against the same answer
/// computed directly from the records and the inventory the test wrote.
@Suite("Joins with the inventory")
struct JoinTests {
    /// The fixture's store copied with an inventory added: two snapshots of the interfaces
    /// (the newer one moves six interfaces to new instances and drops four), subnets, and
    /// addresses of several kinds.
    struct World: Sendable {
        let store: FlowStore
        let records: [TextRecord]
        /// Interface -> instance as the newest snapshot listing it says (nil: no instance).
        let instance: [String: String?]
        /// Interface -> subnet, and subnet -> availability zone.
        let subnet: [String: String]
        let zone: [String: String]
        /// Address -> kind ('private', 'public', 'ipv6') for `interface_addresses`.
        let addresses: [String: String]

        func query(_ sql: String) throws -> [[String?]] {
            let plan = try QueryEngine(store: store).plan(sql)
            let rows = try QueryExecutor(store: store).collect(plan)
            return rows.map { row in zip(row, plan.columns).map { ValueText.plain($0, type: $1.type) } }
        }
    }

    static let shared: Result<World, any Error> = Result { try makeWorld() }

    private static func makeWorld() throws -> World {
        let fixture = try Fixture.get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-join-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let storeURL = folder.appendingPathComponent("store")
        try FileManager.default.copyItem(at: fixture.store.url, to: storeURL)
        let store = FlowStore(url: storeURL)

        let interfaces = Array(Set(fixture.records.compactMap { $0.text("interface_id") })).sorted()
        // Addresses the flows hold as destinations, given to interfaces as several kinds.
        let seen = Array(Set(fixture.records.compactMap { $0.text("dstaddr") })).sorted()
        var addresses: [String: String] = [:]
        func interfaceJSON(_ index: Int, _ id: String, instance: String?) -> String {
            let v4 = seen.filter { !$0.contains(":") }
            let privateIP = v4[(index * 2) % v4.count]
            var privateEntry = #"{"Primary": true, "PrivateIpAddress": "\#(privateIP)""#
            addresses[privateIP] = "private"
            if index % 3 == 0 {
                let publicIP = v4[(index * 2 + 1) % v4.count]
                privateEntry += #", "Association": {"IpOwnerId": "amazon", "PublicIp": "\#(publicIP)"}"#
                addresses[publicIP] = "public"
            }
            privateEntry += "}"
            var ipv6 = ""
            let v6s = seen.filter { $0.contains(":") }
            if index % 4 == 1, !v6s.isEmpty {
                let v6 = v6s[(index / 4) % v6s.count]
                ipv6 = #", "Ipv6Addresses": [{"Ipv6Address": "\#(v6)", "IsPrimaryIpv6": false}]"#
                addresses[v6] = "ipv6"
            }
            let attachment = instance.map { #", "Attachment": {"InstanceId": "\#($0)", "DeviceIndex": 0, "Status": "attached"}"# } ?? ""
            return #"{"NetworkInterfaceId": "\#(id)", "SubnetId": "subnet-\#(index % 3)", "VpcId": "vpc-1", "InterfaceType": "interface", "PrivateIpAddress": "\#(privateIP)", "PrivateIpAddresses": [\#(privateEntry)]\#(ipv6)\#(attachment)}"#
        }
        // Snapshot A lists all but the last two interfaces; B, newer, the first six with new instances.
        let listedA = Array(interfaces.prefix(interfaces.count - 2))
        let listedB = Array(interfaces.prefix(6))
        var instance: [String: String?] = [:]
        var subnet: [String: String] = [:]
        var jsonA: [String] = []
        for (index, id) in listedA.enumerated() {
            let owner: String? = index % 5 == 4 ? nil : "i-old-\(index)"
            jsonA.append(interfaceJSON(index, id, instance: owner))
            instance[id] = owner
            subnet[id] = "subnet-\(index % 3)"
        }
        var jsonB: [String] = []
        for (index, id) in listedB.enumerated() {
            jsonB.append(interfaceJSON(index, id, instance: "i-new-\(index)"))
            instance[id] = "i-new-\(index)"
        }
        let subnets = #"{"Subnets": [\#((0..<3).map { #"{"SubnetId": "subnet-\#($0)", "VpcId": "vpc-1", "CidrBlock": "10.\#($0).0.0/16", "AvailabilityZone": "us-east-1\#(["a", "b", "c"][$0])", "AvailabilityZoneId": "use1-az\#($0 + 1)"}"# }.joined(separator: ", "))]}"#
        let zone = ["subnet-0": "us-east-1a", "subnet-1": "us-east-1b", "subnet-2": "us-east-1c"]

        let inventory = try #require(try InventoryStore.open(store, forWriting: true))
        for (name, text, asOf) in [("a.json", #"{"NetworkInterfaces": [\#(jsonA.joined(separator: ", "))]}"#, Int64(1_704_067_200)),
                                   ("b.json", #"{"NetworkInterfaces": [\#(jsonB.joined(separator: ", "))]}"#, 1_704_240_000),
                                   ("subnets.json", subnets, 1_704_067_200)] {
            let document = try InventoryDocument.parse(bytes: Array(text.utf8), name: name)
            _ = try inventory.add(document, source: name, contentKey: name, asOf: asOf)
        }
        // The newer snapshot's interfaces keep their subnets (same index).
        return World(store: store, records: fixture.records, instance: instance, subnet: subnet, zone: zone, addresses: addresses)
    }

    static func world() throws -> World { try shared.get() }

    @Test("JOIN on interface_id: bytes per instance, each interface as its newest snapshot says, one row per interface however many addresses")
    func perInstance() throws {
        let world = try Self.world()
        let rows = try world.query("""
            SELECT i.instance_id, sum(f.bytes) AS bytes, count(*) AS flows
            FROM vpc_flow_logs f JOIN network_interfaces i ON f.interface_id = i.interface_id
            GROUP BY 1 ORDER BY 1 NULLS FIRST
            """)
        var expected: [String?: (bytes: Int64, flows: Int64)] = [:]
        for record in world.records {
            guard let interface = record.text("interface_id"), let owner = world.instance[interface] else { continue }
            expected[owner, default: (0, 0)].bytes += record.int("bytes") ?? 0
            expected[owner, default: (0, 0)].flows += 1
        }
        #expect(rows.count == expected.count)
        for row in rows {
            let want = try #require(expected[row[0]], "\(row)")
            #expect(row[1] == (want.flows == 0 ? nil : String(want.bytes)) || row[1] == String(want.bytes), "\(row)")
            #expect(row[2] == String(want.flows), "\(row)")
        }
        #expect(rows.contains { $0[0] == "i-new-0" } && !rows.contains { $0[0] == "i-old-0" })
        // A key that is an expression is probed row by row, not by the segment's stored codes:
        // the same answer.
        let computedKey = try world.query("""
            SELECT i.instance_id, sum(f.bytes) AS bytes, count(*) AS flows
            FROM vpc_flow_logs f JOIN network_interfaces i ON lower(f.interface_id) = i.interface_id
            GROUP BY 1 ORDER BY 1 NULLS FIRST
            """)
        #expect(computedKey == rows)
        #expect(rows.contains { $0[0] == "i-old-7" })
    }

    @Test("LEFT JOIN keeps every flow; the inventory's columns are NULL where nothing matches")
    func leftJoin() throws {
        let world = try Self.world()
        let rows = try world.query("""
            SELECT count(*), count(i.interface_id), count(i.instance_id)
            FROM vpc_flow_logs f LEFT JOIN network_interfaces i ON f.interface_id = i.interface_id
            """)
        let matched = world.records.filter { $0.text("interface_id").map { world.instance[$0] != nil } ?? false }
        let withInstance = matched.filter { world.instance[$0.text("interface_id")!]! != nil }
        #expect(rows == [[String(world.records.count), String(matched.count), String(withInstance.count)]])

        // An ON condition on the flow side decides matches, not which flows are kept.
        let accepted = try world.query("""
            SELECT count(*), count(i.interface_id) FROM vpc_flow_logs f
            LEFT JOIN network_interfaces i ON f.interface_id = i.interface_id AND f.action = 'ACCEPT'
            """)
        let matchedAccepted = matched.filter { $0.text("action") == "ACCEPT" }
        #expect(accepted == [[String(world.records.count), String(matchedAccepted.count)]])

        // The same condition in WHERE drops the other flows.
        let filtered = try world.query("""
            SELECT count(*) FROM vpc_flow_logs f LEFT JOIN network_interfaces i ON f.interface_id = i.interface_id
            WHERE i.interface_id IS NULL
            """)
        #expect(filtered == [[String(world.records.count - matched.count)]])
    }

    @Test("Address joins: interface_addresses has one row per address, compared with flow addresses by value")
    func addressJoin() throws {
        let world = try Self.world()
        let rows = try world.query("""
            SELECT a.address_kind, count(*), sum(f.packets) FROM vpc_flow_logs f
            JOIN interface_addresses a ON f.dstaddr = a.address GROUP BY 1 ORDER BY 1
            """)
        // Only the newest snapshot listing an interface counts: B's six interfaces carry
        // the same addresses as in A, so each address is listed once.
        var expected: [String: (Int, Int64)] = [:]
        for record in world.records {
            guard let address = record.text("dstaddr"), let kind = world.addresses[address] else { continue }
            expected[kind, default: (0, 0)].0 += 1
            expected[kind, default: (0, 0)].1 += record.int("packets") ?? 0
        }
        #expect(rows == expected.keys.sorted().map { [$0, String(expected[$0]!.0), String(expected[$0]!.1)] })
        #expect(Set(rows.map { $0[0] }) == ["ipv6", "private", "public"])
    }

    @Test("Three tables: flows to interfaces to subnets, written in any order for inner joins, with conditions on each")
    func chained() throws {
        let world = try Self.world()
        var expected: [String: Int64] = [:]
        for record in world.records where record.text("action") == "REJECT" {
            guard let interface = record.text("interface_id"), let subnet = world.subnet[interface] else { continue }
            expected[world.zone[subnet]!, default: 0] += record.int("bytes") ?? 0
        }
        let want = expected.keys.sorted().map { [$0, String(expected[$0]!)] }
        let written = try world.query("""
            SELECT s.availability_zone, sum(f.bytes) FROM vpc_flow_logs f
            JOIN network_interfaces n ON f.interface_id = n.interface_id
            JOIN subnets s ON n.subnet_id = s.subnet_id
            WHERE f.action = 'REJECT' GROUP BY 1 ORDER BY 1
            """)
        #expect(written == want)
        let reordered = try world.query("""
            SELECT s.availability_zone, sum(bytes) FROM subnets s
            JOIN network_interfaces n ON n.subnet_id = s.subnet_id
            JOIN flows ON flows.interface_id = n.interface_id AND action = 'REJECT'
            GROUP BY 1 ORDER BY 1
            """)
        #expect(reordered == want)
        // A condition over two tables is checked on the joined rows.
        let crossed = try world.query("""
            SELECT count(*) FROM vpc_flow_logs f JOIN network_interfaces n ON f.interface_id = n.interface_id
            WHERE n.subnet_id <> 'subnet-0' AND f.dstport = 443
            """)
        let count = world.records.filter { record in
            guard let interface = record.text("interface_id"), let subnet = world.subnet[interface] else { return false }
            return subnet != "subnet-0" && record.text("dstport") == "443"
        }.count
        #expect(crossed == [[String(count)]])
    }

    @Test("SELECT * of a join lists every table's columns; t.* one table's")
    func star() throws {
        let world = try Self.world()
        let plan = try QueryEngine(store: world.store).plan("""
            SELECT * FROM vpc_flow_logs f JOIN subnets s ON f.interface_id = s.subnet_id
            """)
        let subnetColumns = try #require(InventoryTableSchema.named("subnets")).queryColumns.map(\.name)
        #expect(Array(plan.columns.map(\.name).suffix(subnetColumns.count)) == subnetColumns)
        #expect(plan.columns.map(\.name).contains("srcaddr"))
        let one = try QueryEngine(store: world.store).plan("SELECT s.* FROM vpc_flow_logs f JOIN subnets s ON f.subnet_id = s.subnet_id")
        #expect(one.columns.map(\.name) == subnetColumns)
    }

    @Test("Joins say what is wrong: ambiguous and unknown columns, a LEFT JOIN the wrong way round, no equality, an empty table")
    func errors() throws {
        let world = try Self.world()
        func message(_ sql: String) -> String {
            do {
                _ = try QueryEngine(store: world.store).plan(sql)
                return "planned"
            } catch let error as QueryError {
                return error.message + " " + (error.hint ?? "")
            } catch {
                return "\(error)"
            }
        }
        #expect(message("SELECT vpc_id FROM flows f JOIN network_interfaces n ON f.interface_id = n.interface_id")
            .contains("column 'vpc_id' is ambiguous"))
        #expect(message("SELECT n.nope FROM flows f JOIN network_interfaces n ON f.interface_id = n.interface_id")
            .contains("unknown column 'nope' of n (network_interfaces)"))
        #expect(message("SELECT count(*) FROM network_interfaces n LEFT JOIN flows f ON f.interface_id = n.interface_id")
            .contains("put the flow-log table first"))
        #expect(message("SELECT count(*) FROM flows f JOIN network_interfaces n ON f.bytes > 0")
            .contains("needs an equality"))
        #expect(message("SELECT count(*) FROM flows f JOIN instances i ON f.instance_id = i.instance_id")
            .contains("the inventory has no instances rows"))
        #expect(message("SELECT count(*) FROM flows f JOIN nowhere x ON f.a = x.a").contains("unknown table 'nowhere'"))
        #expect(message("SELECT count(*) FROM flows f RIGHT JOIN subnets s ON f.subnet_id = s.subnet_id").contains("RIGHT JOIN is not supported"))
    }

    @Test("inventory export writes each table as queries see it, one JSON object per line, with DDL to read it elsewhere")
    func export() throws {
        let world = try Self.world()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let inventory = try #require(try InventoryStore.open(world.store, forWriting: false))
        let written = try inventory.export(to: folder)
        #expect(written.map(\.table) == ["network_interfaces", "interface_addresses", "subnets"])
        let text = try String(contentsOf: folder.appendingPathComponent("network_interfaces/network_interfaces.json"), encoding: .utf8)
        let objects = try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        // One line per interface of the newest snapshot listing it, with the instance it names.
        #expect(objects.count == world.instance.count)
        for object in objects {
            let id = try #require(object["interface_id"] as? String)
            let expected: String?? = world.instance[id]
            #expect((object["instance_id"] as? String) == expected ?? nil, "\(id)")
            #expect(object["as_of"] as? String == "2024-01-03 00:00:00" || object["as_of"] as? String == "2024-01-01 00:00:00")
        }
        let ddl = InventoryDDL(engine: .athena, location: "s3://b/inventory").render()
        #expect(ddl.contains("CREATE EXTERNAL TABLE IF NOT EXISTS network_interfaces ("))
        #expect(ddl.contains("LOCATION 's3://b/inventory/network_interfaces/';"))
        #expect(ddl.contains("`as_of` timestamp"))
        let spark = InventoryDDL(engine: .spark, location: "s3://b/inventory/").render()
        #expect(spark.contains("path 's3a://b/inventory/subnets/'"))
    }

    @Test("the current rows kept at each add are the rows worked out from the snapshots")
    func currentTables() throws {
        let world = try Self.world()
        let inventory = try #require(try InventoryStore.open(world.store, forWriting: false))
        for table in InventoryTableSchema.all {
            let names = table.queryColumns.map(\.name)
            let kept = try inventory.currentRows(of: table, columns: names)
            let computed = try inventory.computeCurrentRows(of: table, columns: names)
            #expect(kept == computed, "\(table.name)")
        }
        #expect(try inventory.currentRows(of: try #require(InventoryTableSchema.named("network_interfaces"))).count == world.instance.count)
    }

    @Test("explain shows each join, its keys, the rows kept first and the checks after")
    func explain() throws {
        let world = try Self.world()
        let plan = try QueryEngine(store: world.store).plan("""
            SELECT n.instance_id, count(*) FROM vpc_flow_logs f
            LEFT JOIN network_interfaces n ON f.interface_id = n.interface_id AND n.subnet_id = 'subnet-1' AND f.dstport = 22
            WHERE f.action = 'REJECT' GROUP BY 1
            """)
        let text = plan.explanation
        #expect(text.contains("LEFT JOIN network_interfaces n"))
        #expect(text.contains("ON f.interface_id = n.interface_id"))
        #expect(text.contains("rows of network_interfaces n kept first: n.subnet_id = 'subnet-1'"))
        #expect(text.contains("checked on each match (no match left: NULLs): f.dstport = 22"))
        #expect(text.contains("f.action = 'REJECT'"))
        #expect(text.contains("filter -> hash join -> hash aggregate"))
    }
}
