import OneSimModelsCore

/// Turns a provider's Server-Sent Events into deltas.
package protocol StreamEventDecoder: Sendable {
    /// The deltas of one event. Throws a `ModelError` for an error event inside the stream.
    mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta]
    /// Whether the provider's end-of-stream marker has arrived (`data: [DONE]`, `message_stop`).
    var isFinished: Bool { get }
}

/// How a streamed response body is cut into events.
package enum StreamFraming: Sendable, Hashable {
    /// Server-Sent Events (`data:` lines, blank-line separated).
    case serverSentEvents
    /// Newline-delimited JSON: every non-blank line is one event (its `data`).
    case newlineDelimitedJSON
}

/// Cuts body chunks into events for a `StreamEventDecoder`, per the framing.
struct StreamFramer: Sendable {
    private var sse = SSEDecoder()
    private var ndjson = NDJSONDecoder()
    private let framing: StreamFraming

    init(_ framing: StreamFraming) { self.framing = framing }

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        switch framing {
        case .serverSentEvents: return sse.feed(bytes)
        case .newlineDelimitedJSON: return ndjson.feed(bytes).map { SSEEvent(data: $0) }
        }
    }

    mutating func finish() -> [SSEEvent] {
        switch framing {
        case .serverSentEvents: return sse.finish()
        case .newlineDelimitedJSON: return ndjson.finish().map { SSEEvent(data: $0) }
        }
    }
}
