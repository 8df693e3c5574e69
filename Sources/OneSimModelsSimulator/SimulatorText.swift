import Foundation

/// The simulator's deterministic text and vector helpers.
public enum SimulatorText {
    /// Token count used in `usage`: whitespace-separated words (at least 1 for non-empty text).
    public static func tokens(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
            }
        }
        return count
    }

    /// The first `limit` words of `text` (for `max_tokens` truncation).
    public static func prefix(_ text: String, words limit: Int) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        return words.prefix(limit).joined(separator: " ")
    }

    /// A deterministic unit vector for `text` (FNV-1a seeded per dimension).
    public static func embedding(_ text: String, dimensions: Int) -> [Float] {
        var vector = [Float](repeating: 0, count: dimensions)
        let bytes = Array(text.utf8)
        for d in 0..<dimensions {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(d &* 0x9E37_79B9)
            for b in bytes {
                hash ^= UInt64(b)
                hash = hash &* 0x100_0000_01b3
            }
            vector[d] = Float(Double(hash % 2_000_001) / 1_000_000.0 - 1.0)
        }
        let norm = sqrt(vector.reduce(0) { $0 + $1 * $1 })
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}
