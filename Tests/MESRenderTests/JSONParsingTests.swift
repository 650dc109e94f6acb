import Testing
@testable import MESRender

/// JSON read with FoundationEssentials' decoder (`JSON.parse`): values of every shape, and the
/// documented differences from Foundation's JSONSerialization.
@Suite struct JSONParsingTests {
    @Test func valuesOfEveryShape() throws {
        let v = try #require(JSON.parse(Array(#"{"row":2,"status":"opposed","ok":true,"none":null,"x":2.5,"list":[1,"a"],"o":{"k":"é\n"}}"#.utf8)))
        #expect(v["row"]?.integer == 2 && v["status"]?.string == "opposed" && v["ok"]?.boolean == true)
        #expect(v["none"] == .null && v["x"] == .double(2.5) && v["x"]?.integer == nil)
        #expect(v["list"] == .array([.int(1), .string("a")]) && v["o"]?["k"]?.string == "é\n")
        #expect(v["missing"] == nil && JSON.string("s")["k"] == nil && v["status"]?["k"] == nil)
        #expect(v["ok"]?.integer == nil && v["row"]?.boolean == nil, "a boolean is no integer, nor the reverse")
    }

    @Test func documentedDifferencesAndRefusals() {
        #expect(JSON.parse(Array(#"{"row":2,"row":3}"#.utf8))?["row"]?.integer == 2, "a key given twice keeps its first value")
        #expect(JSON.parse(Array(#"{"row":2.0}"#.utf8))?["row"]?.integer == 2)
        #expect(JSON.parse(Array(#"{"row":1e400}"#.utf8)) == nil || JSON.parse(Array(#"{"row":1e400}"#.utf8))?["row"]?.integer == nil)
        #expect(JSON.parse(Array("not json".utf8)) == nil && JSON.parse([]) == nil && JSON.parse(Array("{".utf8)) == nil)
        // Deep nesting is refused, not a stack overflow.
        #expect(JSON.parse(Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)) == nil)
    }
}
