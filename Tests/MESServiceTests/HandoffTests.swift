import Foundation
import Testing
@testable import MESService

@Suite struct HandoffTests {
    @Test func elementsArriveInOrderThenTheStreamEnds() throws {
        let h = Handoff<Int>(capacity: 2)
        let producer = try Worker("test.producer") { for i in 0..<1_000 { h.put(i) }; h.close() }
        var got: [Int] = []
        while let x = h.take() { got.append(x) }
        try producer.join()
        #expect(got == Array(0..<1_000))
    }

    @Test func cancelReleasesABlockedProducer() throws {
        let h = Handoff<Int>(capacity: 1)
        let accepted = UncheckedSendable(NSMutableArray())
        let producer = try Worker("test.producer") {
            for i in 0..<100 { if h.put(i) { accepted.value.add(i) } else { break } }
            h.close()
        }
        #expect(h.take() == 0)
        h.cancel()
        try producer.join()  // returns: the producer is no longer blocked on the full queue
        #expect(accepted.value.count < 100)
    }

    @Test func workerRethrowsItsError() throws {
        struct Boom: Error {}
        let w = try Worker("test.fail") { throw Boom() }
        #expect(throws: Boom.self) { try w.join() }
    }
}

/// `mes import` through the binary: two threads, all rows or none.
