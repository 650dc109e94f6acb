/// A count with its French noun: `1 personne`, `2 personnes`, `0 personne` (French puts 0 and 1
/// in the singular).
func plural(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n > 1 ? many : one)" }
