/// Passwords too common to accept (folded: lower case, no accents). A short list shipped with
/// mes: the international top of leaked passwords plus French words and names people use.
enum CommonPasswords {
    static let set: Set<String> = [
        "000000", "1111", "111111", "11111111", "112233", "121212", "123123", "123321", "1234", "12345",
        "123456", "1234567", "12345678", "123456789", "1234567890", "123qwe", "131313", "159753", "1qaz2wsx", "2000",
        "555555", "654321", "666666", "777777", "7777777", "987654321", "aaaaaa", "abc123", "abcd1234", "abcdef",
        "access", "admin", "administrateur", "algerie", "amanda", "ameli", "amour", "andrew", "aout", "asdfgh",
        "ashley", "audrey", "aurelie", "austin", "automne", "avril", "azerty", "azerty123", "azertyuiop", "baseball",
        "batman", "bebe", "bienvenue", "bisous", "biteme", "bonjour", "bordeaux", "buster", "camille", "caramel",
        "celine", "changeme", "charlie", "chat", "chaton", "cheese", "chelsea", "cherie", "chien", "chocolat",
        "chouchou", "christophe", "coeur", "computer", "coucou", "dallas", "daniel", "darling", "decembre", "dimanche",
        "doudou", "doudou1", "doudoune", "doudounette", "dragon", "egalite", "emilie", "espacesante", "ete", "famille",
        "fevrier", "football", "football1", "fortnite", "france", "fraternite", "frederic", "freedom", "george", "ginger",
        "harley", "hiver", "hockey", "hunter", "iloveyou", "isabelle", "janvier", "jeanne", "jennifer", "jessica",
        "jetaime", "jeudi", "jordan", "joshua", "juillet", "juin", "julie", "julien", "killer", "klaster",
        "laetitia", "letmein", "liberte", "lili", "lille", "lolo", "loulou", "love", "lulu", "lundi",
        "lyon", "maggie", "mai", "mamour", "mardi", "marie", "maroc", "mars", "marseille", "master",
        "matrix", "matthew", "mercredi", "michael", "michelle", "minecraft", "mobilemail", "mom", "monespacesante", "monitor",
        "monitoring", "monkey", "montana", "moon", "moscow", "motdepasse", "motdepasse1", "mustang", "nantes", "naruto",
        "nathalie", "nicolas", "nicole", "nounours", "novembre", "octobre", "olivier", "p@ssw0rd", "paris", "pass",
        "passw0rd", "password", "password1", "pepper", "philippe", "pierre", "pokemon", "portugal", "poupette", "princess",
        "printemps", "pupuce", "qazwsx", "qwerty", "qwerty123", "qwertyuiop", "ranger", "robert", "samedi", "sandrine",
        "santesante", "sebastien", "secret", "securite", "septembre", "shadow", "soccer", "soleil", "sophie", "starwars",
        "stephane", "summer", "sunshine", "superman", "tata", "taylor", "tete", "thomas", "thunder", "tigger",
        "titi", "toto", "toulouse", "tresor", "trustno1", "tunisie", "tutu", "utilisateur", "vacances", "valerie",
        "vendredi", "welcome", "yankees", "zxcvbn", "zxcvbnm",
    ]
}
