import ArgumentParser

/// Range checks of numeric command-line flags: a value outside the range is a usage error
/// naming the flag, never a crash further down (a port of 99999, a latency that overflows).
enum FlagRange {
    /// Throws a `ValidationError` naming `flag` when `value` is outside `range`.
    static func check(_ flag: String, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be from \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
    }
}
