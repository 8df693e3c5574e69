import NIOCore
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// The body watchdog and its timing wheel as a state machine: the test advances the wheel with
/// its own times, nothing sleeps.
@Suite("Body watchdog on the timing wheel")
struct BodyWatchdogTests {
    /// A wheel only the test advances, a watchdog on it started at the wheel's origin, and a
    /// counter of how often it fired.
    private func make(idle: Duration, total: Duration) -> (TimeoutWheel, BodyWatchdog, Counter) {
        let wheel = TimeoutWheel(resolution: .milliseconds(100), slotCount: 8, ticksItself: false)
        let watchdog = BodyWatchdog(idle: idle, total: total, start: wheel.origin, wheel: wheel)
        let counter = Counter()
        watchdog.arm { counter.add() }
        watchdog.touch(at: wheel.origin)
        return (wheel, watchdog, counter)
    }

    private func at(_ wheel: TimeoutWheel, _ seconds: Double) -> NIODeadline {
        wheel.origin + .nanoseconds(Int64(seconds * 1e9))
    }

    @Test func firesWhenNoChunkCameForTheReadTimeout() {
        let (wheel, watchdog, fired) = make(idle: .seconds(1), total: .seconds(10))
        wheel.advance(now: at(wheel, 0.95))
        #expect(fired.value == 0)
        #expect(watchdog.fired == nil)
        wheel.advance(now: at(wheel, 1.15))
        #expect(fired.value == 1)
        #expect(watchdog.fired == .idle(.seconds(1)))
        wheel.advance(now: at(wheel, 5))
        #expect(fired.value == 1, "fires once")
        #expect(wheel.count == 0)
    }

    @Test func aChunkPutsTheReadTimeoutOff() {
        let (wheel, watchdog, fired) = make(idle: .seconds(1), total: .seconds(10))
        watchdog.touch(at: at(wheel, 0.9))
        wheel.advance(now: at(wheel, 1.15))
        #expect(fired.value == 0)
        #expect(wheel.count == 1, "moved to its new slot")
        wheel.advance(now: at(wheel, 1.85))
        #expect(fired.value == 0)
        wheel.advance(now: at(wheel, 2.05))
        #expect(watchdog.fired == .idle(.seconds(1)))
    }

    @Test func theTotalDeadlineFiresThoughChunksKeepComing() {
        let (wheel, watchdog, fired) = make(idle: .seconds(1), total: .seconds(2.5))
        var t = 0.0
        while fired.value == 0 && t < 10 {
            t += 0.5
            watchdog.touch(at: at(wheel, t))
            wheel.advance(now: at(wheel, t + 0.05))
        }
        #expect(watchdog.fired == .deadline(.seconds(2.5)))
        #expect(t >= 2.5 && t <= 3)
    }

    @Test func aStoppedWatchdogNeverFiresAndLeavesTheWheel() {
        let (wheel, watchdog, fired) = make(idle: .seconds(1), total: .seconds(2))
        #expect(wheel.count == 1)
        watchdog.stop()
        #expect(wheel.count == 0)
        wheel.advance(now: at(wheel, 60))
        #expect(fired.value == 0)
        #expect(watchdog.fired == nil)
    }

    @Test func deadlinesBeyondOneTurnOfTheWheelWaitForTheirTurn() {
        // 8 slots of 100 ms: a 5 s read timeout goes round the wheel several times first.
        let (wheel, watchdog, fired) = make(idle: .seconds(5), total: .seconds(600))
        var t = 0.0
        while t < 4.9 {
            t += 0.1
            wheel.advance(now: at(wheel, t))
        }
        #expect(fired.value == 0)
        wheel.advance(now: at(wheel, 5.15))
        #expect(watchdog.fired == .idle(.seconds(5)))
    }

    @Test func aHugeTotalDoesNotTrap() {
        let (wheel, watchdog, fired) = make(idle: .seconds(1), total: .seconds(Int64.max / 2_000_000_000))
        wheel.advance(now: at(wheel, 1.15))
        #expect(fired.value == 1)
        #expect(watchdog.fired == .idle(.seconds(1)))
    }
}

/// Counts calls from any thread.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Backpressure: while the reader waits for its own consumer, the server is not silent.
extension BodyWatchdogTests {
    @Test func theReadTimeoutDoesNotRunWhileTheConsumerIsBehind() {
        let (wheel, watchdog, fired) = make(idle: .seconds(1), total: .seconds(100))
        watchdog.pause()
        for t in [0.5, 1.5, 3.0, 5.0, 9.0] {
            wheel.advance(now: at(wheel, t))
            #expect(fired.value == 0, "paused at \(t) s")
        }
        watchdog.resume(at: at(wheel, 9.0))
        wheel.advance(now: at(wheel, 9.95))
        #expect(fired.value == 0, "counts from the resume")
        wheel.advance(now: at(wheel, 10.15))
        #expect(fired.value == 1)
        #expect(watchdog.fired == .idle(.seconds(1)))
    }

    @Test func theTotalDeadlineStillRunsWhilePaused() {
        let (wheel, watchdog, fired) = make(idle: .seconds(1), total: .seconds(2.5))
        watchdog.pause()
        wheel.advance(now: at(wheel, 1.5))
        #expect(fired.value == 0)
        wheel.advance(now: at(wheel, 2.65))
        #expect(fired.value == 1)
        #expect(watchdog.fired == .deadline(.seconds(2.5)))
    }
}
