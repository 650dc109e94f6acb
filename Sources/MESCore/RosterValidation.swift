/// Validation of one roster row, on the bytes of its CSV record.
extension Roster {
    /// A row that passed validation. Its text fields are slices of the CSV record: valid only
    /// during the callback that received the record (copy them with `entry` or `RosterBatch`).
    public struct Fields {
        public let line: Int
        public let nir: NIR
        public let birthDate: CalendarDate
        public let firstName: UnsafeBufferPointer<UInt8>
        public let lastName: UnsafeBufferPointer<UInt8>
        public let card: CardType
        public let serial: String
        public let email: UnsafeBufferPointer<UInt8>?
        public let mobile: UnsafeBufferPointer<UInt8>?
        public let address: UnsafeBufferPointer<UInt8>?
        public let holderBirthDate: CalendarDate?
        public let deceased: Bool
        public let state: ProfileState
        public let stateSince: Instant?
        public let notifiedAt: Instant?
        /// First name, last name and address as stored, for those whose bytes differ (held
        /// decomposed, or with Unicode spaces at an end); nil: the bytes are stored as they are.
        public let composed: Composed

        /// Values of `composed` (no array: nothing allocated for the usual row).
        public struct Composed: Sendable, Equatable {
            public var first, last, address: String?
            subscript(_ k: Int) -> String? {
                get { k == 0 ? first : k == 1 ? last : address }
                set { if k == 0 { first = newValue } else if k == 1 { last = newValue } else { address = newValue } }
            }
            /// Whether every value is stored as its bytes.
            public var isEmpty: Bool { first == nil && last == nil && address == nil }
        }

        /// The first name as stored (NFC).
        public var firstNameText: String { composed.first ?? firstName.string }
        /// The last name as stored (NFC).
        public var lastNameText: String { composed.last ?? lastName.string }
        /// The address as stored (NFC).
        public var addressText: String? { composed.address ?? address?.string }

        /// The row as an entry that owns its values.
        public var entry: Entry {
            let person = Person(nir: nir, birthDate: birthDate, firstName: firstNameText, lastName: lastNameText, card: card,
                                serial: serial, email: email?.string, mobile: mobile?.string, address: addressText,
                                deceased: deceased, state: state, stateSince: stateSince, notifiedAt: notifiedAt)
            return Entry(person: person, holderBirthDate: holderBirthDate, line: line)
        }
    }

    /// Validates one row read as bytes (`mes import`): no `String` is made for the fields
    /// every row has, unless they hold something unusual (non-ASCII digits, spaces in a serial).
    /// A refused cell that a spreadsheet's export spoilt gets its `ExportTrap` (code and fix);
    /// one holding characters that could not be decoded, `encoding_invalid`. The row is the
    /// record's `row`: the sheet's.
    public static func validate(_ record: CSVReader.RawRecord, header: Header, today: CalendarDate) -> Result<Fields, Problem> {
        func bytes(_ c: Int) -> UnsafeBufferPointer<UInt8>? {
            guard let i = header.slots[c], i < record.count else { return nil }
            let v = record[i].trimmingSpaces
            return v.isEmpty ? nil : v
        }
        func value(_ c: Int) -> String? { bytes(c)?.string }
        func problem(_ field: String, _ message: String) -> Result<Fields, Problem> {
            if let c = columns.firstIndex(where: { $0.0 == field }), let b = bytes(c), ExportTrap.holdsReplacement(b) {
                return trapped(ExportTrap.encodingError(field: field))
            }
            return .failure(Problem(line: record.row, column: field, message: message))
        }
        func trapped(_ e: MESError) -> Result<Fields, Problem> {
            .failure(Problem(line: record.row, field: e.field ?? "row", code: e.code, message: e.message))
        }
        for (r, c) in zip(required, 0...) where bytes(c) == nil { return problem(r, Messages.fieldRequired) }
        let nirVerdict = NIRValidator(rules: .insee).validate(bytes: bytes(0)!)
        guard let nir = nirVerdict.nir else {
            if let e = ExportTrap.nirError(bytes(0)!.string) { return trapped(e) }
            return problem("nir", nirVerdict.reason!.message)
        }
        let birth: CalendarDate
        switch BirthDateRule.validate(bytes: bytes(1)!, today: today) {
        case .success(let d): birth = d
        case .failure(let f):
            if f == .unreadable, let e = ExportTrap.dateError(bytes(1)!.string, today: today, field: "birth_date") { return trapped(e) }
            return problem("birth_date", f.message)
        }
        guard let card = CardType(flexibleBytes: bytes(4)!) else { return problem("card_type", "photo ou plain attendu") }
        let serial: VitaleSerial
        switch VitaleSerial.parse(bytes: bytes(5)!, card: card) {
        case .success(let s): serial = s
        case .failure(let e):
            if let t = ExportTrap.serialError(bytes(5)!.string, card: card) { return trapped(t) }
            return problem("serial", e.message)
        }
        let email = bytes(6)
        if let email, let reason = EmailAddress.problem(bytes: email) { return problem("email", reason) }
        let mobile = bytes(7)
        if let mobile, !plausibleMobile(mobile) { return problem("mobile", "numéro de mobile invalide") }
        var holder: CalendarDate?
        if let h = bytes(9) {
            switch BirthDateRule.validate(bytes: h, today: today) {
            case .success(let d): holder = d
            case .failure(let f):
                if f == .unreadable, let e = ExportTrap.dateError(h.string, today: today, field: "holder_birth_date") { return trapped(e) }
                return problem("holder_birth_date", f.message)
            }
        }
        var deceased = false
        if let d = value(10) {
            switch d.lowercased() {
            case "1", "true", "oui", "yes", "o": deceased = true
            case "0", "false", "non", "no", "n": deceased = false
            default: return problem("deceased", "oui ou non attendu")
            }
        }
        var state = ProfileState.pending
        if let s = value(11) {
            guard let st = ProfileState(rawValue: s) else { return problem("state", "pending, opposed, active ou closed attendu") }
            state = st
        }
        var since: Instant?
        if let s = value(12) {
            guard let i = Instant.parse(s) else { return problem("state_since", "date invalide") }
            since = i
        }
        var notified: Instant?
        if let s = value(13) {
            guard let i = Instant.parse(s) else { return problem("notified_at", "date invalide") }
            notified = i
        }
        // Names and the address are printed on receipts and letters: only what they print
        // exactly (NameRepertoire), composed (NFC) when the file had them decomposed.
        var composed = Fields.Composed()
        for (k, (col, c, limit)) in [("first_name", 2, 100), ("last_name", 3, 100), ("address", 8, 300)].enumerated() {
            guard let v = bytes(c) else { continue }
            // A character takes at least one byte: only long values need counting.
            if v.count > limit, v.string.count > limit { return problem(col, "trop long (\(limit) caractères au plus)") }
            if v.isASCII {
                if v.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return problem(col, Messages.codeCharacter) }
                continue
            }
            // Every character allowed: no combining mark among them, so the text is already NFC
            // and nothing more is done (the usual French name, accents included), read in place.
            if NameRepertoire.allowsAsStored(v) { continue }
            let text = v.string
            // Unicode spaces at either end (a no-break space a spreadsheet kept) are dropped, as
            // ASCII ones are: the receipt's reader would not see them.
            var nfc = NameRepertoire.nfc(text)
            while let u = nfc.unicodeScalars.first, u.properties.generalCategory == .spaceSeparator { nfc.unicodeScalars.removeFirst() }
            while let u = nfc.unicodeScalars.last, u.properties.generalCategory == .spaceSeparator { nfc.unicodeScalars.removeLast() }
            if nfc.isEmpty { return problem(col, Messages.fieldRequired) }
            if let bad = nfc.unicodeScalars.first(where: { !NameRepertoire.allows($0) }) {
                return problem(col, bad.value < 0x20 ? Messages.codeCharacter : NameRepertoire.refusal(bad))
            }
            if nfc.utf8.count != v.count || !nfc.utf8.elementsEqual(v) { composed[k] = nfc }
        }
        return .success(Fields(line: record.row, nir: nir, birthDate: birth, firstName: bytes(2)!, lastName: bytes(3)!, card: card,
                               serial: serial.digits, email: email, mobile: mobile, address: bytes(8), holderBirthDate: holder,
                               deceased: deceased, state: state,
                               stateSince: since ?? (state == .pending ? nil : Instant(date: today)), notifiedAt: notified,
                               composed: composed))
    }

    /// A mobile number: at least 9 digits; only digits, spaces, `+` and `.`.
    public static func plausibleMobile(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { plausibleMobile($0) }
    }

    static func plausibleMobile(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.isASCII else {  // other scripts' digits count too (Character.isNumber)
            let s = b.string
            return s.filter(\.isNumber).count >= 9 && s.allSatisfy { $0.isNumber || $0 == " " || $0 == "+" || $0 == "." }
        }
        var digits = 0
        for c in b {
            if c >= 0x30 && c <= 0x39 { digits += 1 } else if c != 0x20 && c != 0x2B && c != 0x2E { return false }
        }
        return digits >= 9
    }
}
