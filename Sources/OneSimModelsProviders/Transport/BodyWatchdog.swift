import AsyncHTTPClient
import NIOCore
import OneSimModelsCore
import Synchronization

/// Why a `BodyWatchdog` fired.
enum BodyTimeout: Sendable, Hashable {
    /// Nothing arrived for the idle (read) timeout.
    case idle(Duration)
    /// The call's total deadline passed.
    case deadline(Duration)

    /// The error a call that timed out this way ends with.
    func error(url: String) -> ModelError {
        let url = redactedURL(url)
        switch self {
        case .idle(let idle):
            return ModelError(.timeout, "no data from \(url) for \(idle.seconds) s (read timeout)")
        case .deadline(let total):
            return ModelError(.timeout, "no complete response from \(url) within the total timeout of \(total.seconds) s")
        }
    }
}

/// Bounds the reading of one response body: fires once, calling `onFire`, when no chunk arrived
/// for `idle` or when `deadline` has passed, whichever comes first.
///
/// The reader calls `touch()` for every chunk and `stop()` when it is done. Arming puts the
/// watchdog in the process's `TimeoutWheel` and stopping takes it out (a dictionary insert and
/// remove); a chunk only stores the time in an atomic. When the wheel reaches the watchdog and
/// chunks came since, it moves it to its new due slot. `onFire` is called at most once, never
/// after `stop()`, up to one wheel tick (100 ms) after the timeout is due.
final class BodyWatchdog: Sendable {
    private struct State {
        var slot: TimeoutWheel.Slot?
        var onFire: (@Sendable () -> Void)?
        var fired: BodyTimeout?
        var stopped = false
    }

    private let idle: Duration
    private let total: Duration
    private let idleAmount: TimeAmount
    private let deadline: NIODeadline
    private let wheel: TimeoutWheel
    /// When the last chunk arrived (uptime nanoseconds).
    private let lastActivity: Atomic<UInt64>
    /// Set while the reader waits for its own consumer (backpressure): the idle timeout does
    /// not run then, the deadline does.
    private let paused = Atomic(false)
    private let state = Mutex(State())

    /// A watchdog for a body whose call started at `start` with `total` as its whole budget,
    /// allowing at most `idle` between chunks (counted from `arm`).
    init(idle: Duration, total: Duration, start: NIODeadline, wheel: TimeoutWheel = .shared) {
        self.idle = idle
        self.total = total
        self.idleAmount = idle.timeAmount
        self.deadline = start + total.timeAmount
        self.wheel = wheel
        self.lastActivity = Atomic(NIODeadline.now().uptimeNanoseconds)
    }

    /// Why it fired, or `nil` while it has not.
    var fired: BodyTimeout? { state.withLock { $0.fired } }

    /// When the watchdog is next due, given the last chunk.
    private var due: NIODeadline {
        min(NIODeadline.uptimeNanoseconds(lastActivity.load(ordering: .relaxed)) + idleAmount, deadline)
    }

    /// Starts watching; `onFire` runs (on an event loop) when a timeout is hit.
    func arm(onFire: @escaping @Sendable () -> Void) {
        let armed = state.withLock { s in
            guard !s.stopped, s.onFire == nil else { return false }
            s.onFire = onFire
            return true
        }
        guard armed else { return }
        touch()
        place(wheel.insert(self, due: due))
    }

    /// A chunk arrived.
    func touch() {
        touch(at: .now())
    }

    /// A chunk arrived at `time`.
    func touch(at time: NIODeadline) {
        lastActivity.store(time.uptimeNanoseconds, ordering: .relaxed)
    }

    /// The reader stops reading because its consumer is behind: until `resume()`, the idle
    /// timeout does not count (the server is not silent, we are not asking); the total
    /// deadline still does.
    func pause() {
        paused.store(true, ordering: .relaxed)
    }

    /// The reader reads again: the idle timeout counts from now.
    func resume() {
        resume(at: .now())
    }

    /// The reader reads again from `time`: the idle timeout counts from then.
    func resume(at time: NIODeadline) {
        touch(at: time)
        paused.store(false, ordering: .relaxed)
    }

    /// The body is done (or failed): no timeout fires after this.
    func stop() {
        let slot: TimeoutWheel.Slot? = state.withLock { s in
            s.stopped = true
            s.onFire = nil
            defer { s.slot = nil }
            return s.slot
        }
        if let slot { wheel.remove(slot) }
    }

    /// Records where the wheel put it; takes it out again if it was stopped meanwhile.
    private func place(_ slot: TimeoutWheel.Slot) {
        let stopped = state.withLock { s in
            if !s.stopped { s.slot = slot }
            return s.stopped
        }
        if stopped { wheel.remove(slot) }
    }

    /// The wheel reached this watchdog's slot (and took it out): fires, or goes back in for its
    /// new due time when chunks came since.
    func wheelVisit(now: NIODeadline, wheel: TimeoutWheel) {
        if paused.load(ordering: .relaxed) { touch(at: now) }
        let due = self.due
        let action: (@Sendable () -> Void)? = state.withLock { s in
            guard !s.stopped, let onFire = s.onFire else { return nil }
            if now >= deadline {
                s.fired = .deadline(total)
            } else if now >= due {
                s.fired = .idle(idle)
            } else {
                return nil
            }
            s.onFire = nil
            s.slot = nil
            return onFire
        }
        if let action {
            action()
        } else if !state.withLock({ $0.stopped }) {
            place(wheel.insert(self, due: due))
        }
    }
}
