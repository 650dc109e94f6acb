import MESCore
import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libcurl's functions, loaded (dlopen) and initialised once, thread-safely (a Swift global's
/// initialiser runs exactly once), when the first handle is made; or why they could not be.
/// Written once by that initialiser, then only read: safe to share between threads.
nonisolated(unsafe) private let curlAPI: Result<UnsafeMutablePointer<mes_curl_api>, DeliveryError> = {
    let table = UnsafeMutablePointer<mes_curl_api>.allocate(capacity: 1)  // kept for the process's life
    guard mes_curl_load(table) == 0 else {
        let why = withUnsafeBytes(of: table.pointee.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return .failure(DeliveryError(.configuration, .transportFailed, "libcurl ne peut pas être chargé (paquet libcurl4) : \(why)"))
    }
    return .success(table)
}()

/// One libcurl easy handle and what a transfer reads and writes. Not thread-safe: the
/// transports hold it under their lock. Kept across messages so that libcurl reuses the
/// connection.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    /// libcurl's functions (`curlAPI`).
    let api: mes_curl
    /// The current transfer's bytes to upload and what came back.
    let exchange = CurlExchange()

    init() throws(DeliveryError) {
        let api: mes_curl
        switch curlAPI {
        case .success(let table): api = UnsafePointer(table)
        case .failure(let e): throw e
        }
        self.api = api
        guard let h = mes_curl_easy_init(api) else {
            throw DeliveryError(.configuration, .transportFailed, "libcurl ne peut pas être initialisé")
        }
        handle = h
        let ctx = Unmanaged.passUnretained(exchange).toOpaque()
        mes_curl_setopt_long(api, h, CURLOPT_NOSIGNAL, 1)
        mes_curl_setopt_callback(api, h, CURLOPT_READFUNCTION, curlRead)
        mes_curl_setopt_ptr(api, h, CURLOPT_READDATA, ctx)
        mes_curl_setopt_callback(api, h, CURLOPT_WRITEFUNCTION, curlWrite)
        mes_curl_setopt_ptr(api, h, CURLOPT_WRITEDATA, ctx)
        mes_curl_setopt_callback(api, h, CURLOPT_HEADERFUNCTION, curlHeader)
        mes_curl_setopt_ptr(api, h, CURLOPT_HEADERDATA, ctx)
        mes_curl_setopt_ptr(api, h, CURLOPT_ERRORBUFFER, exchange.errorBuffer)
    }

    deinit {
        mes_curl_easy_cleanup(api, handle)  // sends SMTP QUIT on an open connection
    }

    func set(_ option: CURLoption, _ value: Int) { mes_curl_setopt_long(api, handle, option, value) }

    /// libcurl (since 7.17) keeps its own copy of string options.
    @discardableResult
    func set(_ option: CURLoption, _ value: String) -> Bool {
        value.withCString { mes_curl_setopt_str(api, handle, option, $0) } == CURLE_OK
    }

    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) { mes_curl_setopt_slist(api, handle, option, list) }

    func set(_ option: CURLoption, size: Int) { mes_curl_setopt_off(api, handle, option, curl_off_t(size)) }

    /// A libcurl list of `items` (free it with `freeList`).
    func list(_ items: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items { list = mes_curl_slist_append(api, list, item) }
        return list
    }

    /// Frees a list made by `list` (nil: nothing; a list implies libcurl was loaded).
    static func freeList(_ list: UnsafeMutablePointer<curl_slist>?) {
        if let list, case .success(let table) = curlAPI { mes_curl_slist_free_all(table, list) }
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) { mes_curl_setopt_ptr(api, handle, option, pointer) }

    func info(_ i: CURLINFO) -> Int {
        var v = 0
        mes_curl_getinfo_long(api, handle, i, &v)
        return v
    }

    /// Runs one transfer with `upload` as the bytes to send; returns libcurl's result.
    func perform(upload: [UInt8]) -> CURLcode {
        exchange.reset(upload: upload)
        return mes_curl_easy_perform(api, handle)
    }

    /// libcurl's words for `code`, then its error buffer's more precise ones.
    func describe(_ code: CURLcode) -> String {
        let detail = exchange.errorText
        let generic = String(cString: mes_curl_easy_strerror(api, code))
        return detail.isEmpty ? generic : detail
    }
}

/// The buffers of one transfer, reached from libcurl's C callbacks through an opaque pointer.
final class CurlExchange {
    var upload: [UInt8] = []
    var offset = 0
    /// The response body (HTTP), at most `bodyLimit` bytes kept.
    var body: [UInt8] = []
    let bodyLimit = 65_536
    /// Server response lines: SMTP replies, HTTP status line and headers.
    var replies: [[UInt8]] = []
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() {
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit { errorBuffer.deallocate() }

    func reset(upload: [UInt8]) {
        self.upload = upload
        offset = 0
        body.removeAll(keepingCapacity: true)
        replies.removeAll(keepingCapacity: true)
        errorBuffer[0] = 0
    }

    var errorText: String { String(cString: errorBuffer) }

    /// The last response line with this 3-digit code (SMTP; a failed transfer is followed by
    /// QUIT's `221`), else the last line with any code. A multi-line reply gives its last line.
    func lastReply(code: Int) -> String? {
        var any: String?
        for line in replies.reversed() {
            let text = String(decoding: line, as: UTF8.self).trimmingTrailingNewlines()
            guard text.count >= 3, text.prefix(3).allSatisfy(\.isNumber) else { continue }
            if Int(text.prefix(3)) == code { return text }
            if any == nil { any = text }
        }
        return any
    }
}

private func context(_ p: UnsafeMutableRawPointer?) -> CurlExchange {
    Unmanaged<CurlExchange>.fromOpaque(p!).takeUnretainedValue()
}

private let curlRead: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { buffer, size, count, ctx in
    let x = context(ctx)
    let n = min(size * count, x.upload.count - x.offset)
    guard n > 0, let buffer else { return 0 }
    x.upload.withUnsafeBytes { src in
        UnsafeMutableRawPointer(buffer).copyMemory(from: src.baseAddress! + x.offset, byteCount: n)
    }
    x.offset += n
    return n
}

private let curlWrite: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, ctx in
    let x = context(ctx)
    let n = size * count
    if let data, x.body.count < x.bodyLimit {
        let keep = min(n, x.bodyLimit - x.body.count)
        x.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: keep))
    }
    return n
}

private let curlHeader: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, ctx in
    let x = context(ctx)
    let n = size * count
    if let data {
        if x.replies.count >= 64 { x.replies.removeFirst(32) }
        x.replies.append(Array(UnsafeRawBufferPointer(start: data, count: min(n, 1024))))
    }
    return n
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = self[...]
        while let last = s.last, last == "\r\n" || last == "\n" || last == "\r" || last == " " { s = s.dropLast() }
        return String(s)
    }
}
