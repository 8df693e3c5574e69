import OneSimModelsCore

/// The request field that carries the output token limit of a Chat Completions call.
///
/// OpenAI deprecated `max_tokens` in favour of `max_completion_tokens`, and its reasoning
/// models (the `o1`, `o3`, `o4` and `gpt-5` families) reject `max_tokens` with HTTP 400
/// `unsupported_parameter` ("'max_tokens' is not supported with this model. Use
/// 'max_completion_tokens' instead."; API reference, Chat Completions, `max_tokens`: "not
/// compatible with o-series models"). Older models and most OpenAI-compatible servers take
/// `max_tokens`, and vLLM takes both. So the field is chosen per model name, and a config can
/// force either with the top-level key `max_tokens_field` (`"max_tokens"`,
/// `"max_completion_tokens"` or `"auto"`, the default), e.g. for an Azure deployment whose
/// name does not say which model it serves.
package enum OpenAITokenLimitField: String, Sendable, Hashable, CaseIterable {
    /// `max_tokens`.
    case maxTokens = "max_tokens"
    /// `max_completion_tokens`.
    case maxCompletionTokens = "max_completion_tokens"

    /// The config key that forces the field.
    package static let configKey = "max_tokens_field"

    /// The field `model` accepts: `max_completion_tokens` for the reasoning families (`o1`,
    /// `o3`, `o4`, `gpt-5`, with any suffix such as `-mini` or a date, after an optional
    /// `provider/` or `ft:` prefix), `max_tokens` for every other model.
    package static func accepted(byModel model: String) -> OpenAITokenLimitField {
        var name = Substring(model.lowercased())
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if name.hasPrefix("ft:") { name = name.dropFirst(3) }
        for family in ["o1", "o3", "o4", "gpt-5"] where name.hasPrefix(family) {
            let rest = name.dropFirst(family.count)
            if rest.isEmpty || ["-", ".", ":", "_"].contains(rest.first) { return .maxCompletionTokens }
        }
        return .maxTokens
    }

    /// The field for `config`: its `max_tokens_field` when set, else by model name. A value
    /// other than the three names is a `.configuration` error naming the config and key.
    package static func resolve(_ config: ModelConfig) throws(ModelError) -> OpenAITokenLimitField {
        guard let value = config.options[configKey], !value.isNull else {
            return accepted(byModel: config.resolvedModelName)
        }
        switch value.stringValue {
        case "auto"?: return accepted(byModel: config.resolvedModelName)
        case let name?:
            if let field = OpenAITokenLimitField(rawValue: name) { return field }
            fallthrough
        default:
            throw ModelError(
                .configuration,
                "config '\(config.configName)': key '\(configKey)' must be \"max_tokens\", \"max_completion_tokens\" or \"auto\", got \(value)",
                configName: config.configName)
        }
    }

    /// `generateArgs` with a `max_tokens` moved to `max_completion_tokens` when that is this
    /// field (an explicit `max_completion_tokens` wins). Done once, when the adapter is built.
    func adjusting(_ generateArgs: [String: JSONValue]) -> [String: JSONValue] {
        guard self == .maxCompletionTokens, let value = generateArgs["max_tokens"] else { return generateArgs }
        var args = generateArgs
        args["max_tokens"] = nil
        if args["max_completion_tokens"] == nil { args["max_completion_tokens"] = value }
        return args
    }

    /// `options` with `maxTokens` (and an `extraBody` `max_tokens`) sent as
    /// `max_completion_tokens` when that is this field; the typed value still wins over
    /// `generate_args`, and an explicit `extraBody["max_completion_tokens"]` over both. Returns
    /// `options` untouched (no copy) when there is nothing to move.
    func adjusting(_ options: CallOptions) -> CallOptions {
        guard self == .maxCompletionTokens, options.maxTokens != nil || options.extraBody["max_tokens"] != nil else {
            return options
        }
        var options = options
        if let extra = options.extraBody.removeValue(forKey: "max_tokens"), options.extraBody["max_completion_tokens"] == nil {
            options.extraBody["max_completion_tokens"] = extra
        }
        if let maxTokens = options.maxTokens {
            options.maxTokens = nil
            if options.extraBody["max_completion_tokens"] == nil { options.extraBody["max_completion_tokens"] = .int(maxTokens) }
        }
        return options
    }
}
