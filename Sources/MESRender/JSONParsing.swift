import FoundationEssentials

/// Reading JSON (a receipt's data, the lines of a results file) through FoundationEssentials'
/// `JSONDecoder`: a value of any shape, objects' keys in no particular order. Unlike
/// Foundation's `JSONSerialization`, a key given twice keeps its first value, and a number whose
/// fraction is zero (`2.0`, `2e0`) reads as the integer; nesting stops at 512 levels.
extension JSON: Decodable {
    /// The JSON value `bytes` hold, or nil when they are not one JSON text.
    public static func parse(_ bytes: some Collection<UInt8>) -> JSON? {
        try? JSONDecoder().decode(JSON.self, from: Data(bytes))
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSON.self, forKey: $0)) })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSON] = []
            while !array.isAtEnd { items.append(try array.decode(JSON.self)) }
            self = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let s = try? single.decode(String.self) { self = .string(s) }
        else if let i = try? single.decode(Int.self) { self = .int(i) }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else { self = .double(try single.decode(Double.self)) }
    }

    /// The value under `key` of an object (nil: not an object, or no such key).
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The string this value is, if it is one.
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    /// The integer this value is, if it is one (not a boolean; `2.0` is 2, `2.5` is not one).
    public var integer: Int? { if case .int(let i) = self { i } else { nil } }
    /// The boolean this value is, if it is one.
    public var boolean: Bool? { if case .bool(let b) = self { b } else { nil } }
}
