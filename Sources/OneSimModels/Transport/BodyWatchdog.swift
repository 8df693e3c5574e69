import AsyncHTTPClient
import NIOCore
import Synchronization

/// Why a `BodyWatchdog` fired.
enum BodyTimeout: Sendable, Hashable {
    /// Nothing arrived for the idle (read) timeout.
    case idle(Duration)
    /// The call's total deadline passed.
    case deadline(Duration)

    /// The error a call that timed out this way ends with.
    func error(url: String) -> ModelError {
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
/// The reader calls `touch()` for every chunk and `stop()` when it is done. The watchdog keeps
/// one scheduled task on an event loop; a chunk only stores the time under an uncontended lock,
/// and the timer, when it fires early because chunks arrived, re-arms itself for the remaining
/// time (it is never rescheduled per chunk). `onFire` is called at most once, never after `stop()`.
final class BodyWatchdog: Sendable {
    private struct State {
        var lastActivity: NIODeadline
        var scheduled: Scheduled<Void>?
        var onFire: (@Sendable () -> Void)?
        var fired: BodyTimeout?
        var stopped = false
    }

    private let idle: Duration
    private let total: Duration
    private let idleAmount: TimeAmount
    private let deadline: NIODeadline
    private let eventLoop: any EventLoop
    private let state: Mutex<State>

    /// A watchdog for a body whose call started at `start` with `total` as its whole budget,
    /// allowing at most `idle` between chunks (counted from now).
    init(idle: Duration, total: Duration, start: NIODeadline, eventLoop: any EventLoop = HTTPClient.defaultEventLoopGroup.any()) {
        self.idle = idle
        self.total = total
        self.idleAmount = idle.timeAmount
        self.deadline = start + total.timeAmount
        self.eventLoop = eventLoop
        self.state = Mutex(State(lastActivity: .now()))
    }

    /// Why it fired, or `nil` while it has not.
    var fired: BodyTimeout? { state.withLock { $0.fired } }

    /// Starts watching; `onFire` runs (on an event loop) when a timeout is hit.
    func arm(onFire: @escaping @Sendable () -> Void) {
        state.withLock { s in
            guard !s.stopped, s.onFire == nil else { return }
            s.onFire = onFire
            s.lastActivity = .now()
            s.scheduled = schedule(at: min(s.lastActivity + idleAmount, deadline))
        }
    }

    /// A chunk arrived.
    func touch() {
        let now = NIODeadline.now()
        state.withLock { $0.lastActivity = now }
    }

    /// The body is done (or failed): no timeout fires after this.
    func stop() {
        let scheduled: Scheduled<Void>? = state.withLock { s in
            s.stopped = true
            s.onFire = nil
            defer { s.scheduled = nil }
            return s.scheduled
        }
        scheduled?.cancel()
    }

    private func schedule(at when: NIODeadline) -> Scheduled<Void> {
        eventLoop.scheduleTask(deadline: when) { [self] in check() }
    }

    /// The timer went off: fires, or re-arms when a chunk came since it was set.
    private func check() {
        let now = NIODeadline.now()
        let action: (@Sendable () -> Void)? = state.withLock { s in
            guard !s.stopped, let onFire = s.onFire else { return nil }
            if now >= deadline {
                s.fired = .deadline(total)
            } else if now >= s.lastActivity + idleAmount {
                s.fired = .idle(idle)
            } else {
                s.scheduled = schedule(at: min(s.lastActivity + idleAmount, deadline))
                return nil
            }
            s.onFire = nil
            s.scheduled = nil
            return onFire
        }
        action?()
    }
}
