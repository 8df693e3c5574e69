import Foundation

/// A misbehaviour the simulator can play instead of (or before) a normal answer.
public enum SimulatorFault: Sendable, Hashable {
    /// An HTTP error with an OpenAI-style body
    /// (`{"error": {"message", "type", "param", "code"}}`), optional `Retry-After` seconds
    /// and extra headers (e.g. `x-should-retry`).
    case status(Int, message: String = "simulated error", type: String = "server_error", code: String? = nil,
        retryAfter: Double? = nil, headers: [String: String] = [:])
    /// Close the connection in the middle of the response.
    case dropConnection
    /// A 200 response whose body is not valid JSON.
    case malformedJSON
    /// For a streamed request: `afterEvents` content events, then an error event
    /// (`data: {"error": {...}}`) and the end of the body without `[DONE]`.
    case streamError(afterEvents: Int, message: String = "simulated stream error", code: String? = nil)
    /// For a streamed request: `afterEvents` content events, then the connection closes.
    case closeStreamEarly(afterEvents: Int)
    /// Exactly this answer, whatever was asked: `status`, `body` as sent (JSON, SSE events or
    /// NDJSON lines, valid or not) and `headers` (with `content-type` defaulting to JSON). For
    /// tests of decoders and error mapping against bodies no well-behaved server sends.
    case raw(status: Int = 200, body: String, headers: [String: String] = [:])
    /// Send the response head, then stall: a streamed request gets its first `afterEvents`
    /// content events, a non-streamed one the first bytes of its JSON body; after that nothing
    /// arrives until the simulator stops (then the connection closes). A model server that
    /// hangs mid-answer.
    case stallBody(afterEvents: Int = 0)
}

/// A tool call the simulator answers with.
public struct SimulatorToolCall: Sendable, Hashable {
    /// The name of the function the reply calls, sent as is.
    public var name: String
    /// The arguments as JSON text.
    public var arguments: String

    /// A call of `name` with `arguments` (JSON text, not checked: scripts may send malformed
    /// arguments on purpose).
    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }
}

/// What the simulator does for one request.
public struct SimulatorAction: Sendable, Hashable {
    /// Wait this long before answering.
    public var latency: Duration
    /// Misbehave instead of answering.
    public var fault: SimulatorFault?
    /// Answer with this text instead of the echo.
    public var reply: String?
    /// Answer with these tool calls (`finish_reason: tool_calls`).
    public var toolCalls: [SimulatorToolCall]?
    /// Refuse with this message (structured outputs' `refusal`).
    public var refusal: String?

    /// An action made of the given parts; with every default it is `normal` (answer at once
    /// with the echo).
    public init(
        latency: Duration = .zero, fault: SimulatorFault? = nil, reply: String? = nil,
        toolCalls: [SimulatorToolCall]? = nil, refusal: String? = nil
    ) {
        self.latency = latency
        self.fault = fault
        self.reply = reply
        self.toolCalls = toolCalls
        self.refusal = refusal
    }

    /// Answer with tool calls.
    public static func callTools(_ calls: [SimulatorToolCall]) -> SimulatorAction { SimulatorAction(toolCalls: calls) }
    /// Refuse to answer.
    public static func refuse(_ message: String) -> SimulatorAction { SimulatorAction(refusal: message) }

    /// Answer normally (echo or scripted reply).
    public static let normal = SimulatorAction()
    /// Answer with `text`.
    public static func reply(_ text: String) -> SimulatorAction { SimulatorAction(reply: text) }
    /// Fail with `fault`.
    public static func fail(_ fault: SimulatorFault) -> SimulatorAction { SimulatorAction(fault: fault) }
    /// Answer after `latency`.
    public static func delay(_ latency: Duration) -> SimulatorAction { SimulatorAction(latency: latency) }
}

/// A fault played at random on a share of requests, from a seeded generator so runs repeat.
public struct SimulatorFaultRate: Sendable, Hashable {
    /// Share of requests that fail, 0...1.
    public var rate: Double
    /// What a request picked at random gets instead of its answer.
    public var fault: SimulatorFault

    /// `fault` on a `rate` share of requests: each unscripted request draws a number in 0..<1
    /// and fails when it is below `rate` (so 0 never fails and 1 always does).
    public init(rate: Double, fault: SimulatorFault) {
        self.rate = rate
        self.fault = fault
    }
}
