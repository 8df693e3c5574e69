import Prometheus

/// The gateway's own metrics, written to its Prometheus registry directly (so they exist
/// whether or not the process bootstrapped swift-metrics): requests per route and status, and
/// latency and gateway overhead per route.
struct GatewayMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60),
    ]

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Counts one request and records its latency and overhead.
    func record(route: String, method: String, status: Int, latency: Duration, overhead: Duration?) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "onesim", subsystem: "gateway", metricName: "requests", unitName: "total",
                helpText: "Requests answered by the gateway, by route, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "onesim", subsystem: "gateway", metricName: "request_duration", unitName: "seconds",
                helpText: "Time from request to response head (streams: to the end of the body), by route."),
            labels: [("route", route)], buckets: Self.buckets
        ).record(latency)
        if let overhead {
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "onesim", subsystem: "gateway", metricName: "overhead", unitName: "seconds",
                    helpText: "Time spent in the gateway, excluding the upstream call, by route."),
                labels: [("route", route)], buckets: Self.buckets
            ).record(overhead)
        }
    }
}
