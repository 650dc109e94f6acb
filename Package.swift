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
        .library(name: "MESSheets", targets: ["MESSheets"]),
    ],
    targets: [
        // System libraries shipped with the OS (Debian: libsqlite3-dev, libssl-dev, libcurl4-openssl-dev,
        // zlib1g-dev, libxml2-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libcurl: its header only; the library is loaded with dlopen when a message is sent
        // (Sources/CCurl/shim.h), so that no command pays for loading it at start-up.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // libxml2: pkg-config finds its headers (and names the library, which the release drops
        // from its start-up list: scripts/release); it is loaded with dlopen when a spreadsheet
        // is first read (Sources/CXML2/shim.h).
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        // Domain rules, state machine and policies: no I/O.
        .target(name: "MESCore"),
        // The operating system: bounded file reading, atomic file output, running a program.
        .target(name: "MESSystem", dependencies: ["MESCore"]),
        // Keyed hashes, randomness, password hashing (libcrypto).
        .target(name: "MESCrypto", dependencies: ["CCrypto", "MESCore"]),
        // The SQLite store and the outbox.
        .target(name: "MESStore", dependencies: ["CSQLite", "MESCore", "MESCrypto", "MESSystem"]),
        // Text, JSON, PDF and e-mail renderers.
        .target(name: "MESRender", dependencies: ["MESCore", "CZlib"]),
        // Use cases: one method per journey step, each in one transaction, returning values.
        .target(name: "MESService", dependencies: ["MESCore", "MESCrypto", "MESStore", "MESRender", "MESDelivery", "MESSystem", "MESSheets"]),
        // Argument parsing, the command table, output and error funnel.
        .target(name: "MESCLI", dependencies: ["MESCore", "MESRender", "MESService", "MESSystem"]),
        .executableTarget(name: "mes", dependencies: ["MESCLI"]),
        // Hands rendered messages to real transports (SMTP, sendmail, HTTP SMS gateway) through libcurl.
        .target(name: "MESDelivery", dependencies: ["CCurl", "MESCore", "MESSystem"]),
        // Reads .xlsx and .ods workbooks and writes reports as either, bytes in and bytes out
        // (zlib and libxml2; the ZIP container is parsed here, with a bounds check on every offset).
        .target(name: "MESSheets", dependencies: ["MESCore", "MESSystem", "CZlib", "CXML2"]),

        .target(name: "TestSupport", dependencies: ["MESCore", "CZlib"], path: "Tests/TestSupport"),
        .testTarget(name: "MESCoreTests", dependencies: ["MESCore"]),
        .testTarget(name: "MESCryptoTests", dependencies: ["TestSupport", "MESCrypto", "MESCore"]),
        .testTarget(name: "MESStoreTests", dependencies: ["TestSupport", "MESStore", "MESCrypto", "MESCore", "MESSystem"]),
        .testTarget(name: "MESRenderTests", dependencies: ["TestSupport", "MESRender", "MESCore"]),
        .testTarget(name: "MESServiceTests", dependencies: ["TestSupport", "MESService", "MESStore", "MESCore", "MESRender", "MESCrypto", "MESSystem", "MESDelivery"]),
        .testTarget(name: "MESCLITests", dependencies: ["TestSupport", "MESCLI", "MESCore", "MESRender", "MESStore", "MESSystem", "MESSheets"]),
        .testTarget(name: "MESDeliveryTests", dependencies: ["TestSupport", "MESDelivery", "MESRender", "MESCore"], exclude: ["Resources"]),
        .testTarget(name: "MESSheetsTests", dependencies: ["TestSupport", "MESSheets"], exclude: ["make_hostile.py", "check_written.py"]),
        // Reads Sources/ and checks each module's imports against the layers' allow-list.
        .testTarget(name: "ArchitectureTests"),
    ],
    swiftLanguageModes: [.v6]
)
