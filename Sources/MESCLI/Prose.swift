import MESCore

/// The man page's hand-written sections (English).
enum Prose {
    static let description = """
    mes implements the enrolment service of France's Mon espace santé: validating social-security numbers (NIR) and Carte Vitale serials, issuing single-use provisional codes, identifying a person, recording an opposition or an activation, producing the opposition receipt (PDF), managing the profiles attached to a holder, and doing all that in batch for associations. It also produces realistic valid or deliberately invalid fixtures for other projects' tests.

    People read French (the service's own wording); scripts read stable snake_case codes and JSON (--json). Results go to standard output, diagnostics to standard error. A command that fails changes nothing.
    """

    static let environment: [(String, String)] = [
        ("MES_HOME", "Data directory, when --store is not given."),
        ("XDG_DATA_HOME", "When neither --store nor MES_HOME is set, the data directory is $XDG_DATA_HOME/mes (else ~/.local/share/mes)."),
        ("MES_NOW", "Fixed clock (ISO 8601, e.g. 2022-02-03T10:00:00Z) when --now is not given: outputs become reproducible."),
    ]

    static let sections: [(String, String)] = [
        ("RULE SETS", """
            Every NIR is cleaned first: spaces, dots and dashes are ignored, surrounding tabs and carriage returns are dropped, 2a/2b are upper-cased. The key is 97 minus the first 13 digits modulo 97, with department 2A counted as 19 and 2B as 18 (one key function serves all three rule sets).

            insee (default): the structure INSEE allocates. Sex 1 or 2, or 3, 4, 7, 8 for temporary numbers; month 01 to 12 or the pseudo-months 20, 30 to 42 and 50 to 99; department 01 to 95, 2A, 2B, overseas 97x or 98x (x not 0) followed by a 2-digit commune, or 99 followed by a country code for births abroad; commune (or country) and order number not 000; and the key. It never accepts a NIR that python-stdnum rejects, separators aside (stdnum does not accept dashes).

            stdnum: exactly the verdict of python-stdnum's stdnum.fr.nir.is_valid, its cleaning included (Unicode look-alike digits, spaces and dots mapped as stdnum.util does, spaces and dots removed, Python whitespace stripped, upper-cased): 15 characters, digits except 2A or 2B at the department, and the key. For users who must agree with stdnum.

            app: what the official enrolment app accepts: exactly 15 characters ("Le numéro de sécurité sociale doit contenir 15 caractères"), sex 1 or 2, month 01 to 12, a 2-digit department or 2A/2B, and the key; anything else is "Format invalide, vérifier le format du numéro de sécurité sociale".

            Reasons (the JSON reason field): empty, length, character, sex, month, department, commune, order, key.
            """),
        ("JSON OUTPUT", """
            With --json every command prints one JSON document on standard output (objects carry "schema_version": 1; later versions only add fields). Commands that stream many inputs (nir check, nir generate, batch oppose) print JSON Lines, one object per input, in input order.

            nir check: {"input", "valid", "nir", "formatted"} for a valid NIR; {"input", "valid": false, "reason", "code", "message"} for an invalid one. nir generate: {"nir", "valid", "reason"}.

            Errors: under --json an error is a JSON document on standard error: {"schema_version": 1, "error": {"code", "message", "field", "exit"}}. Without --json it is one line, "mes: FIELD: message". The code is stable; the message is French.
            """),
    ]
}
