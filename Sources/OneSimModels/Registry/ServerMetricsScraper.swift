import NIOCore
import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import Synchronization

/// Reads one deployment's `metrics_url` in the background and hands each report to the
/// deployment's shared limiter, where the fleet dispatch learns the server's slot count and the
/// load other clients put there.
///
/// One task per deployment, started by the `ModelManager` when a balancer or limited adapter
/// over the deployment is built, through the manager's pooled HTTP transport, never on a
/// call's path. Each scrape is bounded (a total timeout of one interval, at least 1 s; the body
/// is read by `ServerMetricsParser`, which looks at its first 4 MB); a failed or unreadable
/// scrape is counted and skipped, and never fails a call: after two intervals without a report
/// the dispatch falls back to the balancer's own counts (`MemberStats.serverLoad.isStale`).
final class ServerMetricsScraper: Sendable {
    /// The URL read.
    let url: String
    /// How often.
    let interval: Duration
    /// Scrapes that failed (connection, status, or no load signal in the text).
    var failures: Int { counters.failures.load(ordering: .relaxed) }
    /// Scrapes that gave a report.
    var reports: Int { counters.reports.load(ordering: .relaxed) }

    private final class Counters: Sendable {
        let failures = Atomic<Int>(0)
        let reports = Atomic<Int>(0)
    }
    private let counters = Counters()
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts scraping `url` every `interval` into `limiter`, timed by `clock`.
    init(url: String, interval: Duration, limiter: DeploymentLimiter, transport: HTTPTransport, clock: BalancerClock) {
        self.url = url
        self.interval = max(interval, DeploymentSettings.minimumMetricsInterval)
        let spec = HTTPRequestSpec(
            url: url, method: .GET, headers: [:], body: [],
            timeouts: TimeoutSettings(connect: .seconds(1), read: max(self.interval, .seconds(1)), total: max(self.interval, .seconds(1))))
        let every = self.interval
        let counters = self.counters
        let started = Task {
            while !Task.isCancelled {
                let began = clock.now()
                let asked = limiter.snapshot.progress
                if let load = await Self.scrape(spec, transport: transport) {
                    limiter.observe(load, at: clock.now(), asked: asked)
                    counters.reports.add(1, ordering: .relaxed)
                } else {
                    counters.failures.add(1, ordering: .relaxed)
                }
                let next = began + every
                do { try await clock.sleepUntil(max(next, clock.now() + .milliseconds(10))) } catch { return }
            }
        }
        task.withLock { $0 = started }
    }

    /// One scrape: the server's load, or `nil` when it could not be read.
    static func scrape(_ spec: HTTPRequestSpec, transport: HTTPTransport) async -> ServerLoad? {
        do {
            let result = try await transport.send(spec)
            guard (200..<300).contains(result.status) else { return nil }
            let load = result.body.withUnsafeReadableBytes { ServerMetricsParser.parse($0) }
            return load.isEmpty ? nil : load
        } catch {
            return nil
        }
    }

    /// Stops scraping.
    func stop() {
        task.withLock { $0?.cancel() }
    }

    deinit {
        task.withLock { $0?.cancel() }
    }
}
