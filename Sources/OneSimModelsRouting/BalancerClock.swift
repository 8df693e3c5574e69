import OneSimModelsCore

/// A balancer's clock, type-erased: times are `Duration`s since the balancer was created.
///
/// Any `Clock<Duration>` works (`ContinuousClock` in production, a manual clock in tests).
package struct BalancerClock: Sendable {
    /// The time now, as a `Duration` since the balancer was created.
    package let now: @Sendable () -> Duration
    /// Sleeps until the given time; throws `CancellationError` when the task is cancelled.
    package let sleepUntil: @Sendable (Duration) async throws -> Void

    /// Erases `clock`, measuring from its current instant.
    package init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleepUntil = { time in try await clock.sleep(until: origin.advanced(by: time), tolerance: nil) }
    }
}
