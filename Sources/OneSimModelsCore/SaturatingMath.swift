/// Integer arithmetic on counts that come from outside (token counts in provider replies,
/// limits in configs): it saturates at the bounds of `Int` instead of trapping.
extension Int {
    /// `self + other`, or `Int.max` / `Int.min` when the sum does not fit.
    @inlinable
    package func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, or `Int.max` / `Int.min` when the difference does not fit.
    @inlinable
    package func saturatingSubtract(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other < 0 ? .max : .min
    }
}
