/// Why a spreadsheet was refused: a stable code for scripts and a French message for people,
/// naming the problem and what to do about it.
public struct SheetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The stable codes (snake_case, English).
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// Neither .xlsx nor .ods (a CSV, an old .xls, anything else).
        case notSpreadsheet = "sheet_not_spreadsheet"
        /// A damaged file: truncated archive, offsets outside the file, bad XML, missing part.
        case unreadable = "sheet_unreadable"
        /// A limit of `SheetLimits` was reached (file, inflated bytes, ratio, entries, rows, cells).
        case tooLarge = "sheet_too_large"
        /// A ZIP feature `mes` does not read: ZIP64, several disks, another compression.
        case unsupported = "sheet_unsupported"
        /// A password-protected (encrypted) file or entry.
        case encrypted = "sheet_encrypted"
        /// XML with a DOCTYPE (entities, external references): refused, never expanded.
        case unsafe = "sheet_unsafe"
        /// No sheet of that name, or no sheet at all.
        case notFound = "sheet_not_found"
    }

    /// What went wrong, for scripts.
    public let code: Code
    /// What went wrong and what to do, in French, for people.
    public let message: String

    /// An error with its code and French message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}

extension SheetError {
    /// « Adhérents » in French quotation marks.
    static func quoted(_ s: String) -> String { "« \(s) »" }

    static func unreadable(_ why: String) -> SheetError {
        SheetError(.unreadable, "Le classeur est illisible : \(why). Ouvrez-le dans LibreOffice ou Excel et enregistrez-le de nouveau (.xlsx ou .ods).")
    }

    static func tooLarge(_ why: String) -> SheetError {
        SheetError(.tooLarge, "Le classeur est trop volumineux : \(why). Découpez la liste en plusieurs fichiers, ou enregistrez-la en CSV.")
    }

    static func unsupported(_ why: String) -> SheetError {
        SheetError(.unsupported, "Le classeur utilise \(why), que mes ne lit pas. Ouvrez-le dans LibreOffice ou Excel et enregistrez-le de nouveau (.xlsx ou .ods).")
    }

    static let encrypted = SheetError(.encrypted, "Le classeur est protégé par un mot de passe (chiffré). Ouvrez-le, retirez le mot de passe et enregistrez-le de nouveau.")

    static func unsafe(_ part: String) -> SheetError {
        SheetError(.unsafe, "Le classeur est refusé : sa partie \(quoted(part)) contient une déclaration DOCTYPE (entités, références externes), qu'un tableur n'écrit pas. Enregistrez-le de nouveau depuis LibreOffice ou Excel.")
    }

    static func notFound(_ name: String, present: [String]) -> SheetError {
        if present.isEmpty {
            return SheetError(.notFound, "Le classeur ne contient aucune feuille de calcul.")
        }
        let list = present.map(quoted).joined(separator: ", ")
        return SheetError(.notFound, "Le classeur ne contient pas de feuille \(quoted(name)) : feuilles présentes : \(list). Choisissez l'une d'elles.")
    }
}
