import AsyncHTTPClient
import NIOCore
import OneSimModelsCore
import Synchronization

/// The one coarse timer behind every `BodyWatchdog` of the process: a hashed timing wheel.
///
/// Arming and disarming a watchdog is a dictionary insert and remove under one lock: no timer
/// is scheduled per call (an event-loop timer per call, scheduled and cancelled from outside
/// the loop, costs a wake-up of the loop each time). One repeated task on an event loop advances
/// the wheel every `resolution`; it visits only the slot that is due, so a watchdog whose body
/// finished before its timeout is never looked at, and a long stream is looked at once per
/// timeout period (or once per turn of the wheel). A timeout fires at most one `resolution`
/// (plus event-loop jitter) after it is due.
final class TimeoutWheel: Sendable {
    /// Where a watchdog sits in the wheel.
    struct Slot: Sendable, Hashable {
        var index: Int
        var id: UInt64
    }

    private struct State {
        var slots: [[UInt64: BodyWatchdog]]
        /// The last tick processed.
        var tick: UInt64 = 0
        var nextID: UInt64 = 0
        var running = false
    }

    /// The process's wheel: 100 ms ticks, 512 slots (51 s per turn).
    static let shared = TimeoutWheel(resolution: .milliseconds(100), slotCount: 512)

    let resolution: TimeAmount
    /// Tick 0.
    let origin: NIODeadline
    private let ticksItself: Bool
    private let state: Mutex<State>

    /// A wheel of `slotCount` slots of `resolution`. With `ticksItself` false nothing advances it
    /// but `advance(now:)` (tests drive it with their own times).
    init(resolution: TimeAmount, slotCount: Int, ticksItself: Bool = true) {
        self.resolution = resolution
        self.origin = .now()
        self.ticksItself = ticksItself
        self.state = Mutex(State(slots: Array(repeating: [:], count: max(1, slotCount))))
    }

    /// How many watchdogs are in the wheel.
    var count: Int { state.withLock { $0.slots.reduce(0) { $0 + $1.count } } }

    /// The tick at or after `deadline` (saturating: a distant deadline is a distant tick).
    private func tick(after deadline: NIODeadline) -> UInt64 {
        guard deadline > origin else { return 0 }
        let nanos = deadline.uptimeNanoseconds - origin.uptimeNanoseconds
        let step = UInt64(max(1, resolution.nanoseconds))
        return nanos / step + (nanos % step == 0 ? 0 : 1)
    }

    /// The tick `now` has reached.
    private func tick(reachedAt now: NIODeadline) -> UInt64 {
        guard now > origin else { return 0 }
        return (now.uptimeNanoseconds - origin.uptimeNanoseconds) / UInt64(max(1, resolution.nanoseconds))
    }

    /// Puts `watchdog` in the slot of the first tick at or after `due`.
    func insert(_ watchdog: BodyWatchdog, due: NIODeadline) -> Slot {
        let dueTick = tick(after: due)
        let (slot, start) = state.withLock { s -> (Slot, Bool) in
            let at = max(dueTick, s.tick + 1)
            let index = Int(at % UInt64(s.slots.count))
            s.nextID &+= 1
            s.slots[index][s.nextID] = watchdog
            defer { s.running = true }
            return (Slot(index: index, id: s.nextID), !s.running)
        }
        if start && ticksItself { startTicking() }
        return slot
    }

    /// Takes a watchdog out of the wheel (nothing if it is not there any more).
    func remove(_ slot: Slot) {
        state.withLock { _ = $0.slots[slot.index].removeValue(forKey: slot.id) }
    }

    private func startTicking() {
        HTTPClient.defaultEventLoopGroup.any().scheduleRepeatedTask(initialDelay: resolution, delay: resolution) {
            [self] _ in advance(now: .now())
        }
    }

    /// Processes every tick up to `now`: each due watchdog fires or moves to its new slot.
    func advance(now: NIODeadline) {
        let reached = tick(reachedAt: now)
        while true {
            let due: [UInt64: BodyWatchdog]? = state.withLock { s in
                guard s.tick < reached else { return nil }
                // After a long stall, one turn of the wheel visits every slot.
                if reached - s.tick > UInt64(s.slots.count) { s.tick = reached - UInt64(s.slots.count) }
                s.tick += 1
                let index = Int(s.tick % UInt64(s.slots.count))
                defer { s.slots[index] = [:] }
                return s.slots[index]
            }
            guard let due else { return }
            for watchdog in due.values { watchdog.wheelVisit(now: now, wheel: self) }
        }
    }
}
