// swift-tools-version:6.0
import PackageDescription

/// Release builds of the hot paths (ingest's parser and segment builder, the query engine's
/// loops) skip Swift's run-time exclusivity checks: `perf` found them at 17% of ingest CPU
/// (`swift_beginAccess` on class properties touched once per field). Debug builds, which the
/// tests run, keep every check.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "flowq",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flowq", targets: ["flowq"]),
        .library(name: "FlowModel", targets: ["FlowModel"]),
        .library(name: "FlowSQLite", targets: ["FlowSQLite"]),
        .library(name: "FlowStore", targets: ["FlowStore"]),
        .library(name: "FlowInventory", targets: ["FlowInventory"]),
        .library(name: "FlowIngest", targets: ["FlowIngest"]),
        .library(name: "FlowQuery", targets: ["FlowQuery"]),
        .library(name: "FlowEmit", targets: ["FlowEmit"]),
        .library(name: "FlowReports", targets: ["FlowReports"]),
        .library(name: "FlowSamples", targets: ["FlowSamples"]),
        .library(name: "FlowDetect", targets: ["FlowDetect"]),
        .library(name: "FlowParquet", targets: ["FlowParquet"]),
        .library(name: "FlowS3", targets: ["FlowS3"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // S3: HMAC-SHA256 for SigV4, and an HTTP client with streaming bodies and TLS.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already under async-http-client; named so FlowS3 may import NIOCore (ByteBuffer).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        /// The vocabulary every stage shares: UTC days, flow-log fields and layouts, tables,
        /// addresses and CIDR blocks, S3 keys, text made safe to show, the batch queue; no C.
        .target(name: "FlowModel"),
        /// SQLite: connections, statements, values, errors, function registration; the only
        /// importer of CSQLite.
        .target(name: "FlowSQLite", dependencies: ["CSQLite", "FlowModel"]),
        /// The store: its folder and locks, the catalog, day partitions (their writer and
        /// reader), the columnar segment format and its encodings, retention, and check.
        /// Reads the JSON the AWS CLI prints for `ec2 describe-*` and AWS's `ip-ranges.json` into
        /// typed rows, and looks addresses up in the AWS ranges; knows nothing of flow logs or SQLite.
        .target(name: "FlowInventory", dependencies: ["FlowModel"]),
        .target(name: "FlowStore", dependencies: ["FlowModel", "FlowSQLite", "FlowInventory"], swiftSettings: hotPath),
        /// Reads Parquet files (AWS's `*.log.parquet` delivery) column by column; knows nothing of flow logs.
        .target(name: "FlowParquet", dependencies: ["CZlib"], swiftSettings: hotPath),
        /// Ingest: gzip, CloudWatch and Parquet inputs as bytes, lines and records, the record
        /// parser, segments built from parsed records, and the run (readers, lanes, the catalog's
        /// side) that writes them to the store.
        .target(
            name: "FlowIngest",
            dependencies: ["FlowModel", "FlowSQLite", "FlowStore", "FlowParquet", "CZlib"],
            swiftSettings: hotPath
        ),
        /// S3 for ingest: credentials as the AWS CLI finds them, SigV4, ListObjectsV2, and object
        /// bodies as blocking streams with retries and resume; knows nothing of flow logs.
        .target(
            name: "FlowS3",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// Ingest straight from S3: date-pruned listing, objects as ingest inputs, per-prefix marks.
        .target(
            name: "FlowS3Ingest",
            dependencies: ["FlowModel", "FlowIngest", "FlowS3", .product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        /// The query language: lexer, parser, AST, binder, planner, the vectorized engine,
        /// executor and output; reads the store, knows nothing of ingest, reports or other engines.
        .target(
            name: "FlowQuery",
            dependencies: ["FlowModel", "FlowSQLite", "FlowStore", "FlowInventory"],
            swiftSettings: hotPath
        ),
        /// A flowq query written for Athena or Spark SQL, the tables' DDL, and running Spark.
        .target(name: "FlowEmit", dependencies: ["FlowModel", "FlowSQLite", "FlowStore", "FlowInventory", "FlowQuery"]),
        /// Reports: definitions (built in, or YAML files), windows and parameters, running their
        /// queries (or computing them from aggregate queries and the inventory), rendering text,
        /// Markdown, HTML with SVG charts or JSON, and writing the file; with FlowDetect (which reads
        /// rule files through its YAML reader), the only importer of Yams.
        .target(
            name: "FlowReports",
            dependencies: ["FlowModel", "FlowSQLite", "FlowStore", "FlowInventory", "FlowQuery", .product(name: "Yams", package: "Yams")]
        ),
        /// Detections: rules (built in, or YAML files read with the reports' reader), typed
        /// thresholds, baselines, findings, their rendering and the state of what was reported.
        .target(
            name: "FlowDetect",
            dependencies: ["FlowModel", "FlowSQLite", "FlowStore", "FlowInventory", "FlowQuery", "FlowReports", .product(name: "Yams", package: "Yams")]
        ),
        /// The sample corpus generator (`flowq sample`, `flowq demo`, the tests' fixtures): a
        /// made-up world of VPCs and Transit Gateways written as gzipped flow-log files, and with
        /// `--inventory` that world's `aws ec2 describe-*` output and ground truth.
        .target(name: "FlowSamples", dependencies: ["FlowModel", "FlowIngest", "CZlib"]),
        .executableTarget(
            name: "flowq",
            dependencies: [
                "FlowModel",
                "FlowSQLite",
                "FlowStore",
                "FlowInventory",
                "FlowIngest",
                "FlowS3Ingest",
                "FlowQuery",
                "FlowEmit",
                "FlowReports",
                "FlowDetect",
                "FlowSamples",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FlowParquetTests", dependencies: ["FlowParquet"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowInventoryTests", dependencies: ["FlowInventory"], exclude: ["Fixtures"]),
        /// The sample generator: the world without `--inventory` unchanged, and with it an
        /// inventory FlowInventory reads and ground truth the records agree with.
        .testTarget(name: "FlowSamplesTests", dependencies: ["FlowSamples", "FlowInventory", "FlowModel"]),
        /// Loopback servers for the S3 tests (moto, the fault proxy, the IMDS stub); tests only.
        .target(name: "FlowS3TestSupport", path: "Tests/FlowS3TestSupport"),
        .testTarget(
            name: "FlowS3Tests",
            dependencies: [
                "FlowS3",
                "FlowS3TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        /// The model, the store and ingest (one suite each would be a later split).
        .testTarget(name: "FlowIngestTests", dependencies: ["FlowModel", "FlowSQLite", "FlowStore", "FlowIngest", "FlowSamples"]),
        .testTarget(name: "FlowS3IngestTests", dependencies: [
            "FlowS3Ingest", "FlowModel", "FlowS3", "FlowS3TestSupport",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
        ]),
        /// The query engine, the emitters and the reports, over stores the tests ingest.
        .testTarget(
            name: "FlowQueryTests",
            dependencies: ["FlowModel", "FlowStore", "FlowIngest", "FlowSamples", "FlowInventory", "FlowQuery", "FlowEmit", "FlowReports"]
        ),
        /// Detections against hand-written flow files and the sample corpus with injected attacks.
        .testTarget(name: "FlowDetectTests", dependencies: ["FlowModel", "FlowStore", "FlowIngest", "FlowSamples", "FlowQuery", "FlowReports", "FlowDetect"]),
        .testTarget(name: "flowqTests", dependencies: ["FlowModel", "FlowSQLite", "FlowStore", "FlowIngest", "FlowSamples", "FlowInventory"]),
    ],
    swiftLanguageModes: [.v6]
)
