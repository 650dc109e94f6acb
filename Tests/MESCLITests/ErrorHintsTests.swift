import Testing
@testable import MESCLI
import MESCore

/// Service messages name no flag or command; the command line words their remedies. These
/// pin the words people saw before the wording moved out of the service.
@Suite struct ErrorHintsTests {
    @Test func remediesAreWordedAsTheyWere() {
        let closed = MESError(.fileExists, "Mon espace santé est clôturé, mais le justificatif de clôture n'a pas pu être écrit (Le fichier existe déjà : c.pdf).",
                              field: "receipt", remedy: .reissueReceipt("JC-ABC"))
        #expect(ErrorHints.decorate(closed).message == "Mon espace santé est clôturé, mais le justificatif de clôture n'a pas pu être écrit "
                + "(Le fichier existe déjà : c.pdf). Pour l'obtenir : mes receipt --id JC-ABC -o FICHIER (--force pour le remplacer)")
        let demo = MESError(.storeNotEmpty, "La base D ne contient pas les personnes de démonstration : lancez la démo sur une autre base.",
                            field: "store", remedy: .demoOnAnotherStore)
        #expect(ErrorHints.decorate(demo).message
                == "La base D ne contient pas les personnes de démonstration : lancez la démo sur une autre base (mes --store DIR demo).")
        let clock = MESError(.storeNotEmpty, "La base D existe déjà et n'est pas une base de test : l'horloge fixe n'y sera pas acceptée.",
                             field: "test-clock", remedy: .fixedClockForTestStores)
        #expect(ErrorHints.decorate(clock).message
                == "La base D existe déjà et n'est pas une base de test : l'horloge fixe (--now) n'y sera pas acceptée.")
        let minor = MESError(.legalRepresentativeRequired, "Ce profil est celui d'une personne mineure : la ligne doit certifier l'accord de son représentant légal.",
                             field: "legal_representative", remedy: .certifyRow)
        #expect(ErrorHints.decorate(minor).message == "Ce profil est celui d'une personne mineure : la ligne doit certifier l'accord de son "
                + "représentant légal (colonne legal_representative : oui, ou --legal-representative pour toutes les lignes) (--legal-representative).")
        #expect(ErrorHints.decorate(MESError(.nowRefused, "x", field: "now")).message
                == "--now (or MES_NOW) is honoured only by a store made for tests (mes init --test-clock); this store keeps the system time")
    }

    @Test func everyCodeHasTheStatusOfItsCatalogueEntry() {
        // No override: an error's status is its code's, and `.invalid` takes 65 codes only.
        for code in ErrorCode.allCases { #expect(MESError(code, "x").status == code.status) }
        #expect(ErrorCode.noReceipt.status == .refused && ErrorCode.receiptNotFound.status == .invalidData)
        #expect(Set(ErrorCode.allCases.map(\.rawValue)).count == ErrorCode.allCases.count)
    }
}
