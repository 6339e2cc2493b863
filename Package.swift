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
        .library(name: "FlowIngest", targets: ["FlowIngest"]),
        .library(name: "FlowQuery", targets: ["FlowQuery"]),
        .library(name: "FlowParquet", targets: ["FlowParquet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
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
        /// Reads Parquet files (AWS's `*.log.parquet` delivery) column by column; knows nothing of flow logs.
        .target(name: "FlowParquet", dependencies: ["CZlib"], swiftSettings: hotPath),
        .target(
            name: "FlowIngest",
            dependencies: ["CSQLite", "CZlib", "FlowParquet"],
            swiftSettings: hotPath
        ),
        .target(
            name: "FlowQuery",
            dependencies: ["FlowIngest", .product(name: "Yams", package: "Yams")],
            swiftSettings: hotPath
        ),
        .executableTarget(
            name: "flowq",
            dependencies: [
                "FlowIngest",
                "FlowQuery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FlowParquetTests", dependencies: ["FlowParquet"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowIngestTests", dependencies: ["FlowIngest"]),
        .testTarget(name: "FlowQueryTests", dependencies: ["FlowQuery", "FlowIngest"]),
        .testTarget(name: "flowqTests", dependencies: ["FlowIngest"]),
    ],
    swiftLanguageModes: [.v6]
)
