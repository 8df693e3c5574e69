/// Token counts of one call.
public struct Usage: Sendable, Hashable, Codable {
    /// Tokens in the prompt (input).
    public var promptTokens: Int
    /// Tokens in the reply (output), reasoning included.
    public var completionTokens: Int
    /// Prompt plus completion, or the provider's own total when it reports one.
    public var totalTokens: Int
    /// The part of `completionTokens` the model spent reasoning, when the provider reports it
    /// separately (OpenAI-compatible `usage.completion_tokens_details.reasoning_tokens`, Gemini
    /// `usageMetadata.thoughtsTokenCount`); 0 otherwise (Anthropic and Ollama report none).
    /// Already counted in `completionTokens` and `totalTokens`: never add it to them again.
    public var reasoningTokens: Int
    /// The part of `promptTokens` the provider served from its prompt cache, when it reports
    /// it (OpenAI-compatible `usage.prompt_tokens_details.cached_tokens`, Anthropic
    /// `usage.cache_read_input_tokens`, Gemini `usageMetadata.cachedContentTokenCount`); 0
    /// otherwise. Already counted in `promptTokens`: never add it to them again.
    public var cachedPromptTokens: Int

    /// Usage with the given counts; `totalTokens` defaults to the sum of prompt and completion,
    /// and `reasoningTokens` (a part of `completionTokens`) and `cachedPromptTokens` (a part of
    /// `promptTokens`) to 0.
    public init(
        promptTokens: Int = 0, completionTokens: Int = 0, totalTokens: Int? = nil, reasoningTokens: Int = 0,
        cachedPromptTokens: Int = 0
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens.saturatingAdd(completionTokens)
        self.reasoningTokens = reasoningTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    /// No tokens: every count 0 (the usage of a reply whose provider reported none).
    public static let zero = Usage()

    /// Whether every count is zero (the provider reported no usage).
    public var isEmpty: Bool {
        promptTokens == 0 && completionTokens == 0 && totalTokens == 0 && reasoningTokens == 0 && cachedPromptTokens == 0
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case reasoningTokens = "reasoning_tokens"
        case cachedPromptTokens = "cached_tokens"
    }

    /// Decodes the `dictionary` shape; `reasoning_tokens` may be missing (0).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            promptTokens: try container.decode(Int.self, forKey: .promptTokens),
            completionTokens: try container.decode(Int.self, forKey: .completionTokens),
            totalTokens: try container.decode(Int.self, forKey: .totalTokens),
            reasoningTokens: try container.decodeIfPresent(Int.self, forKey: .reasoningTokens) ?? 0,
            cachedPromptTokens: try container.decodeIfPresent(Int.self, forKey: .cachedPromptTokens) ?? 0)
    }

    /// Encodes the `dictionary` shape (`reasoning_tokens` only when non-zero).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        if reasoningTokens != 0 { try container.encode(reasoningTokens, forKey: .reasoningTokens) }
        if cachedPromptTokens != 0 { try container.encode(cachedPromptTokens, forKey: .cachedPromptTokens) }
    }

    /// The original's usage dictionary shape: `prompt_tokens`, `completion_tokens`, `total_tokens`,
    /// and `reasoning_tokens` only when it is non-zero (so replies without reasoning keep the
    /// original's three keys).
    public var dictionary: [String: Int] {
        var d = ["prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": totalTokens]
        if reasoningTokens != 0 { d["reasoning_tokens"] = reasoningTokens }
        if cachedPromptTokens != 0 { d["cached_tokens"] = cachedPromptTokens }
        return d
    }

    /// Adds counts field by field (saturating at `Int.max`: counts come from providers).
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            promptTokens: lhs.promptTokens.saturatingAdd(rhs.promptTokens),
            completionTokens: lhs.completionTokens.saturatingAdd(rhs.completionTokens),
            totalTokens: lhs.totalTokens.saturatingAdd(rhs.totalTokens),
            reasoningTokens: lhs.reasoningTokens.saturatingAdd(rhs.reasoningTokens),
            cachedPromptTokens: lhs.cachedPromptTokens.saturatingAdd(rhs.cachedPromptTokens))
    }
}
