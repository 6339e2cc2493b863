import FlowModel
import FlowS3
import Foundation
import Testing
@testable import FlowS3Ingest

/// An in-memory bucket that answers listings as S3 does (a delimiter folds keys into folders)
/// and counts them.
final class FakeBucket: @unchecked Sendable {
    let keys: [String]
    var levelListings: [String] = []
    var fullListings: [String] = []

    init(_ keys: [String]) { self.keys = keys.sorted() }

    func walk() -> S3PrefixWalk {
        S3PrefixWalk(
            listLevel: { prefix in
                self.levelListings.append(prefix)
                var objects: [S3ObjectInfo] = []
                var folders: [String] = []
                for key in self.keys where key.hasPrefix(prefix) {
                    let rest = key.dropFirst(prefix.count)
                    if let slash = rest.firstIndex(of: "/") {
                        let folder = prefix + rest[...slash]
                        if folders.last != folder { folders.append(folder) }
                    } else {
                        objects.append(S3ObjectInfo(key: key, size: 1, etag: "\"e\"", lastModified: nil))
                    }
                }
                return (objects, folders)
            },
            listAll: { prefix in
                self.fullListings.append(prefix)
                return self.keys.filter { $0.hasPrefix(prefix) }.map { S3ObjectInfo(key: $0, size: 1, etag: "\"e\"", lastModified: nil) }
            })
    }
}

@Suite("Listing an S3 prefix by delivery day")
struct S3PrefixWalkTests {
    static let keys = [
        "AWSLogs/111111111111/vpcflowlogs/eu-west-1/2023/12/31/a.log.gz",
        "AWSLogs/111111111111/vpcflowlogs/eu-west-1/2024/01/01/a.log.gz",
        "AWSLogs/111111111111/vpcflowlogs/eu-west-1/2024/01/02/a.log.gz",
        "AWSLogs/111111111111/vpcflowlogs/eu-west-1/2024/01/02/b.log.gz",
        "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/01/02/13/c.log.gz",
        "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/02/01/c.log.gz",
        "AWSLogs/aws-account-id=222222222222/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2024/month=01/day=02/hour=07/d.log.parquet",
        "AWSLogs/aws-account-id=222222222222/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2024/month=01/day=03/e.log.parquet",
        "AWSLogs/notes.txt",
    ]

    @Test("only the date folders of the days asked for are listed, in every layout")
    func pruned() throws {
        let bucket = FakeBucket(Self.keys)
        let window = DeliveryWindow(from: PartitionDay("2024-01-02")!, to: PartitionDay("2024-01-02")!)
        let found = try bucket.walk().objects(under: "AWSLogs/", window: window).map(\.key)
        #expect(found == [
            "AWSLogs/111111111111/vpcflowlogs/eu-west-1/2024/01/02/a.log.gz",
            "AWSLogs/111111111111/vpcflowlogs/eu-west-1/2024/01/02/b.log.gz",
            "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/01/02/13/c.log.gz",
            "AWSLogs/aws-account-id=222222222222/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2024/month=01/day=02/hour=07/d.log.parquet",
            "AWSLogs/notes.txt",
        ])
        // Days outside the window were never listed: not 2023, not February, not day 01 or 03.
        let listed = bucket.levelListings + bucket.fullListings
        #expect(!listed.contains { $0.contains("2023/") || $0.contains("/02/01") || $0.hasSuffix("/01/01/") || $0.contains("day=03") })
        #expect(bucket.fullListings.count == 3)
    }

    @Test("without a window everything is listed at once")
    func everything() throws {
        let bucket = FakeBucket(Self.keys)
        #expect(try bucket.walk().objects(under: "AWSLogs/", window: nil).count == Self.keys.count)
        #expect(bucket.levelListings.isEmpty)
        #expect(bucket.fullListings == ["AWSLogs/"])
    }

    @Test("a window across a month and a year boundary")
    func acrossBoundaries() throws {
        let bucket = FakeBucket(Self.keys)
        let window = DeliveryWindow(from: PartitionDay("2023-12-31")!, to: PartitionDay("2024-01-01")!)
        let found = try bucket.walk().objects(under: "AWSLogs/", window: window).map(\.key)
        #expect(found == [Self.keys[1], Self.keys[0], "AWSLogs/notes.txt"].sorted())
    }

    @Test("an ETag's stamp changes with the ETag")
    func version() {
        #expect(S3Ingest.version(of: "\"abc\"") == S3Ingest.version(of: "\"abc\""))
        #expect(S3Ingest.version(of: "\"abc\"") != S3Ingest.version(of: "\"abd\""))
    }
}
