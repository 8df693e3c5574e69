/// Which model produced a response.
public struct ModelInfo: Sendable, Hashable {
    /// The provider's model name (`gpt-4o`, ...). For a balancer: the serving member's model name.
    public var modelName: String
    /// The config that was called (for a balancer, the balancer's name).
    public var configName: String
    /// The wire protocol / provider (`openai`, `vllm`, ...).
    public var provider: String
    /// When the call went through a load balancer: the balancer's name.
    public var balancer: String?
    /// When the call went through a load balancer: the config name of the member that served it.
    public var member: String?

    /// Model info with every field given.
    public init(modelName: String, configName: String, provider: String, balancer: String? = nil, member: String? = nil) {
        self.modelName = modelName
        self.configName = configName
        self.provider = provider
        self.balancer = balancer
        self.member = member
    }

    /// The original's `model_info` dictionary keys (`model_name`, `config_name`, `provider`, and
    /// `load_balancer` / `selected_model` for balancers).
    public var dictionary: [String: String] {
        var d = ["model_name": modelName, "config_name": configName, "provider": provider]
        if let balancer { d["load_balancer"] = balancer }
        if let member { d["selected_model"] = member }
        return d
    }
}

/// The result of one model call: text or embeddings, usage, the raw provider response and
/// what a parser made of it.
public struct ModelResponse: Sendable {
    /// The reply text (`choices[0].message.content`); `nil` when the model sent none (tool calls, refusals).
    /// Never holds reasoning the server reported separately: that is in `reasoning`.
    public var text: String?
    /// The model's reasoning as the server reported it apart from the reply, `nil` when it reported
    /// none: `reasoning_content` (or `reasoning`) of OpenAI-compatible servers (vLLM, SGLang,
    /// DeepSeek), Anthropic `thinking` blocks, Gemini `thought` parts (thought summaries) and
    /// Ollama `message.thinking`, pieces joined in order. Reasoning a model writes inline (`<think>`
    /// tags in the text) stays in `text`.
    public var reasoning: String?
    /// The provider's response as received. Adapters on the hot path keep the body bytes and
    /// parse them on first access, so reading `raw` costs one parse; setting it replaces it.
    public var raw: JSONValue {
        get {
            switch rawStorage {
            case .value(let value): value
            case .lazy(let lazy): lazy.value
            }
        }
        set { rawStorage = .value(newValue) }
    }

    /// Where `raw` comes from: a value, or body bytes parsed on demand.
    package enum RawStorage: Sendable {
        case value(JSONValue)
        case lazy(LazyJSON)
    }

    package var rawStorage: RawStorage
    /// Token counts as the provider reported them (`.zero` when it reported none).
    public var usage: Usage
    /// Which model and config produced this response.
    public var modelInfo: ModelInfo
    /// Why the model stopped (`stop`, `length`, `tool_calls`, `content_filter`, ...).
    public var finishReason: String?
    /// Tool calls the model asked for.
    public var toolCalls: [ToolCall]
    /// The model's refusal message (structured outputs), when it refused.
    public var refusal: String?
    /// For embedding calls: one vector per input text, in input order.
    public var embeddings: [[Float]]
    /// What a parser extracted from `text`.
    public var parsed: JSONValue?
    /// The provider's request id (`x-request-id`), for support tickets.
    public var requestID: String?

    /// A response with the given fields; everything has a default so custom adapters stay short.
    public init(
        text: String? = nil, raw: JSONValue = .null, usage: Usage = .zero,
        modelInfo: ModelInfo = ModelInfo(modelName: "", configName: "", provider: "custom"),
        finishReason: String? = nil, toolCalls: [ToolCall] = [], embeddings: [[Float]] = [],
        parsed: JSONValue? = nil, requestID: String? = nil, refusal: String? = nil, reasoning: String? = nil
    ) {
        self.refusal = refusal
        self.reasoning = reasoning
        self.text = text
        self.rawStorage = .value(raw)
        self.usage = usage
        self.modelInfo = modelInfo
        self.finishReason = finishReason
        self.toolCalls = toolCalls
        self.embeddings = embeddings
        self.parsed = parsed
        self.requestID = requestID
    }

    /// The first embedding vector: what callers embedding one text want.
    public var embedding: [Float]? { embeddings.first }
}
