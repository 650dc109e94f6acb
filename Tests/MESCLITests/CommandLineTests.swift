import Foundation
import Testing
@testable import MESCLI
import MESCore

@Suite struct CommandLineTests {
    @Test func nirCheckTextAndStatus() {
        let ok = mes(["nir", "check", "1 16 30 44 038 016 18"])
        #expect(ok.status == 0)
        #expect(ok.stdout == "1 16 30 44 038 016 18\tvalide\n")
        let bad = mes(["nir", "check", "1 16 30 44 038 016 18", "1 55 12 55 555 555 55"])
        #expect(bad.status == 65)
        #expect(bad.stdout.contains("1 55 12 55 555 555 55\tinvalide (key)"))
    }

    @Test func nirCheckJSONLinesFromStdinInOrder() {
        let r = mes(["nir", "check", "--json"], stdin: "116304403801618\r\nabc\n\n253072B07300470")
        #expect(r.status == 65)
        let lines = r.jsonLines
        // The blank line is skipped and counted (issue 33), not a row.
        #expect(lines.count == 3)
        #expect(lines[0]["valid"] as? Bool == true)
        #expect(lines[0]["nir"] as? String == "116304403801618")
        #expect(lines[1]["reason"] as? String == "character")
        #expect(lines[1]["input"] as? String == "abc")
        #expect(lines[2]["formatted"] as? String == "2 53 07 2B 073 004 70")
        #expect(r.stderr.contains("1 ligne vide ignorée"))
        // Given as an argument, an empty NIR is still a row: reason empty.
        #expect(mes(["nir", "check", "--json", ""]).jsonLines.first?["reason"] as? String == "empty")
    }

    @Test func dashReadsStdin() {
        #expect(mes(["nir", "check", "-"], stdin: "116304403801618\n").status == 0)
    }

    @Test func rulesOption() {
        #expect(mes(["nir", "check", "--rules", "app", "116304403801618"]).status == 65)
        #expect(mes(["nir", "check", "--rules=insee", "116304403801618"]).status == 0)
        let r = mes(["nir", "check", "--rules", "strict", "x"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--rules : une valeur parmi insee, stdnum, app"), "\(r.stderr)")
    }

    @Test func unknownFlagAndMissingValueAreUsageErrorsThatNameThem() {
        let a = mes(["nir", "check", "--frobnicate"])
        #expect(a.status == 64)
        #expect(a.stderr.contains("--frobnicate"))
        let b = mes(["vitale", "check", "--card"])
        #expect(b.status == 64)
        #expect(b.stderr.contains("--card attend une valeur"))
        let c = mes(["vitale", "check", "123"])
        #expect(c.status == 64)
        #expect(c.stderr.contains("option obligatoire absente : --card"))
        let d = mes(["nope"])
        #expect(d.status == 64)
        #expect(d.stderr.contains("commande inconnue « nope »"))
        #expect(mes([]).status == 0)
    }

    @Test func errorsInJSONGoToStderrWithStableCode() {
        let r = mes(["--json", "vitale", "check", "--card", "photo", "12"])
        #expect(r.status == 65)
        // The result row on standard output (issue 33), the error on standard error.
        #expect(r.json["valid"] as? Bool == false && r.json["code"] as? String == "serial_photo_length" && r.json["input"] as? String == "12")
        #expect(r.errorJSON["code"] as? String == "serial_photo_length")
        #expect(r.errorJSON["field"] as? String == "serial")
        #expect(r.errorJSON["exit"] as? Int == 65)
    }

    @Test func nirFormatKeyAndFields() {
        #expect(mes(["nir", "format", "116304403801618"]).stdout == "1 16 30 44 038 016 18\n")
        let j = mes(["nir", "format", "--json", "2 53 07 2B 073 004 70"]).json
        #expect(j["department"] as? String == "2B")
        #expect(j["schema_version"] as? Int == 2)
        #expect(mes(["nir", "key", "1 16 30 44 038 016"]).stdout == "18\n")
        #expect(mes(["nir", "key", "253072A073004"]).stdout == "43\n")
        #expect(mes(["nir", "key", "12345"]).status == 65)
        #expect(mes(["nir", "format", "1 55 12 55 555 555 55"]).status == 65)
    }

    @Test func generateIsReproducibleAndLabelled() {
        let a = mes(["nir", "generate", "--count", "20", "--seed", "abc"]).stdout
        #expect(a == mes(["nir", "generate", "--count", "20", "--seed", "abc"]).stdout)
        #expect(a != mes(["nir", "generate", "--count", "20", "--seed", "abd"]).stdout)
        #expect(mes(["nir", "check"], stdin: a).status == 0)
        let bad = mes(["nir", "generate", "--count", "50", "--seed", "1", "--invalid", "--json"]).jsonLines
        #expect(bad.count == 50)
        for line in bad {
            let nir = line["nir"] as! String
            let check = mes(["nir", "check", "--json", nir]).jsonLines.first!
            #expect(check["reason"] as? String == line["reason"] as? String)
        }
        #expect(mes(["nir", "generate", "--count", "0"]).status == 64)
        #expect(mes(["nir", "generate", "--count", "3", "--reason", "key"]).status == 64)
    }

    @Test func vitaleCheck() {
        let r = mes(["vitale", "check", "--card", "photo", "0102457612 4"])
        #expect(r.status == 0)
        #expect(mes(["vitale", "check", "--card", "plain", "95370116a"]).stderr.contains("Saisir uniquement des chiffres"))
    }

    @Test func helpOnEveryCommandAndHelpCommand() {
        for c in CommandTable.all {
            let r = mes(c.path + ["--help"])
            #expect(r.status == 0, "\(c.name)")
            #expect(r.stdout.hasPrefix("USAGE: mes \(c.name)"), "\(c.name)")
            #expect(mes(["help"] + c.path).stdout == r.stdout)
        }
        #expect(mes(["--help"]).stdout.contains("EXIT STATUS"))
        #expect(mes(["nir", "--help"]).stdout.contains("nir generate"))
    }

    @Test func version() {
        #expect(mes(["--version"]).stdout == "mes \(MES.version)\n")
        #expect(mes(["--json", "--version"]).json["version"] as? String == MES.version)
    }
}
