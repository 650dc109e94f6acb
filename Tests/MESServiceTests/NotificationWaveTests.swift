import Foundation
import Testing
import MESCore
import MESStore
@testable import MESService

/// The wave reads a group ahead of recording it (`NotificationPipeline`): what another process
/// does in between must never give a profile two notifications or notify a decided one.
@Suite struct NotificationWaveTests {
    static let sophieNIR = DemoData.nir("2850597105123")

    /// Reads the first group of a wave on the pipeline's own connection, without recording it.
    func readAhead(_ h: Harness) throws -> (NotificationPipeline, NotificationPipeline.Group) {
        let pipeline = try NotificationPipeline(h.service, now: h.clock.now(), forceLetter: false, groupSize: 10_000)
        pipeline.request()
        return (pipeline, try #require(try pipeline.next()))
    }

    func people(_ h: Harness, _ nir: NIR) throws -> [String: Person] {
        Dictionary(uniqueKeysWithValues: try h.service.store.people(nir: nir).map { ($0.firstName, $0) })
    }

    /// Sophie opposes (by phone) after the wave read her family: she is not notified, and her two
    /// children still are, in one message to her address that names only them.
    @Test func aProfileOpposedAfterTheReadIsLeftOutAndItsFamilyNotified() throws {
        let h = try Harness()
        let (pipeline, group) = try readAhead(h)
        defer { pipeline.drain() }
        #expect(group.notifications.contains { $0.draft.people.map(\.firstName) == ["Sophie", "Léa", "Lucas"] })
        _ = try h.service.oppose(OppositionRequest(identity: .assisted(adviser: "A042", nir: Self.sophieNIR, birthDate: CalendarDate(year: 1985, month: 5, day: 20)!,
                                                                        lastName: "Martin", firstName: "Sophie")))
        let before = h.transport.sent.count
        var wave = NotificationWave()
        try h.service.store.transaction { try h.service.record(group, from: pipeline, with: NotificationRecorder(h.service.store), into: &wave) }
        let family = try people(h, Self.sophieNIR)
        #expect(family["Sophie"]?.state == .opposed && family["Sophie"]?.noticeID == nil)
        #expect(family["Léa"]?.noticeID != nil && family["Lucas"]?.noticeID != nil && family["Léa"]?.notifiedAt == nil)
        let toSophie = h.transport.sent[before...].filter { $0.recipientMasked.hasPrefix("s") }
        #expect(toSophie.count == 1)
        let body = String(decoding: toSophie.first?.body ?? [], as: UTF8.self)
        #expect(body.contains("Léa Martin") && body.contains("Lucas Martin") && !body.contains("Code provisoire pour Sophie"))
        // Everyone else of the group as read: Martine's four children in one message, a letter
        // for Paul-Antoine; Karim (a mobile, no address) left for want of an address.
        #expect(wave.notified == 4 + 2 + 1 && wave.messages == 3 && wave.withoutAddress == 1)
    }

    /// Another wave runs to its end between this one's read and its record: this one records
    /// nothing, and every profile keeps exactly one notification code.
    @Test func aWaveOvertakenByAnotherRecordsNothingTwice() throws {
        let h = try Harness()
        let (pipeline, group) = try readAhead(h)
        defer { pipeline.drain() }
        let other = try Service(store: try Store.open(h.directory), clock: h.clock, random: ConstantRandom())
        let first = try other.notify(forceLetter: false)
        #expect(first.notified == 8)
        let sent = h.transport.sent.count
        var wave = NotificationWave()
        try h.service.store.transaction { try h.service.record(group, from: pipeline, with: NotificationRecorder(h.service.store), into: &wave) }
        #expect(wave.notified == 0 && wave.messages == 0 && h.transport.sent.count == sent)
        #expect(wave.withoutAddress == 1, "Karim is still out of reach")
        var notifiedEvents = 0
        try h.service.history(AuditFilter()) { if $0.event == "notified" { notifiedEvents += 1 } }
        #expect(notifiedEvents == 8)
    }

    /// Profiles left without an address are counted once per wave, whatever the group size.
    @Test func profilesOutOfReachAreCountedOncePerWave() throws {
        for size in [1, 2, 3, 10_000] {
            let h = try Harness()
            let wave = try h.service.notify(forceLetter: false, groupSize: size)
            #expect(wave.notified == 8 && wave.withoutAddress == 1 && wave.messages == 3, "group size \(size)")
            let letters = try h.service.notify(forceLetter: true, groupSize: size)
            #expect(letters.notified == 0 && letters.withoutAddress == 1, "group size \(size)")
        }
    }

    /// A child attached to Sophie is imported after the wave read her family, and read in the
    /// next group before hers is recorded (so her family looks handled there): it is notified
    /// all the same, not counted as out of reach. (Third attack.)
    @Test func aDependantImportedAfterItsFamilyWasReadIsNotified() throws {
        let h = try Harness()
        let pipeline = try NotificationPipeline(h.service, now: h.clock.now(), forceLetter: false, groupSize: 10_000)
        defer { pipeline.drain() }
        pipeline.request()
        let first = try #require(try pipeline.next())
        let other = try Store.open(h.directory)
        let sophie = try #require(try other.people(nir: Self.sophieNIR).first { $0.firstName == "Sophie" })
        try other.transaction {
            _ = try other.insert(Person(nir: Self.sophieNIR, birthDate: CalendarDate(year: 2019, month: 1, day: 1)!, firstName: "Nina",
                                        lastName: "Martin", card: .photo, serial: "04512378963", holderID: sophie.id))
        }
        pipeline.request()
        let second = try #require(try pipeline.next())
        #expect(second.notifications.isEmpty, "the family looks handled with the first group")
        let recorder = try NotificationRecorder(h.service.store)
        var wave = NotificationWave()
        try h.service.store.transaction { try h.service.record(first, from: pipeline, with: recorder, into: &wave) }
        try h.service.store.transaction { try h.service.record(second, from: pipeline, with: recorder, into: &wave) }
        #expect(try people(h, Self.sophieNIR)["Nina"]?.noticeID != nil)
        #expect(wave.notified == 9 && wave.withoutAddress == 1, "\(wave)")
    }
}
