import Testing
import MESCore
@testable import MESRender

@Suite struct DataTableTests {
    /// A file handed over in pieces as it is made is the file made whole.
    @Test func flushedPiecesMakeTheWholeFile() {
        for format in TableFormat.allCases {
            func table() -> DataTable {
                DataTable(keys: ["a", "b"], header: ["A", "B"], format: format, separator: ";", bom: true)
            }
            var whole = table(), streamed = table()
            var pieces: [[UInt8]] = []
            for i in 0..<500 {
                let cells = ["\(i)", i % 7 == 0 ? "x;\"y\"" : "Hélène \(i)"]
                whole.append(cells, extra: i == 3 ? [("extra", "en trop")] : [], asTyped: i == 4)
                streamed.append(cells, extra: i == 3 ? [("extra", "en trop")] : [], asTyped: i == 4)
                streamed.flush(atLeast: 1_000) { pieces.append($0) }
            }
            streamed.flush { pieces.append($0) }
            #expect(pieces.count > 5)
            #expect(pieces.dropLast().allSatisfy { $0.count >= 1_000 })
            #expect(Array(pieces.joined()) == whole.bytes, "\(format)")
            #expect(streamed.bytes.isEmpty)
            streamed.flush { _ in Issue.record("nothing left to hand over") }
        }
    }
}
