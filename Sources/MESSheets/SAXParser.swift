import CXML2
#if canImport(Glibc)
import Glibc
#endif

/// libxml2's functions, loaded (dlopen) and initialised once, thread-safely (a Swift global's
/// initialiser runs exactly once), when the first part is parsed; or why they could not be.
/// Written once by that initialiser, then only read: safe to share between threads.
nonisolated(unsafe) private let libxml2: Result<UnsafePointer<mes_xml2_api>, SheetError> = {
    let table = UnsafeMutablePointer<mes_xml2_api>.allocate(capacity: 1)  // kept for the process's life
    guard mes_xml2_load(table) == 0 else {
        let why = withUnsafeBytes(of: table.pointee.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return .failure(SheetError(.unsupported, "libxml2 ne peut pas être chargé (paquet libxml2) : \(why)"))
    }
    return .success(UnsafePointer(table))
}()

/// What a part's reader does with the events of libxml2's SAX2 push parser. Names, attributes
/// and text are the parser's bytes, valid during the call only: no `String` is made unless
/// the reader makes one.
protocol SAXHandler: AnyObject {
    func start(_ element: SAXElement, _ parser: SAXParser) throws(SheetError)
    func end(_ element: SAXName, _ parser: SAXParser) throws(SheetError)
    func text(_ bytes: UnsafeBufferPointer<UInt8>, _ parser: SAXParser) throws(SheetError)
}

/// An element's local name and namespace URI, NUL-terminated, as libxml2 hands them over.
struct SAXName {
    let local: UnsafePointer<xmlChar>
    let uri: UnsafePointer<xmlChar>?

    /// Whether the local name is `name`.
    func `is`(_ name: StaticString) -> Bool { SAXName.equal(local, name) }

    /// Whether the element is `name` in the namespace `uri`.
    func `is`(_ name: StaticString, in namespace: StaticString) -> Bool {
        guard let uri, SAXName.equal(local, name) else { return false }
        return SAXName.equal(uri, namespace)
    }

    /// Whether the namespace is `namespace`.
    func isIn(_ namespace: StaticString) -> Bool {
        guard let uri else { return false }
        return SAXName.equal(uri, namespace)
    }

    /// Whether the NUL-terminated `p` is `s`.
    static func equal(_ p: UnsafePointer<xmlChar>, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        return memcmp(p, s.utf8Start, n) == 0 && p[n] == 0
    }
}

/// An element's start: its name and attributes (libxml2's five pointers per attribute:
/// local name, prefix, namespace URI, value start, value end).
struct SAXElement {
    let name: SAXName
    let count: Int
    let attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?

    func `is`(_ local: StaticString) -> Bool { name.is(local) }
    func `is`(_ local: StaticString, in namespace: StaticString) -> Bool { name.is(local, in: namespace) }

    /// The raw bytes of attribute `local` without a namespace (or in `namespace`). An `&`
    /// the value held is written `&#38;` (libxml2 leaves it for a tree builder to decode).
    func raw(_ local: StaticString, namespace: StaticString? = nil) -> UnsafeBufferPointer<UInt8>? {
        guard let a = attributes else { return nil }
        for i in 0..<count {
            guard let name = a[5 * i], SAXName.equal(name, local) else { continue }
            let uri = a[5 * i + 2]
            if let namespace {
                guard let uri, SAXName.equal(uri, namespace) else { continue }
            } else if uri != nil {
                continue
            }
            guard let start = a[5 * i + 3], let end = a[5 * i + 4] else { return nil }
            return UnsafeBufferPointer(start: start, count: end - start)
        }
        return nil
    }

    /// The value of attribute `local` (without a namespace, or in `namespace`), `&#38;` decoded.
    func value(_ local: StaticString, namespace: StaticString? = nil) -> String? {
        raw(local, namespace: namespace).map(SAXElement.decoded)
    }

    /// The value of attribute `local` in a namespace whose URI contains `fragment`.
    func value(_ local: StaticString, namespaceContaining fragment: String) -> String? {
        guard let a = attributes else { return nil }
        for i in 0..<count {
            guard let name = a[5 * i], SAXName.equal(name, local), let uri = a[5 * i + 2],
                  String(cString: uri).contains(fragment), let start = a[5 * i + 3], let end = a[5 * i + 4] else { continue }
            return SAXElement.decoded(UnsafeBufferPointer(start: start, count: end - start))
        }
        return nil
    }

    /// An attribute value's bytes as text: libxml2's `&#38;` (an escaped `&`) back to `&`.
    static func decoded(_ b: UnsafeBufferPointer<UInt8>) -> String {
        let s = String(decoding: b, as: UTF8.self)
        return b.contains(UInt8(ascii: "&")) ? s.replacingAll("&#38;", with: "&") : s
    }

    /// The attribute's bytes as a decimal integer, as `Int(String)` reads one (an optional
    /// sign, digits only), or nil.
    static func integer(_ b: UnsafeBufferPointer<UInt8>?) -> Int? {
        guard let b, !b.isEmpty else { return nil }
        var i = 0, negative = false
        if b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+") { negative = b[0] == UInt8(ascii: "-"); i = 1 }
        guard i < b.count else { return nil }
        var n = 0
        while i < b.count {
            let d = b[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int(d)) : m.addingReportingOverflow(Int(d))
            guard !o1, !o2 else { return nil }
            n = s
            i += 1
        }
        return n
    }
}

extension String {
    /// Every `target` replaced by `replacement`.
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

/// One XML part parsed by libxml2's SAX2 push parser, fed as it is inflated: memory stays
/// proportional to what the handler keeps. Safe against hostile parts: no DTD is loaded, no
/// entity is substituted, nothing is fetched from the network, the encoding is UTF-8 whatever
/// the part declares, and a part with a DOCTYPE is refused before libxml2 sees it.
final class SAXParser {
    let part: String
    private let handler: SAXHandler
    /// libxml2's functions (`libxml2`).
    private let api: UnsafePointer<mes_xml2_api>
    private var context: xmlParserCtxtPtr?
    /// What a handler threw, or the refusal of a DOCTYPE: the parse stops on it.
    private var failure: SheetError?
    /// Inside an element being skipped: how deep (0: not skipping). Behind a pointer, as the
    /// handler's state is (`WorksheetReader`): read on every event without an exclusivity check.
    private let skipDepth = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    /// The handler has all it wanted: the rest of the part is not parsed.
    private(set) var finished = false
    private var fed = 0
    /// The last bytes of the previous chunk, for a `<!DOCTYPE` cut in two.
    private var tail: [UInt8] = []

    /// Parser options: no network, no error printing, the encoding declaration ignored (UTF-8
    /// is imposed), blank nodes kept, and neither XML_PARSE_NOENT nor XML_PARSE_DTDLOAD.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
        | XML_PARSE_NOWARNING.rawValue | XML_PARSE_IGNORE_ENC.rawValue)

    init(part: String, handler: SAXHandler) throws(SheetError) {
        self.part = part
        self.handler = handler
        skipDepth.initialize(to: 0)
        switch libxml2 {
        case .success(let table): api = table
        case .failure(let e): throw e
        }
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        // The parser is alive for the whole parse: borrowed, not retained, on each event.
        sax.startElementNs = { ctx, local, _, uri, _, _, count, _, attributes in
            guard let ctx, let local else { return }
            Unmanaged<SAXParser>.fromOpaque(ctx)._withUnsafeGuaranteedRef {
                $0.started(SAXElement(name: SAXName(local: local, uri: uri), count: Int(count), attributes: attributes))
            }
        }
        sax.endElementNs = { ctx, local, _, uri in
            guard let ctx, let local else { return }
            Unmanaged<SAXParser>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.ended(SAXName(local: local, uri: uri)) }
        }
        let characters: charactersSAXFunc = { ctx, bytes, length in
            guard let ctx, let bytes, length > 0 else { return }
            Unmanaged<SAXParser>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.characters(UnsafeBufferPointer(start: bytes, count: Int(length))) }
        }
        sax.characters = characters
        sax.cdataBlock = characters
        sax.ignorableWhitespace = characters
        // A DOCTYPE or an entity that got past the byte search: refused, never expanded.
        sax.internalSubset = { ctx, _, _, _ in
            guard let ctx else { return }
            Unmanaged<SAXParser>.fromOpaque(ctx).takeUnretainedValue().refuseUnsafe()
        }
        sax.externalSubset = sax.internalSubset
        sax.entityDecl = { ctx, _, _, _, _, _ in
            guard let ctx else { return }
            Unmanaged<SAXParser>.fromOpaque(ctx).takeUnretainedValue().refuseUnsafe()
        }
        sax.reference = { ctx, _ in
            guard let ctx else { return }
            Unmanaged<SAXParser>.fromOpaque(ctx).takeUnretainedValue().refuseUnsafe()
        }
        sax.serror = { _, _ in }  // errors are read from the context, never printed
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let context = api.pointee.createPushParserCtxt(&sax, me, nil, 0, nil) else {
            throw .unreadable("la partie \(SheetError.quoted(part)) n'a pas pu être ouverte")
        }
        _ = api.pointee.ctxtUseOptions(context, Self.options)
        _ = api.pointee.switchEncoding(context, XML_CHAR_ENCODING_UTF8)
        self.context = context
    }

    deinit {
        if let context { api.pointee.freeParserCtxt(context) }
        skipDepth.deallocate()
    }

    /// Parses the whole of `bytes` with `handler`.
    static func parse(_ bytes: [UInt8], part: String, handler: SAXHandler) throws(SheetError) {
        let parser = try SAXParser(part: part, handler: handler)
        try bytes.withUnsafeBufferPointer { (b) throws(SheetError) in
            var at = 0
            while at < b.count {
                let n = min(chunkSize, b.count - at)
                try parser.feed(UnsafeBufferPointer(rebasing: b[at..<(at + n)]))
                at += n
            }
        }
        try parser.finish()
    }

    /// Parses the archive's entry `name` as it is inflated; false when there is no such entry.
    static func parse(_ zip: inout ZipArchive, entry name: String, handler: SAXHandler) throws(SheetError) -> Bool {
        let parser = try SAXParser(part: name, handler: handler)
        guard try zip.stream(name, { (chunk) throws(SheetError) in try parser.feed(chunk) }) else { return false }
        try parser.finish()
        return true
    }

    /// The bytes handed to libxml2 at a time.
    static let chunkSize = 1 << 18

    /// Parses the next bytes of the part.
    func feed(_ chunk: UnsafeBufferPointer<UInt8>) throws(SheetError) {
        guard !chunk.isEmpty else { return }
        if Self.declaresDoctype(chunk, after: tail) { throw .unsafe(part) }
        tail = Array(chunk.suffix(8))
        fed += chunk.count
        guard !finished, let context else { return }
        let status = api.pointee.parseChunk(context, UnsafeRawPointer(chunk.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(chunk.count), 0)
        try check(status)
    }

    /// Ends the part: what is left is parsed and the document must be complete.
    func finish() throws(SheetError) {
        guard fed > 0 else { throw .unreadable("la partie \(SheetError.quoted(part)) est vide") }
        guard !finished, let context else { return }
        try check(api.pointee.parseChunk(context, nil, 0, 1))
    }

    private func check(_ status: Int32) throws(SheetError) {
        if let failure { throw failure }
        if finished { return }
        guard let context, status == 0, context.pointee.wellFormed != 0 else {
            let line = context?.pointee.input?.pointee.line ?? 0
            throw .unreadable("la partie \(SheetError.quoted(part)) n'est pas du XML correct (ligne \(line))")
        }
    }

    /// Skips the rest of the element whose start the handler was just given (its end included).
    func skipElement() { skipDepth.pointee = 1 }

    /// Stops the parse: the handler has what it wanted (the rest of the part is still inflated
    /// and checked by the archive, not parsed).
    func stop() {
        finished = true
        if let context { api.pointee.stopParser(context) }
    }

    private func fail(_ error: SheetError) {
        if failure == nil { failure = error }
        if let context { api.pointee.stopParser(context) }
    }

    private func refuseUnsafe() { fail(.unsafe(part)) }

    @inline(__always) private func started(_ element: SAXElement) {
        if skipDepth.pointee > 0 { skipDepth.pointee += 1; return }
        do throws(SheetError) { try handler.start(element, self) } catch { fail(error) }
    }

    @inline(__always) private func ended(_ name: SAXName) {
        if skipDepth.pointee > 0 { skipDepth.pointee -= 1; return }
        do throws(SheetError) { try handler.end(name, self) } catch { fail(error) }
    }

    @inline(__always) private func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        if skipDepth.pointee > 0 { return }
        do throws(SheetError) { try handler.text(bytes, self) } catch { fail(error) }
    }

    /// Whether the bytes hold `<!DOCTYPE` or `<!ENTITY` anywhere (in a comment too: refused all
    /// the same), `before` being the end of the previous chunk. Searches for `!`, rare in a part.
    static func declaresDoctype(_ b: UnsafeBufferPointer<UInt8>, after before: [UInt8] = []) -> Bool {
        if !before.isEmpty {
            // Across the seam: the previous chunk's end and this one's start.
            let seam = before + b.prefix(9)
            if seam.withUnsafeBufferPointer({ declaresDoctype($0) }) { return true }
        }
        guard let base = b.baseAddress, b.count >= 2 else { return false }
        var at = 1
        while at < b.count, let found = memchr(base + at, 0x21, b.count - at) {
            let i = UnsafeRawPointer(found) - UnsafeRawPointer(base)
            if b[i - 1] == 0x3C && (matches(b, i + 1, "DOCTYPE") || matches(b, i + 1, "ENTITY")) { return true }
            at = i + 1
        }
        return false
    }

    private static func matches(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        return at + n <= b.count && memcmp(b.baseAddress! + at, word.utf8Start, n) == 0
    }

    /// `declaresDoctype` over a whole part.
    static func declaresDoctype(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { declaresDoctype($0) }
    }
}

/// A handler of closures, for the small parts (relationships, workbook, styles).
final class SAXClosures: SAXHandler {
    var onStart: (SAXElement, SAXParser) throws(SheetError) -> Void
    var onEnd: (SAXName) throws(SheetError) -> Void = { _ in }

    init(start: @escaping (SAXElement, SAXParser) throws(SheetError) -> Void) { onStart = start }

    func start(_ element: SAXElement, _ parser: SAXParser) throws(SheetError) { try onStart(element, parser) }
    func end(_ element: SAXName, _ parser: SAXParser) throws(SheetError) { try onEnd(element) }
    func text(_ bytes: UnsafeBufferPointer<UInt8>, _ parser: SAXParser) throws(SheetError) {}
}
