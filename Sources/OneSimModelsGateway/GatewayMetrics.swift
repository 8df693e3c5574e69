import Prometheus
import Synchronization

/// The gateway's own metrics, written to its Prometheus registry directly (so they exist
/// whether or not the process bootstrapped swift-metrics): requests per route, method and
/// status, and latency and gateway overhead per route.
///
/// The instruments of each (route, method, status) are made once and kept, so a request costs
/// one dictionary lookup instead of three registry lookups with their names and labels built
/// again. Labels are bounded: routes are the gateway's own names (`unknown` for other paths),
/// a method outside the standard ones is `other` (clients choose methods: they must not be
/// able to make a series each), and statuses are three-digit codes.
final class GatewayMetrics: Sendable {
    struct Key: Hashable {
        var route: String
        var method: String
        var status: Int
    }

    struct Instruments: Sendable {
        let requests: Counter
        let duration: DurationHistogram
        let overhead: DurationHistogram
    }

    let registry: PrometheusCollectorRegistry
    private let instruments = Mutex<[Key: Instruments]>([:])

    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60),
    ]
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Counts one request and records its latency and overhead.
    func record(route: String, method: String, status: Int, latency: Duration, overhead: Duration?) {
        let key = Key(
            route: route, method: Self.methods.contains(method) ? method : "other", status: (100...999).contains(status) ? status : 0)
        let made = instruments.withLock { $0[key] } ?? make(key)
        made.requests.increment()
        made.duration.record(latency)
        if let overhead { made.overhead.record(overhead) }
    }

    /// Makes (or, when another request just did, takes) the instruments of `key`.
    private func make(_ key: Key) -> Instruments {
        let made = Instruments(
            requests: registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "onesim", subsystem: "gateway", metricName: "requests", unitName: "total",
                    helpText: "Requests answered by the gateway, by route, method and status."),
                labels: [("route", key.route), ("method", key.method), ("status", String(key.status))]),
            duration: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "onesim", subsystem: "gateway", metricName: "request_duration", unitName: "seconds",
                    helpText: "Time from request to response head (streams: to the end of the body), by route."),
                labels: [("route", key.route)], buckets: Self.buckets),
            overhead: registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "onesim", subsystem: "gateway", metricName: "overhead", unitName: "seconds",
                    helpText: "Time spent in the gateway, excluding the upstream call, by route."),
                labels: [("route", key.route)], buckets: Self.buckets))
        return instruments.withLock { cache in
            if let existing = cache[key] { return existing }
            cache[key] = made
            return made
        }
    }
}
