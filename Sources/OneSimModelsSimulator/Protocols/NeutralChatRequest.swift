/// A chat request in provider-neutral terms: what the reply depends on.
struct NeutralChatRequest {
    var model: String
    /// Words of every message (system included), the simulator's token count.
    var promptTokens = 0
    /// The text the reply echoes: the last user turn (or the last tool result after it).
    var lastUser = ""
    var maxTokens: Int?
    /// Declared functions: name and parameter schema.
    var tools: [(name: String, parameters: [String: Any])] = []
    /// A function the request forces (`any` forces the first).
    var forcedTool: String?
    /// Any-JSON output asked for.
    var jsonObject = false
    /// A schema the output must follow.
    var jsonSchema: [String: Any]?

    /// Adds `text` to the prompt's token count.
    mutating func count(_ text: String) { promptTokens += SimulatorText.tokens(text) }
}
