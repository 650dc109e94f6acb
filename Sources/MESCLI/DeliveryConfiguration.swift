#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MESCore
import MESSystem

extension Context {
    /// The delivery configuration for the store: the environment's `MES_*` delivery keys and
    /// the store's `mes.conf` as it stands (read here; checked when a message is to be sent).
    func deliverySettings() -> DeliverySettings {
        DeliverySettings(environment: environment, file: Self.readConfigurationFile(storeDirectory + "/" + DeliverySettings.fileName))
    }

    /// A configuration file's first `DeliverySettings.fileLimit + 1` bytes, or why they could not
    /// be read; nil when there is no such file. Read by every command that opens the store (a
    /// few microseconds); only sending checks it.
    static func readConfigurationFile(_ path: String) -> DeliverySettings.File? {
        guard access(path, F_OK) == 0 else { return nil }
        // Never blocks: a named pipe or a device planted there is an unreadable file, not a hang.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return DeliverySettings.File(path: path, bytes: [], readError: FileIO.errnoText()) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO || (st.st_mode & S_IFMT) == S_IFCHR {
            return DeliverySettings.File(path: path, bytes: [], readError: "not a regular file")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= DeliverySettings.fileLimit {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                return DeliverySettings.File(path: path, bytes: [], readError: FileIO.errnoText())
            }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return DeliverySettings.File(path: path, bytes: bytes)
    }
}
