import Foundation
import OneSimModelsCore

/// Small conversions shared by the usage files (kept internal and distinctly named so they never
/// clash with helpers of other layers).
enum UsageMath {
    /// `duration` in whole nanoseconds, clamped to `0...Int64.max`.
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (s, atto) = duration.components
        guard s >= 0 else { return 0 }
        let (scaled, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(atto / 1_000_000_000)
        return overflow2 ? .max : max(sum, 0)
    }

    /// Wall-clock time as Unix seconds (used only to line up snapshots of several processes).
    static func unixNow() -> Double { Date().timeIntervalSince1970 }

    /// A fresh random identifier.
    static func newID() -> String { UUID().uuidString.lowercased() }
}
