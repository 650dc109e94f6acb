import Testing
import MESCore

@Suite struct PostalAddressTests {
    @Test func aCommaSeparatedAddressBecomesTheBlock() {
        let a = PostalAddress(name: "Martine Leguellec", address: "12 rue des Lilas, 44000 Nantes")
        #expect(a.lines == ["Martine Leguellec", "12 rue des Lilas", "44000 NANTES"])
        #expect(a.isStandard)
    }

    @Test func spacesControlsAndLineBreaksAreCleaned() {
        let a = PostalAddress(name: " Martine\u{200B}  Leguellec ", address: "  12  rue des\tLilas \u{7}\r\n\r\n44000   Nantes\r\n")
        #expect(a.lines == ["Martine Leguellec", "12 rue des Lilas", "44000 NANTES"])
        #expect(a.isStandard)
        // Line breaks decide the lines: commas inside a line stay as typed.
        let b = PostalAddress(name: "A B", address: "Appartement 4, escalier B\n12 rue des Lilas\n44000 Nantes")
        #expect(b.lines == ["A B", "Appartement 4, escalier B", "12 rue des Lilas", "44000 NANTES"])
    }

    @Test func aHouseNumberKeepsItsStreetWithoutAComma() {
        #expect(PostalAddress(name: "A B", address: "12, rue des Lilas, 44000 Nantes").lines == ["A B", "12 rue des Lilas", "44000 NANTES"])
        #expect(PostalAddress(name: "A B", address: "12 bis, rue des Lilas, 44000 Nantes").lines[1] == "12 bis rue des Lilas")
        #expect(PostalAddress(name: "A B", address: "12, rue des Lilas\n44000 Nantes").lines[1] == "12 rue des Lilas")
    }

    @Test func thePostcodeIsFoundWhereverTheTownStarts() {
        #expect(PostalAddress(name: "A B", address: "12 rue du 8 Mai 1945 44000 Nantes").lines == ["A B", "12 rue du 8 Mai 1945", "44000 NANTES"])
        #expect(PostalAddress(name: "A B", address: "12 rue des Lilas, 44000, Nantes").lines == ["A B", "12 rue des Lilas", "44000 NANTES"])
        #expect(PostalAddress(name: "A B", address: "12 rue des Lilas, 44 000 Nantes").lines.last == "44000 NANTES")
        #expect(PostalAddress(name: "A B", address: "BP 12, 75009 Paris Cedex 09").lines.last == "75009 PARIS CEDEX 09")
    }

    @Test func theTownLineIsUnaccentedCapitalsDigitsAndSpaces() {
        #expect(PostalAddress(name: "A B", address: "1 place Bellevue, 94240 L'Haÿ-les-Roses").lines.last == "94240 L HAY LES ROSES")
        #expect(PostalAddress(name: "A B", address: "3 rue Haute, 76800 Saint-Étienne-du-Rouvray").lines.last == "76800 SAINT ETIENNE DU ROUVRAY")
        #expect(PostalAddress(name: "A B", address: "3 rue Haute, 67000 Œuvre-Łódź").lines.last == "67000 OEUVRE LODZ")
        for line in PostalAddress(name: "A B", address: "3 rue Haute, 76800 Saint-Étienne-du-Rouvray").lines.suffix(1) {
            #expect(line.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == " " })
        }
    }

    @Test func theNameIsPrintedAsTyped() {
        let a = PostalAddress(name: "Łukasz Dvořák-Ørsted", address: "5 allée des Pins, 29200 Brest")
        #expect(a.lines.first == "Łukasz Dvořák-Ørsted")
        #expect(a.isStandard)
    }

    @Test func aLongLineIsAbbreviatedOnlyWhenNeeded() {
        // 42 characters: the type of way is abbreviated, nothing else.
        let a = PostalAddress(name: "A B", address: "145 boulevard de la Reine Marie-Antoinette, 78000 Versailles")
        #expect(a.lines[1] == "145 BD de la Reine Marie-Antoinette")
        #expect(a.isStandard)
        // Short enough: left as typed.
        #expect(PostalAddress(name: "A B", address: "2 boulevard Voltaire, 75011 Paris").lines[1] == "2 boulevard Voltaire")
        // A town of 45 characters: SAINT → ST.
        let town = PostalAddress(name: "A B", address: "1 rue Haute, 51300 Saint-Rémy-en-Bouzemont-Saint-Genest-et-Isson")
        #expect(town.lines.last == "51300 ST REMY EN BOUZEMONT ST GENEST ET ISSON")
        #expect(town.problems == [.lineTooLong(line: 3, length: 45)])
    }

    @Test func whatDoesNotFitIsReportedNeverCut() {
        let long = "12 boulevard du Maréchal Jean-Marie de Lattre de Tassigny"
        let a = PostalAddress(name: "A B", address: "\(long), 75016 Paris")
        #expect(a.lines[1] == "12 BD du MAL Jean-Marie de Lattre de Tassigny")
        #expect(a.problems == [.lineTooLong(line: 2, length: 45)])
        #expect(!a.isStandard)
        let name = "Marie-Françoise Élisabeth de La Rochefoucauld-Montbel"
        let b = PostalAddress(name: name, address: "1 rue Haute, 44000 Nantes")
        #expect(b.lines[0] == name)
        #expect(b.problems == [.lineTooLong(line: 1, length: name.count)])
        let c = PostalAddress(name: "A B", address: "Chez M. X\nAppartement 4\nEscalier B\nRésidence Les Pins\nBâtiment C\n12 rue des Lilas\n44000 Nantes")
        #expect(c.lines.count == 8)
        #expect(c.problems == [.tooManyLines(8)])
    }

    @Test func anAddressWithoutPostcodeOrNoneIsReported() {
        let a = PostalAddress(name: "A B", address: "12 rue de la République")
        #expect(a.lines == ["A B", "12 rue de la République"])
        #expect(a.problems == [.noPostcodeAndTown])
        #expect(PostalAddress(name: "A B", address: nil).problems == [.noAddress])
        #expect(PostalAddress(name: "A B", address: " \n , ").problems == [.noAddress])
        #expect(PostalAddress(name: "A B", address: " \n , ").lines == ["A B"])
    }

    @Test func problemsAreSaidInFrenchWithoutTheAddress() {
        #expect(PostalAddress.Problem.lineTooLong(line: 2, length: 45).message
                == "ligne 2 de l'adresse de 45 caractères : la norme postale en admet 38 au plus")
        #expect(PostalAddress.Problem.tooManyLines(8).message == "adresse de 8 lignes : la norme postale en admet 6 au plus")
        #expect(PostalAddress.Problem.noAddress.message == "aucune adresse postale")
        #expect(PostalAddress.Problem.noPostcodeAndTown.message.contains("code postal à 5 chiffres"))
    }
}
