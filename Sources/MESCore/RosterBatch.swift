/// Validated roster rows packed for insertion (`mes import`): the text of every row back to
/// back in one buffer and one plain record per row, so that handing rows from the reading
/// thread to the inserting one costs no allocation or reference counting per field.
public struct RosterBatch: Sendable {
    /// The text columns, in this order: NIR, birth date (AAAA-MM-JJ), first name, last name,
    /// serial, e-mail, mobile, address. An absent optional value is empty.
    public static let textColumns = 8

    /// One row's values that are not text.
    public struct Row: Sendable {
        public let line: Int32
        public let card: CardType
        public let state: ProfileState
        public let deceased: Bool
        public let stateSince: Int64?
        public let notifiedAt: Int64?
        /// NIR and birth date of the row (a holder, for the profiles attached to it).
        public let identity: Roster.IdentityKey
        /// The holder's birth date, for an attached profile.
        public let holderBirthDate: CalendarDate?
        /// The holder's identity, for an attached profile.
        public var holder: Roster.IdentityKey? { holderBirthDate.map { Roster.IdentityKey(identity.nir, $0) } }
    }

    public private(set) var rows: [Row] = []
    /// How many bytes of the input were read when the batch was handed over (for progress).
    public var inputBytesRead = 0
    private var text: [UInt8] = []
    private var ends: [Int32] = []

    public init(capacity: Int = 0) {
        rows.reserveCapacity(capacity)
        ends.reserveCapacity(capacity * Self.textColumns)
        text.reserveCapacity(capacity * 128)
    }

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }

    /// Adds a validated row (copies its text).
    public mutating func append(_ f: Roster.Fields) {
        func add(_ b: UnsafeBufferPointer<UInt8>?) {
            if let b { text.append(contentsOf: b) }
            ends.append(Int32(text.count))
        }
        func add(_ s: String) {
            var s = s
            s.withUTF8 { add($0) }
        }
        add(f.nir.compact)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { iso in
            f.birthDate.writeISO(into: iso)
            add(UnsafeBufferPointer(iso))
        }
        if let n = f.composed.first { add(n) } else { add(f.firstName) }
        if let n = f.composed.last { add(n) } else { add(f.lastName) }
        add(f.serial)
        add(f.email)
        add(f.mobile)
        if let n = f.composed.address { add(n) } else { add(f.address) }
        rows.append(Row(line: Int32(clamping: f.line), card: f.card, state: f.state, deceased: f.deceased,
                        stateSince: f.stateSince?.seconds, notifiedAt: f.notifiedAt?.seconds,
                        identity: Roster.IdentityKey(f.nir, f.birthDate), holderBirthDate: f.holderBirthDate))
    }

    /// Adds row `i` of another batch.
    public mutating func append(row i: Int, of other: RosterBatch) {
        other.withView { v in
            for c in 0..<Self.textColumns {
                text.append(contentsOf: v.column(i, c))
                ends.append(Int32(text.count))
            }
        }
        rows.append(other.rows[i])
    }

    /// The batch's text in place, for binding without copies.
    public struct View {
        let text: UnsafeBufferPointer<UInt8>
        let ends: UnsafeBufferPointer<Int32>

        /// One text column of row `i` (empty when absent).
        public func column(_ i: Int, _ c: Int) -> UnsafeBufferPointer<UInt8> {
            let k = i * RosterBatch.textColumns + c
            let start = k == 0 ? 0 : Int(ends[k - 1])
            return UnsafeBufferPointer(rebasing: text[start..<Int(ends[k])])
        }
    }

    /// Calls `body` with the batch's text in place (valid only during the call).
    public func withView<T>(_ body: (View) throws -> T) rethrows -> T {
        try text.withUnsafeBufferPointer { t in try ends.withUnsafeBufferPointer { e in try body(View(text: t, ends: e)) } }
    }

    /// The NIR of row `i`.
    public func nir(row i: Int) -> NIR { withView { NIR(trusted: $0.column(i, 0).string) } }
}

extension Roster {
    /// A profile's identity as a holder (NIR and birth date) in two integers: the key of the
    /// map that attaches the profiles of a family to their holder during an import.
    public struct IdentityKey: Hashable, Sendable {
        /// The 15 characters of the NIR, one hexadecimal digit each (2A and 2B as A and B).
        let nir: UInt64
        let day: Int32

        public init(_ nir: NIR, _ birth: CalendarDate) {
            var v: UInt64 = 0
            for c in nir.compact.utf8 { v = v << 4 | UInt64(c >= 0x41 ? c - 0x41 + 10 : c - 0x30) }
            self.init(v, birth)
        }

        init(_ nir: UInt64, _ birth: CalendarDate) {
            self.nir = nir
            day = Int32(birth.daysSinceEpoch)
        }
    }
}
