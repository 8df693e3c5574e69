/// A successful answer: a JSON body, or the events of a stream.
enum ProtocolAnswer {
    case json([String: Any], tokens: Int, headers: [String: String])
    /// `events` are written in order; `ending` follows them on a normal end (Anthropic's
    /// `message_stop`, Ollama's `done` line) and is left out when a stream fault plays.
    case stream(events: [String], ending: [String], tokens: Int, contentType: String, headers: [String: String])
}
