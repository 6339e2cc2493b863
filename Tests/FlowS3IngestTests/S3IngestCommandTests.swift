import AsyncHTTPClient
import NIOCore
import NIOFoundationCompat
import FlowS3
import FlowS3TestSupport
import Foundation
import Testing

/// Runs the built `flowq` binary and captures what it prints.
private func flowq(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var executable = folder.appendingPathComponent("flowq")
    for _ in 0..<4 where !FileManager.default.isExecutableFile(atPath: executable.path) {
        folder = folder.deletingLastPathComponent()
        executable = folder.appendingPathComponent("flowq")
    }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for name in ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"] {
        env[name] = nil
    }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-s3-out-\(UUID().uuidString)")
    let err = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-s3-err-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
}

/// Credentials moto accepts (it checks no signature), an isolated home, no instance metadata.
private func s3Environment(home: URL) -> [String: String] {
    ["AWS_ACCESS_KEY_ID": "AKIDFLOWQTEST", "AWS_SECRET_ACCESS_KEY": "flowq-test-secret-do-not-print",
     "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "HOME": home.path]
}

/// Every file under `folder`, as (key relative to it, bytes).
private func files(under folder: URL) throws -> [(key: String, data: Data)] {
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
    var found: [(String, Data)] = []
    while let url = enumerator?.nextObject() as? URL {
        guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
        let key = String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1))
        found.append((key, try Data(contentsOf: url)))
    }
    return found.sorted { $0.0 < $1.0 }
}

/// Puts `objects` into a new bucket on the S3 server at `endpoint`.
private func upload(_ objects: [(key: String, data: Data)], bucket: String, endpoint: String) async throws {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let client = S3Client(httpClient: http, credentials: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDFLOWQTEST", secretAccessKey: "x")),
                          configuration: S3ClientConfiguration(region: "us-east-1", endpoint: try S3Endpoint(url: endpoint)))
    do {
        try await client.createBucket(bucket)
        for object in objects { try await client.putObject(bucket: bucket, key: object.key, data: object.data) }
        try await http.shutdown()
    } catch {
        try? await http.shutdown()
        throw error
    }
}

/// What a store holds, as a query prints it: per-day counts, sums and a distinct count.
private func answer(_ store: URL, _ sql: String = "SELECT date, count(*), sum(bytes), count(DISTINCT srcaddr) FROM flows GROUP BY date ORDER BY date") throws -> String {
    try flowq(["query", "--store", store.path, "--format", "csv", sql]).stdout
}

@Suite("flowq ingest s3://", .serialized, .enabled(if: TestPython.motoAvailable, "moto is not installed (see .ci/run)"))
struct S3IngestCommandTests {
    let folder: URL
    let logs: URL
    let moto: HelperServer

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowq-s3-ingest-\(UUID().uuidString)")
        logs = folder.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        moto = try SharedMoto.get()
        let sample = try flowq(["sample", "--records", "6000", "--days", "3", "--files-per-day", "2", "--start", "2024-01-01", "--out", logs.path])
        #expect(sample.status == 0, "\(sample.stderr)")
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }

    @Test("a bucket ingests as its local copy does; a re-run, a local copy and a changed object are each handled once")
    func bucketLikeLocal() async throws {
        defer { cleanUp() }
        let bucket = "flows-\(UUID().uuidString.prefix(8).lowercased())"
        let objects = try files(under: logs)
        #expect(objects.count == 6)
        try await upload(objects, bucket: bucket, endpoint: moto.url)
        let env = s3Environment(home: folder)
        let fromS3 = folder.appendingPathComponent("s3-store"), local = folder.appendingPathComponent("local-store")

        let first = try flowq(["ingest", "--store", fromS3.path, "--endpoint-url", moto.url, "s3://\(bucket)/AWSLogs/"], environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("6 stored"))
        _ = try flowq(["ingest", "--store", local.path, logs.path])
        #expect(try answer(fromS3) == answer(local))
        let days = try answer(fromS3)
        #expect(days.split(whereSeparator: \.isNewline).count >= 4, "\(days)")

        // Through a proxy that counts object downloads: a re-run downloads nothing.
        let proxy = try HelperServer(script: PackagePaths.script("s3-fault-proxy.py"), arguments: ["--upstream", "127.0.0.1:\(moto.port)"])
        defer { proxy.stop() }
        let again = try flowq(["ingest", "--store", fromS3.path, "--endpoint-url", proxy.url, "s3://\(bucket)/AWSLogs/", "--from", "2024-01-01"], environment: env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("0 stored, 6 already present"))
        let stats = try JSONSerialization.jsonObject(with: await Self.get(proxy.url + "/__proxy/stats")) as? [String: Any]
        // Listings went through the proxy, and not one object was downloaded.
        #expect((stats?["requests"] as? Int ?? 0) > 0)
        #expect((stats?["ranges"] as? [Any])?.count == 0)

        // The same content from a local copy is the same file.
        let copy = try flowq(["ingest", "--store", fromS3.path, logs.path], environment: env)
        #expect(copy.stderr.contains("0 stored"))
        #expect(try answer(fromS3) == answer(local))

        // An object rewritten under its key is reported, never counted twice.
        let changed = objects[0]
        try await Self.replace(bucket: bucket, key: changed.key, with: changed.data.prefix(changed.data.count / 2) + changed.data.prefix(200), endpoint: moto.url)
        let rerun = try flowq(["ingest", "--store", fromS3.path, "--endpoint-url", moto.url, "s3://\(bucket)/AWSLogs/", "--from", "2024-01-01"], environment: env)
        #expect(rerun.status == 3)
        #expect(rerun.stderr.contains("s3://\(bucket)/\(changed.key)"))
        #expect(try answer(fromS3) == answer(local))
    }

    /// The body of a plain GET.
    static func get(_ url: String) async throws -> Data {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            try await http.shutdown()
            return Data(buffer: body)
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static func replace(bucket: String, key: String, with data: Data, endpoint: String) async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = S3Client(httpClient: http, credentials: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDFLOWQTEST", secretAccessKey: "x")),
                              configuration: S3ClientConfiguration(region: "us-east-1", endpoint: try S3Endpoint(url: endpoint)))
        try await client.putObject(bucket: bucket, key: key, data: data)
        try await http.shutdown()
    }

    @Test("--from/--to read only the delivery days asked for; a cron run then reads what is new")
    func windows() async throws {
        defer { cleanUp() }
        let bucket = "flows-\(UUID().uuidString.prefix(8).lowercased())"
        let objects = try files(under: logs)
        try await upload(objects.filter { $0.key.contains("/2024/01/01/") || $0.key.contains("/2024/01/02/") }, bucket: bucket, endpoint: moto.url)
        let env = s3Environment(home: folder)
        let store = folder.appendingPathComponent("store")
        let oneDay = try flowq(["ingest", "--store", store.path, "--endpoint-url", moto.url, "--from", "2024-01-02", "--to", "2024-01-03", "s3://\(bucket)/"], environment: env)
        #expect(oneDay.status == 0, "\(oneDay.stderr)")
        #expect(oneDay.stderr.contains("ingested 2 file(s)"))

        // Cron: no window, nothing remembered yet: everything, then only what is new.
        let cron = try flowq(["ingest", "--store", store.path, "--endpoint-url", moto.url, "s3://\(bucket)/"], environment: env)
        #expect(cron.stderr.contains("2 stored, 2 already present"))
        let later = objects.filter { $0.key.contains("/2024/01/03/") }
        try await Self.put(later, bucket: bucket, endpoint: moto.url)
        let next = try flowq(["ingest", "--store", store.path, "--endpoint-url", moto.url, "s3://\(bucket)/"], environment: env)
        #expect(next.stderr.contains("2 stored"))
        let local = folder.appendingPathComponent("local")
        _ = try flowq(["ingest", "--store", local.path, logs.path])
        #expect(try answer(store) == answer(local))
    }

    static func put(_ objects: [(key: String, data: Data)], bucket: String, endpoint: String) async throws {
        for object in objects { try await replace(bucket: bucket, key: object.key, with: object.data, endpoint: endpoint) }
    }

    @Test("throttling and dropped connections are retried and resumed: the answer is exact", arguments: [
        ["--fault", "slowdown", "--times", "3"],
        ["--fault", "drop", "--times", "4", "--after", "3000"],
        ["--fault", "short", "--times", "2", "--after", "100"],
    ])
    func faults(arguments: [String]) async throws {
        defer { cleanUp() }
        let bucket = "flows-\(UUID().uuidString.prefix(8).lowercased())"
        try await upload(try files(under: logs), bucket: bucket, endpoint: moto.url)
        let proxy = try HelperServer(script: PackagePaths.script("s3-fault-proxy.py"), arguments: ["--upstream", "127.0.0.1:\(moto.port)"] + arguments)
        defer { proxy.stop() }
        let store = folder.appendingPathComponent("store"), local = folder.appendingPathComponent("local")
        let result = try flowq(["ingest", "--store", store.path, "--endpoint-url", proxy.url, "s3://\(bucket)/AWSLogs/"], environment: s3Environment(home: folder))
        #expect(result.status == 0, "\(result.stderr)")
        _ = try flowq(["ingest", "--store", local.path, logs.path])
        #expect(try answer(store) == answer(local))
    }

    @Test("a Parquet object is recognised by content and stores what the same file stores locally")
    func parquetObject() async throws {
        defer { cleanUp() }
        let fixture = PackagePaths.root.appendingPathComponent("Tests/FlowParquetTests/Fixtures/flows-gzip-v2-dict.parquet")
        let bucket = "flows-\(UUID().uuidString.prefix(8).lowercased())"
        let key = "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2023/month=11/day=14/delivery.bin"
        try await upload([(key, try Data(contentsOf: fixture))], bucket: bucket, endpoint: moto.url)
        let store = folder.appendingPathComponent("store"), local = folder.appendingPathComponent("local")
        let result = try flowq(["ingest", "--store", store.path, "--endpoint-url", moto.url, "s3://\(bucket)/AWSLogs/"], environment: s3Environment(home: folder))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1 stored"))
        _ = try flowq(["ingest", "--store", local.path, fixture.path])
        // The fixture holds bytes = INT64 max, so a sum would overflow (an error, as in Trino).
        let sql = "SELECT date, count(*), max(bytes), count(DISTINCT srcaddr), count(DISTINCT dstaddr) FROM flows GROUP BY date ORDER BY date"
        let days = try answer(store, sql)
        #expect(days.split(whereSeparator: \.isNewline).count >= 2, "\(days)")
        #expect(try days == answer(local, sql))
    }

    @Test("an object that cannot be read is named with the reason; the rest is stored")
    func unreadable() async throws {
        defer { cleanUp() }
        let bucket = "flows-\(UUID().uuidString.prefix(8).lowercased())"
        try await upload(try files(under: logs), bucket: bucket, endpoint: moto.url)
        let proxy = try HelperServer(script: PackagePaths.script("s3-fault-proxy.py"), arguments: ["--upstream", "127.0.0.1:\(moto.port)", "--fault", "slowdown", "--times", "-1"])
        defer { proxy.stop() }
        let store = folder.appendingPathComponent("store")
        let result = try flowq(["ingest", "--store", store.path, "--endpoint-url", proxy.url, "s3://\(bucket)/AWSLogs/"], environment: s3Environment(home: folder))
        #expect(result.status == 3)
        #expect(result.stderr.contains("rejected s3://\(bucket)/AWSLogs/"))
        #expect(result.stderr.contains("SlowDown"))
        #expect(!result.stderr.contains("flowq-test-secret"))
    }

    @Test("without credentials the prefix is rejected with where flowq looked, and no secret is printed")
    func noCredentials() throws {
        defer { cleanUp() }
        let env = ["AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "HOME": folder.path]
        let result = try flowq(["ingest", "--store", folder.appendingPathComponent("store").path, "--endpoint-url", moto.url, "s3://nobucket/AWSLogs/"], environment: env)
        #expect(result.status == 3)
        #expect(result.stderr.contains("rejected s3://nobucket/AWSLogs/"))
        #expect(result.stderr.contains("AWS_ACCESS_KEY_ID"))
    }
}
