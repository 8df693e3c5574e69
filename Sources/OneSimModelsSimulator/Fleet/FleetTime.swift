/// Conversions between `Duration` and seconds as `Double`, for the fleet model's arithmetic.
/// Seconds are clamped to 0...1e9 (31 years), so no conversion can trap.
enum FleetTime {
    /// The largest time the model represents, in seconds.
    static let maximumSeconds = 1e9

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        let c = duration.components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    /// `seconds` as a Duration, rounded to the nearest nanosecond; NaN and negatives give zero,
    /// huge values the maximum.
    static func duration(_ seconds: Double) -> Duration {
        guard seconds.isFinite, seconds > 0 else { return .zero }
        let clamped = min(seconds, maximumSeconds)
        return .nanoseconds(Int64((clamped * 1e9).rounded()))
    }
}

/// Adds without overflowing: saturates at `Int.max` (counters of a long-running server).
@inline(__always)
func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? Int.max : Int.min) : sum
}
