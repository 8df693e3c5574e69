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

    /// Logs the line at `.info`: `POST /v1/chat/completions 200 request_id=… key=… model=…
    /// member=… tokens=… stream=… latency_ms=… overhead_ms=…`, in that order.
    ///
    /// The fields are in the message rather than in metadata: one string built with one
    /// allocation, where nine metadata values cost a dictionary and a sort per request in the
    /// handler (a measurable share of a busy gateway's time).
    func log(to logger: Logger, latency: Duration, overhead: Duration?) {
        guard logger.logLevel <= .info else { return }
        logger.info("\(line(latency: latency, overhead: overhead))")
    }

    /// The line `log` writes.
    func line(latency: Duration, overhead: Duration?) -> String {
        var line = ""
        line.reserveCapacity(160 + requestID.utf8.count + caller.utf8.count + model.utf8.count + member.utf8.count)
        Self.append(method, to: &line)
        line += " "
        line += route
        line += " "
        line += String(status)
        line += " request_id="
        line += requestID
        line += " key="
        Self.append(caller, to: &line)
        line += " model="
        Self.append(model, to: &line)
        line += " member="
        Self.append(member, to: &line)
        line += " tokens="
        line += String(tokens)
        line += stream ? " stream=true latency_ms=" : " stream=false latency_ms="
        line += Self.milliseconds(latency)
        line += " overhead_ms="
        line += overhead.map(Self.milliseconds) ?? "-"
        return line
    }

    /// Appends `value` as one field: at most 200 bytes, with spaces and ASCII control
    /// characters as `?`, so a client's model name can neither forge a line nor split a field.
    static func append(_ value: String, to line: inout String) {
        let clean = value.utf8.count <= 200 && value.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F }
        if clean {
            line += value
            return
        }
        var count = 0
        for scalar in value.unicodeScalars {
            count += scalar.utf8.count
            if count > 200 { break }
            line.unicodeScalars.append(scalar.value <= 0x20 || scalar.value == 0x7F ? "?" : scalar)
        }
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
