/// A chat request in fleet mode: its prompt as cache blocks and tokens (see
/// ``FleetPromptBlocks``), the output tokens to play (`max_tokens` or `max_completion_tokens`,
/// default 64, at most 131072), and the reply to send once the server model finishes it.
///
/// The model plays every output token (a model that writes to its limit); the reply's text is
/// the simulator's usual one cut to that many words, and `usage` reports the model's counts:
/// `prompt_tokens` (bytes ÷ 4), `completion_tokens` (the played tokens) and
/// `prompt_tokens_details.cached_tokens` (prefix-cache hits).
struct FleetChatJob {
    static let defaultOutputTokens = 64
    static let maximumOutputTokens = 131_072

    var blocks: [UInt64]
    var promptTokens: Int
    var outputTokens: Int
    var reply: SimulatorReply
    var stream: Bool
    var includeUsage: Bool

    init(body: [String: Any], messages: [[String: Any]], reply: SimulatorReply, blockTokens: Int) {
        let prompt = messages.map { (role: $0["role"] as? String ?? "", content: SimulatorHandlers.text(of: $0["content"])) }
        (blocks, promptTokens) = FleetPromptBlocks.make(prompt, blockTokens: blockTokens)
        let asked = (body["max_tokens"] as? Int) ?? (body["max_completion_tokens"] as? Int) ?? Self.defaultOutputTokens
        outputTokens = min(max(asked, 1), Self.maximumOutputTokens)
        self.reply = reply
        stream = body["stream"] as? Bool == true
        includeUsage = (body["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
    }

    /// The answer once the model finished the request.
    func answer(after done: FleetCompletion) -> SimulatorHandlers.Answer {
        var reply = reply
        reply.promptTokens = done.promptTokens
        reply.completionTokens = done.outputTokens
        reply.cachedTokens = done.cachedTokens
        return stream ? .stream(reply, includeUsage: includeUsage) : .json(reply.completion, tokens: reply.totalTokens)
    }
}
