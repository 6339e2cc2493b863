// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "flowq",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flowq", targets: ["flowq"]),
        .library(name: "FlowIngest", targets: ["FlowIngest"]),
        .library(name: "FlowQuery", targets: ["FlowQuery"]),
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
        .target(
            name: "FlowIngest",
            dependencies: ["CSQLite", "CZlib"]
        ),
        .target(
            name: "FlowQuery",
            dependencies: ["FlowIngest", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "flowq",
            dependencies: [
                "FlowIngest",
                "FlowQuery",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FlowIngestTests", dependencies: ["FlowIngest"]),
        .testTarget(name: "FlowQueryTests", dependencies: ["FlowQuery", "FlowIngest"]),
        .testTarget(name: "flowqTests", dependencies: ["FlowIngest"]),
    ],
    swiftLanguageModes: [.v6]
)
