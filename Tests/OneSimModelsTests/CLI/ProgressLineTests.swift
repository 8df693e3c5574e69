import Foundation
import Synchronization
import Testing

@testable import onesim_models

/// The live progress line of long CLI runs, as a pure function of counts and injected time.
@Suite("Progress line")
struct ProgressLineTests {
    @Test func theTextShowsCountsRateAndETA() {
        #expect(
            ProgressLine.text(done: 50, total: 200, ok: 48, errors: 2, elapsed: .seconds(10))
                == "50/200  ok 48  errors 2  5.0 req/s  ETA 30 s")
        #expect(
            ProgressLine.text(done: 0, total: 24, ok: 0, errors: 0, elapsed: .zero, unit: "runs")
                == "0/24  ok 0  errors 0  0.0 runs/s  ETA --")
        #expect(ProgressLine.text(done: 10, total: 10, ok: 10, errors: 0, elapsed: .seconds(4)).hasSuffix("2.5 req/s  ETA 0 s"))
    }

    @Test func theETAIsTheRestAtTheAverageRate() {
        #expect(ProgressLine.eta(done: 1, total: 4, elapsed: .seconds(2)) == .seconds(6))
        #expect(ProgressLine.eta(done: 0, total: 4, elapsed: .seconds(2)) == nil)
        #expect(ProgressLine.eta(done: 3, total: 4, elapsed: .zero) == nil)
        #expect(ProgressLine.eta(done: 5, total: 4, elapsed: .seconds(1)) == .zero)
        #expect(ProgressLine.eta(done: 1, total: Int.max, elapsed: .seconds(1_000)) == .seconds(359_999))
        #expect(ProgressLine.format(.seconds(41.2)) == "42 s")
        #expect(ProgressLine.format(.seconds(185)) == "3m05s")
        #expect(ProgressLine.format(.seconds(7_620)) == "2h07m")
    }

    @Test func itRedrawsInPlaceAtMostEveryFifthOfASecondAndAtTheEnd() {
        let time = FakeClock()
        let lines = LineSink()
        let progress = ProgressLine(total: 4, clock: { time.now }, write: { lines.append($0) })
        func advance(_ d: Duration) { time.advance(d) }

        advance(.seconds(1))
        progress.finished(ok: true)  // first: drawn
        advance(.milliseconds(100))
        progress.finished(ok: false)  // too soon: not drawn
        advance(.milliseconds(150))
        progress.finished(ok: true)  // 250 ms since the last draw: drawn
        advance(.milliseconds(10))
        progress.finished(ok: true)  // the last one: always drawn
        progress.clear()
        let drawn = lines.lines
        #expect(drawn.count == 4)
        #expect(drawn.allSatisfy { $0.hasPrefix("\r\u{1B}[2K") })
        #expect(drawn[0].hasSuffix("1/4  ok 1  errors 0  1.0 req/s  ETA 3 s"))
        #expect(drawn[1].contains("3/4  ok 2  errors 1"))
        #expect(drawn[2].contains("4/4  ok 3  errors 1") && drawn[2].hasSuffix("ETA 0 s"))
        #expect(drawn[3] == "\r\u{1B}[2K")
    }

    @Test func afterAClearTheNextUnitDrawsAtOnce() {
        let time = FakeClock()
        let lines = LineSink()
        let progress = ProgressLine(total: 3, unit: "runs", clock: { time.now }, write: { lines.append($0) })
        progress.draw()
        time.advance(.milliseconds(10))
        progress.finished(ok: true)  // 10 ms after a draw: not drawn
        progress.clear()  // a table row is printed
        time.advance(.milliseconds(10))
        progress.finished(ok: true)  // the line is gone: drawn again at once
        #expect(lines.lines.count == 3)
        #expect(lines.lines[0].hasSuffix("0/3  ok 0  errors 0  0.0 runs/s  ETA --"))
        #expect(lines.lines[2].contains("2/3  ok 2  errors 0  100.0 runs/s"))
    }
}

/// Time that moves only when told.
final class FakeClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ by: Duration) { instant.withLock { $0 += by } }
}

/// What a progress line wrote.
final class LineSink: Sendable {
    private let written = Mutex<[String]>([])
    var lines: [String] { written.withLock { $0 } }
    func append(_ line: String) { written.withLock { $0.append(line) } }
}
