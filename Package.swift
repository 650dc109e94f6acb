// swift-tools-version:6.0
import PackageDescription

// Linux only: the code calls Glibc unconditionally and Linux-only system calls (syncfs,
// renameat2, pipe2, posix_spawn_file_actions_addclosefrom_np) and reads /proc. No other
// platform is declared, built or tested.
let package = Package(
    name: "mes",
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
        // The operating system: bounded file reading, atomic file output, running a program.
        .target(name: "MESSystem", dependencies: ["MESCore"]),
        // Keyed hashes, randomness, password hashing (libcrypto).
        .target(name: "MESCrypto", dependencies: ["CCrypto", "MESCore"]),
        // The SQLite store and the outbox.
        .target(name: "MESStore", dependencies: ["CSQLite", "MESCore", "MESCrypto", "MESSystem"]),
        // Text, JSON, PDF and e-mail renderers.
        .target(name: "MESRender", dependencies: ["MESCore"]),
        // Use cases: one method per journey step, each in one transaction, returning values.
        .target(name: "MESService", dependencies: ["MESCore", "MESCrypto", "MESStore", "MESRender", "MESDelivery", "MESSystem"]),
        // Argument parsing, the command table, output and error funnel.
        .target(name: "MESCLI", dependencies: ["MESCore", "MESRender", "MESService", "MESSystem"]),
        .executableTarget(name: "mes", dependencies: ["MESCLI"]),
        // Hands rendered messages to real transports (SMTP, sendmail, HTTP SMS gateway) through libcurl.
        .target(name: "MESDelivery", dependencies: ["CCurl", "MESCore", "MESSystem"]),

        .target(name: "TestSupport", dependencies: ["MESCore"], path: "Tests/TestSupport"),
        .testTarget(name: "MESCoreTests", dependencies: ["MESCore"]),
        .testTarget(name: "MESCryptoTests", dependencies: ["TestSupport", "MESCrypto", "MESCore"]),
        .testTarget(name: "MESStoreTests", dependencies: ["TestSupport", "MESStore", "MESCrypto", "MESCore", "MESSystem"]),
        .testTarget(name: "MESRenderTests", dependencies: ["TestSupport", "MESRender", "MESCore"]),
        .testTarget(name: "MESServiceTests", dependencies: ["TestSupport", "MESService", "MESStore", "MESCore", "MESRender", "MESCrypto", "MESSystem", "MESDelivery"]),
        .testTarget(name: "MESCLITests", dependencies: ["TestSupport", "MESCLI", "MESCore", "MESRender", "MESStore", "MESSystem"]),
        .testTarget(name: "MESDeliveryTests", dependencies: ["TestSupport", "MESDelivery", "MESRender", "MESCore"], exclude: ["Resources"]),
        // Reads Sources/ and checks each module's imports against the layers' allow-list.
        .testTarget(name: "ArchitectureTests"),
    ],
    swiftLanguageModes: [.v6]
)
