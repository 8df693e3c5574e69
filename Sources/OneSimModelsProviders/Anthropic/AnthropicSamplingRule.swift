import OneSimModelsCore

/// What happens to `temperature`, `top_p` and `top_k` in an Anthropic request.
///
/// API version `2026-10-21`, the first `anthropic-version` after `2023-06-01`, rejects all
/// three with HTTP 400 (`temperature: Extra inputs are not permitted`), even at their default
/// values; the official SDK majors released with it dropped the parameters (public migration
/// notes, e.g. "Anthropic API Version 2026-10-21: Every Breaking Change and How to Upgrade the
/// SDKs", codersera.com, and Anthropic's versioning page, platform.claude.com/docs/en/api/versioning).
/// With such a version the adapter refuses a call that sets one with `.unsupported` naming
/// the field, before anything is sent (a 400 would not be retried and would cost a round
/// trip), or drops them when the config says `"drop_sampling_params": true`.
package enum AnthropicSamplingRule: Sendable, Hashable {
    /// Send them (API versions before `2026-10-21`).
    case send
    /// Refuse the call with `.unsupported` naming the field.
    case refuse
    /// Leave them out of the request.
    case drop

    /// The config key that turns refusing into dropping.
    package static let dropConfigKey = "drop_sampling_params"
    /// The first API version that rejects the sampling parameters.
    package static let firstRejectingVersion = "2026-10-21"
    /// The parameters it covers.
    package static let parameters: Set<String> = ["temperature", "top_p", "top_k"]

    /// The rule for `version` (a `YYYY-MM-DD` date; later dates keep the rejection) and the
    /// config's `drop_sampling_params`; a non-boolean value is a `.configuration` error.
    package static func resolve(version: String, config: ModelConfig) throws(ModelError) -> AnthropicSamplingRule {
        var drop = false
        if let value = config.options[dropConfigKey], !value.isNull {
            guard let flag = value.boolValue else {
                throw ModelError(
                    .configuration, "config '\(config.configName)': key '\(dropConfigKey)' must be a boolean, got \(value)",
                    configName: config.configName)
            }
            drop = flag
        }
        guard version.count == firstRejectingVersion.count, version >= firstRejectingVersion else { return .send }
        return drop ? .drop : .refuse
    }

    /// Applies the rule to one request field: `true` when `key` with `value` goes into the body.
    func admits(_ key: String, value: JSONValue, version: String) throws(ModelError) -> Bool {
        guard self != .send, Self.parameters.contains(key) else { return true }
        if self == .drop || value.isNull { return false }
        throw ProviderSupport.unsupported(
            key, provider: AnthropicCodec.provider,
            hint:
                "anthropic_version \(version) rejects temperature, top_p and top_k; remove it, use an earlier anthropic_version, or set \"\(Self.dropConfigKey)\": true to leave them out"
        )
    }
}
