// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "OneSimModels",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "OneSimModels", targets: ["OneSimModels"]),
        .library(name: "OneSimModelsSimulator", targets: ["OneSimModelsSimulator"]),
        .executable(name: "onesim-models", targets: ["onesim-models"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        .target(
            name: "OneSimModelsCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "OneSimModelsProviders",
            dependencies: [
                "OneSimModelsCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "OneSimModelsRouting",
            dependencies: [
                "OneSimModelsCore",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "OneSimModelsUsage",
            dependencies: [
                "OneSimModelsCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [.process("Resources")]
        ),
        .target(
            name: "OneSimModelsParsers",
            dependencies: ["OneSimModelsCore"]
        ),
        .target(
            name: "OneSimModels",
            dependencies: [
                "OneSimModelsCore", "OneSimModelsProviders", "OneSimModelsRouting", "OneSimModelsUsage",
                "OneSimModelsParsers",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OneSimModelsDashboard"
        ),
        .target(
            name: "OneSimModelsSimulator",
            dependencies: [
                "OneSimModelsDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "OneSimModelsGateway",
            dependencies: [
                "OneSimModels",
                "OneSimModelsDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ]
        ),
        .executableTarget(
            name: "onesim-models",
            dependencies: [
                "OneSimModels",
                "OneSimModelsGateway",
                "OneSimModelsSimulator",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "OneSimModelsTests",
            dependencies: [
                "OneSimModels",
                "OneSimModelsGateway",
                "OneSimModelsSimulator",
                "OneSimModelsDashboard",
                "onesim-models",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// libFuzzer harnesses (Fuzz/run.sh): only with ONESIM_FUZZ set, since the harness has no
// `main` of its own (libFuzzer supplies it) and must be built with `-sanitize=fuzzer`.
if ProcessInfo.processInfo.environment["ONESIM_FUZZ"] != nil {
    package.products.append(.executable(name: "onesim-fuzz", targets: ["onesim-fuzz"]))
    package.targets.append(
        .executableTarget(
            name: "onesim-fuzz",
            dependencies: [
                "OneSimModels",
                "OneSimModelsGateway",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Fuzz/Sources/onesim-fuzz"))
}
