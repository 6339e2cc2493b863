import AsyncHTTPClient
import FlowIngest
import FlowModel
import FlowS3
import Foundation

/// Reads flow logs straight from S3: lists `s3://bucket/prefix/` (only the delivery days
/// asked for), hands each object to the ingest as a stream, and remembers per prefix how far
/// it has listed, so a cron run lists and reads only what is new.
///
/// Objects become ingest inputs named `s3://bucket/key` with their size and a hash of their
/// ETag: an object already stored is recognised from its listing without a download, a local
/// copy of it is the same content (exactly once across sources), and an object changed under
/// the same key is reported rather than counted twice.
public final class S3Ingest {
    private let http: HTTPClient
    private let client: S3Client

    /// Days listed again on an incremental run before the day listed through: deliveries for a
    /// day keep arriving for a while after it ends.
    public static let relistDays: Int32 = 1

    /// Connects as the AWS CLI would: credentials and region from `environment` and the files
    /// under `homeDirectory`, and `endpoint` (else `AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL`)
    /// for S3-compatible stores.
    public init(environment: [String: String], homeDirectory: String, endpoint: String? = nil) throws {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let settings = try S3ClientConfiguration.resolve(environment: environment, homeDirectory: homeDirectory, explicitEndpoint: endpoint)
            let credentials = CredentialChain(environment: environment, homeDirectory: homeDirectory, httpClient: http)
            client = S3Client(httpClient: http, credentials: credentials, configuration: settings)
        } catch {
            try? http.syncShutdown()
            throw error
        }
        self.http = http
    }

    deinit {
        try? http.syncShutdown()
    }

    /// The ingest inputs of `location` delivered within `window` (every object without one).
    public func inputs(_ location: S3Location, window: DeliveryWindow?) throws -> [IngestInput] {
        let client = self.client
        let walk = S3PrefixWalk(
            listLevel: { prefix in try Self.wait { try await client.listLevel(bucket: location.bucket, prefix: prefix) } },
            listAll: { prefix in try Self.wait { try await client.listObjects(bucket: location.bucket, prefix: prefix) } })
        return try walk.objects(under: location.prefix, window: window)
            .filter { !$0.key.hasSuffix("/") }
            .map { object in
                IngestInput(path: "s3://\(location.bucket)/\(object.key)", remote: IngestInput.Remote(
                    size: object.size, version: Self.version(of: object.etag),
                    open: { client.openObject(bucket: location.bucket, object: object) }))
            }
    }

    /// Lists and ingests `locations` with `ingestor`, beside `localInputs`, in one run.
    ///
    /// Without `window`, each prefix is listed from the day before the newest delivery day its
    /// previous run found (everything, the first time), and the newest day found now is kept
    /// for the next run. Objects put later into older day folders (a backfill) are read by a run
    /// with `--from`/`--to`. A prefix that cannot be listed is reported as rejected, and the
    /// rest goes on.
    public func ingest(_ locations: [S3Location], window: DeliveryWindow?, localInputs: [IngestInput], with ingestor: Ingestor,
                       problems: [(path: String, reason: String)] = [], now: Date = Date(),
                       progress: ((IngestProgress) -> Void)? = nil) throws -> IngestSummary {
        let today = PartitionDay(unixSeconds: Int64(now.timeIntervalSince1970))
        var inputs = localInputs
        var problems = problems
        var marks: [(key: String, day: PartitionDay)] = []
        for location in locations {
            let key = Self.stateKey(location)
            var effective = window
            if effective == nil, let through = try ingestor.sourceState(key).flatMap(PartitionDay.init) {
                effective = DeliveryWindow(from: PartitionDay(dayNumber: through.dayNumber - Self.relistDays), to: max(today, through))
            }
            do {
                let found = try self.inputs(location, window: effective)
                inputs += found
                // The newest delivery day listed: the next incremental run starts just before it.
                if let newest = found.compactMap({ S3Key.deliveryTime(of: $0.path) }).max() {
                    marks.append((key, PartitionDay(unixSeconds: newest)))
                }
            } catch {
                problems.append((location.description, "cannot list: \(error.localizedDescription)"))
            }
        }
        let summary = try ingestor.ingest(inputs: inputs, problems: problems, progress: progress)
        // Only an incremental run moves the mark: a --from/--to run over old days must not
        // make the next cron run skip the days in between.
        if window == nil {
            for mark in marks { try ingestor.setSourceState(mark.key, mark.day.isoText) }
        }
        return summary
    }

    /// The catalog key under which a prefix's listing mark is kept.
    static func stateKey(_ location: S3Location) -> String { "s3-listed-through \(location)" }

    /// A 64-bit stamp of an ETag (FNV-1a), which changes when the object does.
    static func version(of etag: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in etag.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// Runs `body` to completion from synchronous code (never call from the concurrency pool).
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// The result of an awaited task, read after its semaphore.
///
/// `@unchecked Sendable`: written once by the task before it signals, read only after the wait.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

@available(*, unavailable)
extension S3Ingest: Sendable {}

/// Every S3 failure may pass without the object changing (a network error, throttling, access
/// since granted): a later run reads the object again.
extension S3Error: TransientFailure {
    public var isTransient: Bool { true }
}

/// An object's body is read by the ingest like any other source of bytes.
extension S3ObjectStream: ByteSource {}
