/// The OpenTelemetry GenAI semantic-convention names the spans and metrics use, in one place.
///
/// They follow the GenAI conventions as published with OpenTelemetry semantic conventions
/// 1.44.0 (status "Development": the names may still change upstream). Spans (Providers,
/// Routing, Gateway) and metrics (Usage) both read them from here.
package enum GenAINames {
    /// The semantic-conventions version these names follow.
    package static let semconvVersion = "1.44.0"

    // MARK: Attributes

    package static let operationName = "gen_ai.operation.name"
    package static let providerName = "gen_ai.provider.name"
    package static let requestModel = "gen_ai.request.model"
    package static let requestMaxTokens = "gen_ai.request.max_tokens"
    package static let requestTemperature = "gen_ai.request.temperature"
    package static let requestTopP = "gen_ai.request.top_p"
    package static let requestSeed = "gen_ai.request.seed"
    package static let requestStream = "gen_ai.request.stream"
    package static let responseModel = "gen_ai.response.model"
    package static let responseID = "gen_ai.response.id"
    package static let responseFinishReasons = "gen_ai.response.finish_reasons"
    package static let responseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk"
    package static let usageInputTokens = "gen_ai.usage.input_tokens"
    package static let usageOutputTokens = "gen_ai.usage.output_tokens"
    package static let usageReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens"
    package static let usageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens"
    package static let inputMessages = "gen_ai.input.messages"
    package static let outputMessages = "gen_ai.output.messages"
    package static let tokenType = "gen_ai.token.type"
    package static let serverAddress = "server.address"
    package static let serverPort = "server.port"
    package static let errorType = "error.type"

    // MARK: Metrics

    /// Histogram of tokens per call, by `gen_ai.token.type` (`input`, `output`).
    package static let tokenUsageMetric = "gen_ai.client.token.usage"
    /// Histogram of a call's duration, in seconds.
    package static let operationDurationMetric = "gen_ai.client.operation.duration"

    // MARK: Values

    /// `gen_ai.operation.name` of a call of `kind`: `chat` or `embeddings`.
    package static func operation(_ kind: ModelKind) -> String {
        kind == .embedding ? "embeddings" : "chat"
    }

    /// `gen_ai.provider.name` for one of our provider names: the convention's well-known value
    /// where there is one (`openai`, `anthropic`, `gcp.gemini`, `azure.ai.openai`), else our
    /// own lower-case name (`vllm`, `ollama`, as other instrumentations use them).
    package static func provider(_ name: String) -> String {
        switch name {
        case "gemini": "gcp.gemini"
        case "azure", "azure_openai": "azure.ai.openai"
        default: name
        }
    }
}
