import Foundation

/// A fresh, empty directory under the system's temporary directory, named `LABEL-UUID`.
public func temporaryDirectory(_ label: String = "mes") -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// A private temporary directory for one test, with file helpers; removed by `remove()`.
public struct TempDir: Sendable {
    public let url: URL
    public init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("mes-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public var path: String { url.path }
    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }
    /// Writes `text` to `name` with permissions `mode`; its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let p = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: p)
        return p
    }
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A fresh path under the system's temporary directory, named `LABEL-UUID`, that does not
/// exist yet (for code that creates its own directory, or must find none).
public func temporaryPath(_ label: String = "mes") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
}
