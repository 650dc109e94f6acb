import Testing
@testable import MESCore

/// Actors that are named and distinct (issue 35): an association's name is 1 to 100 printable
/// characters that cannot read as another kind; filters name a kind, or a kind and an id.
@Suite struct ActorNameTests {
    @Test(arguments: ["", "   ", "Les Amis\n", "Les\tAmis", String(repeating: "a", count: 101), "A\u{202E}B", "Zéro\u{200B}Largeur",
                      "adviser:A1", "ADVISER:A1", "self:x", "Legal_Representative:x"])
    func refusedNames(name: String) {
        #expect(throws: MESError.self) { try ActorName.association(name) }
        do { _ = try ActorName.association(name) } catch let e as MESError {
            #expect(e.code == .associationInvalid && e.status == .usage && e.field == "association")
        } catch { Issue.record() }
    }

    @Test func namesAsPeopleWriteThem() throws {
        #expect(try ActorName.association("  Les Amis de Łódź  ") == "Les Amis de Łódź")
        #expect(try ActorName.association("Association: les amis") == "Association: les amis")  // its own kind
        #expect(try ActorName.association(String(repeating: "é", count: 100)).count == 100)
    }

    @Test func filtersNameAKindOrAKindAndAnId() throws {
        #expect(try ActorName.filter("adviser") == (.adviser, nil))
        #expect(try ActorName.filter("adviser:A1") == (.adviser, "A1"))
        #expect(try ActorName.filter("association:Les Amis") == (.association, "Les Amis"))
        #expect(try ActorName.filter("association:") == (.association, nil))
        for bare in ["A1", "Les Amis", "advisor:A1"] {
            #expect(throws: MESError.self) { try ActorName.filter(bare) }
        }
    }
}
