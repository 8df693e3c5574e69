/// Token counts of one call.
public struct Usage: Sendable, Hashable, Codable {
    /// Tokens in the prompt (input).
    public var promptTokens: Int
    /// Tokens in the reply (output).
    public var completionTokens: Int
    /// Prompt plus completion, or the provider's own total when it reports one.
    public var totalTokens: Int

    /// Usage with the given counts; `totalTokens` defaults to their sum.
    public init(promptTokens: Int = 0, completionTokens: Int = 0, totalTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens.saturatingAdd(completionTokens)
    }

    /// No tokens: every count 0 (the usage of a reply whose provider reported none).
    public static let zero = Usage()

    /// Whether every count is zero (the provider reported no usage).
    public var isEmpty: Bool { promptTokens == 0 && completionTokens == 0 && totalTokens == 0 }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }

    /// The original's usage dictionary shape: `prompt_tokens`, `completion_tokens`, `total_tokens`.
    public var dictionary: [String: Int] {
        ["prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": totalTokens]
    }

    /// Adds counts field by field (saturating at `Int.max`: counts come from providers).
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            promptTokens: lhs.promptTokens.saturatingAdd(rhs.promptTokens),
            completionTokens: lhs.completionTokens.saturatingAdd(rhs.completionTokens),
            totalTokens: lhs.totalTokens.saturatingAdd(rhs.totalTokens))
    }
}
