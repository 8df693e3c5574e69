import Foundation
import OneSimModels
import Synchronization

/// A one-line live progress display for long CLI runs (`bench` in every mode, `fleet-table`):
/// done/total, ok/errors, rate and ETA, redrawn in place (carriage return, clear line) at most
/// every 200 ms and once more when the last unit ends.
///
/// Only for a terminal: ``make(total:unit:enabled:)`` gives nil when stdout is not a TTY or
/// the run prints JSON, so callers write `progress?.finished(ok:)` and pipes stay clean.
/// The text is a pure function of the counts and the elapsed time (``text(done:total:ok:errors:elapsed:unit:)``);
/// the clock and the output are injected, so tests drive it without a terminal or a wait.
final class ProgressLine: Sendable {
    let total: Int
    let unit: String
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let write: @Sendable (String) -> Void
    private let start: ContinuousClock.Instant
    private let counts = Mutex<(ok: Int, errors: Int, drawn: ContinuousClock.Instant?)>((0, 0, nil))

    /// The least time between two redraws.
    static let redrawEvery: Duration = .milliseconds(200)

    init(
        total: Int, unit: String = "req", clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        write: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
    ) {
        self.total = max(0, total)
        self.unit = unit
        self.clock = clock
        self.write = write
        start = clock()
    }

    /// A progress line when `enabled` (no `--no-progress`, no `--json`) and stdout is a
    /// terminal; nil otherwise.
    static func make(total: Int, unit: String = "req", enabled: Bool) -> ProgressLine? {
        enabled && isatty(STDOUT_FILENO) != 0 ? ProgressLine(total: total, unit: unit) : nil
    }

    /// Counts one finished unit and redraws the line when it is due.
    func finished(ok: Bool) {
        let line: String? = counts.withLock { c in
            if ok { c.ok += 1 } else { c.errors += 1 }
            let now = clock()
            let done = c.ok + c.errors
            if let drawn = c.drawn, now - drawn < Self.redrawEvery, done < total { return nil }
            c.drawn = now
            return "\r\u{1B}[2K" + Self.text(done: done, total: total, ok: c.ok, errors: c.errors, elapsed: now - start, unit: unit)
        }
        if let line { write(line) }
    }

    /// Draws the line now (e.g. before the first unit ends, or after other output).
    func draw() {
        let line: String = counts.withLock { c in
            let now = clock()
            c.drawn = now
            return "\r\u{1B}[2K" + Self.text(done: c.ok + c.errors, total: total, ok: c.ok, errors: c.errors, elapsed: now - start, unit: unit)
        }
        write(line)
    }

    /// Clears the line (before other output, and when the run ends); the next unit that ends
    /// draws it again at once.
    func clear() {
        counts.withLock { $0.drawn = nil }
        write("\r\u{1B}[2K")
    }

    /// The line's text: `"50/200  ok 48  errors 2  5.0 req/s  ETA 30 s"`.
    static func text(done: Int, total: Int, ok: Int, errors: Int, elapsed: Duration, unit: String = "req") -> String {
        let seconds = max(0, elapsed.seconds)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left = Self.eta(done: done, total: total, elapsed: elapsed).map(Self.format) ?? "--"
        return "\(done)/\(total)  ok \(ok)  errors \(errors)  " + String(format: "%.1f", rate) + " \(unit)/s  ETA \(left)"
    }

    /// The time left at the average rate so far: nil before the first unit ends (or with no
    /// time elapsed), zero when done.
    static func eta(done: Int, total: Int, elapsed: Duration) -> Duration? {
        if done >= total { return .zero }
        let seconds = elapsed.seconds
        guard done > 0, seconds > 0, seconds.isFinite else { return nil }
        let left = Double(total - done) * seconds / Double(done)
        return .seconds(min(left, 359_999))
    }

    /// `"42 s"`, `"3m05s"`, `"2h07m"` (whole seconds, rounded up).
    static func format(_ duration: Duration) -> String {
        let s = Int(max(0, duration.seconds).rounded(.up))
        if s < 60 { return "\(s) s" }
        if s < 3_600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3_600, (s % 3_600) / 60)
    }
}
