import OneSimModels

// Random text and JSON for property tests (parsers, codecs).

/// Pieces that stress the parsers: fences, JSON punctuation, escapes, CRLF, and non-ASCII text.
let trickyFragments: [String] = [
    "```", "```json", "\n```\n", "``", "`", "{", "}", "[", "]", "\"", "\\", "\\\"", "'", "//", "/*", "*/", ",", ":",
    "\n", "\r\n", "\t", "\u{0}", "\u{1F}", "True", "None", "null", "“", "”", "‘", "’", "é", "中文", "𝄞", "😀",
    "👩‍👩‍👧", "e\u{301}", "مرحبا", "\u{FEFF}", "\u{2028}", "\u{A0}", " ",
]

/// A random Unicode scalar: mostly printable, sometimes control, astral or combining.
func randomScalar(_ rng: inout some RandomNumberGenerator) -> Unicode.Scalar {
    while true {
        let value: UInt32
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<5: value = UInt32.random(in: 0x20...0x7E, using: &rng)
        case 5: value = UInt32.random(in: 0x00...0x1F, using: &rng)
        case 6: value = UInt32.random(in: 0x80...0x7FF, using: &rng)
        case 7: value = UInt32.random(in: 0x800...0xFFFF, using: &rng)
        case 8: value = UInt32.random(in: 0x10000...0x10FFFF, using: &rng)
        default: value = UInt32.random(in: 0x300...0x36F, using: &rng)
        }
        if let scalar = Unicode.Scalar(value) { return scalar }  // skips surrogates
    }
}

func randomString(_ rng: inout some RandomNumberGenerator, maxParts: Int = 8) -> String {
    var s = ""
    for _ in 0..<Int.random(in: 0...maxParts, using: &rng) {
        if Bool.random(using: &rng) {
            s += trickyFragments.randomElement(using: &rng)!
        } else {
            s.unicodeScalars.append(randomScalar(&rng))
        }
    }
    return s
}

func randomJSON(_ rng: inout some RandomNumberGenerator, depth: Int = 0) -> JSONValue {
    switch Int.random(in: 0..<(depth >= 3 ? 6 : 9), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &rng))
    case 3: return .int(Int.random(in: Int.min...Int.max, using: &rng))
    case 4: return .double(Double.random(in: -1e9...1e9, using: &rng) * (Bool.random(using: &rng) ? 1 : 1e-12))
    case 5: return .string(randomString(&rng))
    case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1) })
    default:
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            members[randomString(&rng, maxParts: 3)] = randomJSON(&rng, depth: depth + 1)
        }
        return .object(members)
    }
}
