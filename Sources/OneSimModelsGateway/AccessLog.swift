import Logging

/// One access log line per request: method, route, model, member, status, tokens, latency and
/// overhead. Never a body, a header value or a key (only a key's configured name).
struct AccessRecord: Sendable {
    var method: String
    var route: String
    var requestID: String
    var caller: String = "-"
    var model: String = "-"
    var member: String = "-"
    var status: Int = 0
    var tokens: Int = 0
    var stream = false

    func log(to logger: Logger, latency: Duration, overhead: Duration?) {
        logger.info(
            "\(method) \(route) \(status)",
            metadata: [
                "request_id": "\(requestID)", "key": "\(caller)", "model": "\(model)", "member": "\(member)",
                "status": "\(status)", "tokens": "\(tokens)", "stream": "\(stream)",
                "latency_ms": "\(Self.milliseconds(latency))",
                "overhead_ms": "\(overhead.map(Self.milliseconds) ?? "-")",
            ])
    }

    /// `12.345`: milliseconds with three decimals.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let micros = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !micros.overflow else { return "overflow" }
        let total = micros.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000_000)
        guard !total.overflow else { return "overflow" }
        let value = total.partialValue
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
