import CXML2

/// libxml2 is initialised once, before any parse (its global state is not thread-safe to set up).
private let libxml2Ready: Void = { xmlInitParser() }()

/// One attribute of an element.
struct XMLAttribute {
    var namespace: String
    var local: String
    var value: String
}

/// One element as the stream reaches it, with its attributes.
struct XMLElement {
    var namespace: String
    var local: String
    var attributes: [XMLAttribute]

    /// The value of attribute `local` (in `namespace`, or in none when nil).
    func value(_ local: String, namespace: String? = nil) -> String? {
        attributes.first { $0.local == local && (namespace == nil ? $0.namespace.isEmpty : $0.namespace == namespace) }?.value
    }

    /// The value of attribute `local` in a namespace whose URI contains `fragment`.
    func value(_ local: String, namespaceContaining fragment: String) -> String? {
        attributes.first { $0.local == local && $0.namespace.contains(fragment) }?.value
    }
}

/// What the stream reads next.
enum XMLEvent {
    case start(XMLElement)
    /// The end of an element (also sent right after the start of an empty element).
    case end(namespace: String, local: String)
    case text(String)
}

/// A pull parser over one XML part, on libxml2's streaming `xmlTextReader`: memory stays
/// proportional to what the caller keeps. Safe against hostile parts: no DTD is loaded, no
/// entity is substituted, nothing is fetched from the network, the encoding is UTF-8 whatever
/// the part declares, and a part with a DOCTYPE is refused before libxml2 sees it.
final class XMLStream {
    private let reader: xmlTextReaderPtr
    private let part: String
    /// The start just returned was an empty element: its end comes next.
    private var pendingEnd: (namespace: String, local: String)?

    /// Parser options: no network, no error printing, the encoding declaration ignored (UTF-8
    /// is imposed), blank nodes kept, and neither XML_PARSE_NOENT nor XML_PARSE_DTDLOAD.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue
        | XML_PARSE_NOWARNING.rawValue | XML_PARSE_IGNORE_ENC.rawValue)

    /// Runs `body` over a stream of the part's events. The bytes are read in place (no copy);
    /// the stream must not outlive `body`.
    static func parse<R>(_ bytes: [UInt8], part: String, _ body: (XMLStream) throws(SheetError) -> R) throws(SheetError) -> R {
        if declaresDoctype(bytes) { throw .unsafe(part) }
        guard !bytes.isEmpty else { throw .unreadable("la partie \(SheetError.quoted(part)) est vide") }
        guard bytes.count < Int(Int32.max) else { throw .tooLarge("la partie \(SheetError.quoted(part)) est trop grande") }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(SheetError) -> R in
            let stream = try XMLStream(buffer, part: part)
            return try body(stream)
        }
    }

    private init(_ buffer: UnsafeBufferPointer<UInt8>, part: String) throws(SheetError) {
        self.part = part
        _ = libxml2Ready
        let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
        guard let reader = xmlReaderForMemory(base, Int32(buffer.count), nil, "UTF-8", Self.options) else {
            throw .unreadable("la partie \(SheetError.quoted(part)) n'a pas pu être ouverte")
        }
        xmlTextReaderSetStructuredErrorHandler(reader, { _, _ in }, nil)
        self.reader = reader
    }

    deinit {
        xmlFreeTextReader(reader)
    }

    /// Whether the bytes hold `<!DOCTYPE` or `<!ENTITY` anywhere (in a comment too: refused all the same).
    static func declaresDoctype(_ bytes: [UInt8]) -> Bool {
        let doctype = Array("DOCTYPE".utf8), entity = Array("ENTITY".utf8)
        return bytes.withUnsafeBufferPointer { b in
            guard b.count >= 2 else { return false }
            var i = 0
            while i < b.count - 1 {
                if b[i] == 0x3C && b[i + 1] == 0x21 {
                    for word in [doctype, entity] where i + 2 + word.count <= b.count {
                        var same = true
                        for k in 0..<word.count where b[i + 2 + k] != word[k] { same = false; break }
                        if same { return true }
                    }
                }
                i += 1
            }
            return false
        }
    }

    private func string(_ p: UnsafePointer<xmlChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p)
    }

    /// The next event, or nil at the end of the document.
    func next() throws(SheetError) -> XMLEvent? {
        if let end = pendingEnd {
            pendingEnd = nil
            return .end(namespace: end.namespace, local: end.local)
        }
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { return nil }
            guard status == 1 else {
                let line = xmlTextReaderGetParserLineNumber(reader)
                throw .unreadable("la partie \(SheetError.quoted(part)) n'est pas du XML correct (ligne \(line))")
            }
            switch xmlTextReaderNodeType(reader) {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue):
                let namespace = string(xmlTextReaderConstNamespaceUri(reader))
                let local = string(xmlTextReaderConstLocalName(reader))
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                var attributes: [XMLAttribute] = []
                if xmlTextReaderHasAttributes(reader) == 1 {
                    while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                        attributes.append(XMLAttribute(namespace: string(xmlTextReaderConstNamespaceUri(reader)),
                                                       local: string(xmlTextReaderConstLocalName(reader)),
                                                       value: string(xmlTextReaderConstValue(reader))))
                    }
                    xmlTextReaderMoveToElement(reader)
                }
                if empty { pendingEnd = (namespace, local) }
                return .start(XMLElement(namespace: namespace, local: local, attributes: attributes))
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
                return .end(namespace: string(xmlTextReaderConstNamespaceUri(reader)), local: string(xmlTextReaderConstLocalName(reader)))
            case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
                 Int32(XML_READER_TYPE_WHITESPACE.rawValue), Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
                return .text(string(xmlTextReaderConstValue(reader)))
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue), Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue),
                 Int32(XML_READER_TYPE_ENTITY.rawValue):
                throw .unsafe(part)
            default:
                continue  // comments, processing instructions, the XML declaration
            }
        }
    }

    /// Skips the rest of the element whose start was just read (its end included).
    func skipElement() throws(SheetError) {
        var depth = 1
        while depth > 0, let event = try next() {
            switch event {
            case .start: depth += 1
            case .end: depth -= 1
            case .text: break
            }
        }
    }
}
