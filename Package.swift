// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mes",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mes", targets: ["mes"]),
        .library(name: "MESCore", targets: ["MESCore"]),
    ],
    targets: [
        // System libraries shipped with the OS (Debian: libsqlite3-dev, libssl-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Domain rules, state machine and policies: no I/O.
        .target(name: "MESCore"),
        // Keyed hashes, randomness, password hashing (libcrypto).
        .target(name: "MESCrypto", dependencies: ["CCrypto", "MESCore"]),
        // The SQLite store, the outbox and atomic file output.
        .target(name: "MESStore", dependencies: ["CSQLite", "MESCore", "MESCrypto"]),
        // Text, JSON, PDF and e-mail renderers.
        .target(name: "MESRender", dependencies: ["MESCore"]),
        // Use cases: one method per journey step, each in one transaction, returning values.
        .target(name: "MESService", dependencies: ["MESCore", "MESCrypto", "MESStore", "MESRender", "MESDelivery"]),
        // Argument parsing, the command table, output and error funnel.
        .target(name: "MESCLI", dependencies: ["MESCore", "MESCrypto", "MESStore", "MESRender", "MESService"]),
        .executableTarget(name: "mes", dependencies: ["MESCLI"]),
        // Hands rendered messages to real transports (SMTP, sendmail, HTTP SMS gateway) through libcurl.
        .target(name: "MESDelivery", dependencies: ["CCurl", "MESCore"]),

        .target(name: "TestSupport", dependencies: ["MESCore"], path: "Tests/TestSupport"),
        .testTarget(name: "MESCoreTests", dependencies: ["MESCore"]),
        .testTarget(name: "MESCryptoTests", dependencies: ["TestSupport", "MESCrypto", "MESCore"]),
        .testTarget(name: "MESStoreTests", dependencies: ["TestSupport", "MESStore", "MESCrypto", "MESCore"]),
        .testTarget(name: "MESRenderTests", dependencies: ["TestSupport", "MESRender", "MESCore"]),
        .testTarget(name: "MESServiceTests", dependencies: ["TestSupport", "MESService", "MESStore", "MESCore", "MESRender", "MESCrypto"]),
        .testTarget(name: "MESCLITests", dependencies: ["TestSupport", "MESCLI", "MESCore", "MESRender", "MESStore"]),
        .testTarget(name: "MESDeliveryTests", dependencies: ["TestSupport", "MESDelivery", "MESRender", "MESCore"], exclude: ["Resources"]),
    ],
    swiftLanguageModes: [.v6]
)
