/// Turns a provider's Server-Sent Events into deltas.
public protocol StreamEventDecoder: Sendable {
    /// The deltas of one event. Throws a `ModelError` for an error event inside the stream.
    mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta]
    /// Whether the provider's end-of-stream marker has arrived (`data: [DONE]`, `message_stop`).
    var isFinished: Bool { get }
}
