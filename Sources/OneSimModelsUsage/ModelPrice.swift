import OneSimModelsCore

/// USD per token of one model: what one input (prompt) token and one output (completion)
/// token cost.
public struct ModelPrice: Sendable, Hashable, CustomStringConvertible {
    /// USD per prompt token.
    public var inputCostPerToken: Double
    /// USD per completion token (0 for embedding models).
    public var outputCostPerToken: Double

    /// A price in USD per token.
    public init(inputCostPerToken: Double, outputCostPerToken: Double = 0) {
        self.inputCostPerToken = inputCostPerToken
        self.outputCostPerToken = outputCostPerToken
    }

    /// A price given in USD per million tokens, the way price pages list them.
    public static func perMillionTokens(input: Double, output: Double = 0) -> ModelPrice {
        ModelPrice(inputCostPerToken: input / 1_000_000, outputCostPerToken: output / 1_000_000)
    }

    /// The cost of `promptTokens` input and `completionTokens` output tokens.
    public func cost(promptTokens: Int, completionTokens: Int) -> Double {
        Double(promptTokens) * inputCostPerToken + Double(completionTokens) * outputCostPerToken
    }

    /// USD for `usage`'s prompt and completion tokens (its `totalTokens` is not used).
    public func cost(of usage: Usage) -> Double {
        cost(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
    }

    /// `{"input_cost_per_token": ..., "output_cost_per_token": ...}`.
    package var json: JSONValue {
        ["input_cost_per_token": .double(inputCostPerToken), "output_cost_per_token": .double(outputCostPerToken)]
    }

    /// `"$2.50 / $10.00 per 1M tokens"`.
    public var description: String {
        "$\(Self.format(inputCostPerToken * 1_000_000)) / $\(Self.format(outputCostPerToken * 1_000_000)) per 1M tokens"
    }

    private static func format(_ value: Double) -> String {
        let cents = (value * 100).rounded() / 100
        return cents == value ? String(format: "%.2f", value) : "\(value)"
    }
}

/// The config keys that price one deployment, overriding the bundled table for that config.
package enum PriceConfigKeys {
    /// `input_cost_per_token`: USD per prompt token.
    package static let input = "input_cost_per_token"
    /// `output_cost_per_token`: USD per completion token.
    package static let output = "output_cost_per_token"
    /// Both keys, for a config parser's list of accepted keys.
    package static let all: Set<String> = [input, output]
}

extension ModelPrice {
    /// The price a config sets with `input_cost_per_token` / `output_cost_per_token` in its
    /// `options`, or `nil` when it sets neither.
    ///
    /// A key that is set must be a non-negative number. When only one is set, the other side
    /// comes from `fallback` (the table's price of the config's model), else 0.
    ///
    /// - Throws: `ModelError.configuration` naming the config and the bad key.
    package static func configured(
        in options: [String: JSONValue], configName: String, fallback: ModelPrice? = nil
    ) throws(ModelError) -> ModelPrice? {
        func read(_ key: String) throws(ModelError) -> Double? {
            guard let value = options[key], !value.isNull else { return nil }
            guard let number = value.doubleValue, number >= 0, number.isFinite else {
                throw ModelError(
                    .configuration, "config '\(configName)': key '\(key)' must be a non-negative number (USD per token), got \(value)",
                    configName: configName)
            }
            return number
        }
        let input = try read(PriceConfigKeys.input)
        let output = try read(PriceConfigKeys.output)
        if input == nil && output == nil { return nil }
        return ModelPrice(
            inputCostPerToken: input ?? fallback?.inputCostPerToken ?? 0,
            outputCostPerToken: output ?? fallback?.outputCostPerToken ?? 0)
    }

    /// The price `config` sets in its options (see `configured(in:configName:fallback:)`), with
    /// the missing side taken from `fallback`'s price of the config's model.
    package static func configured(in config: ModelConfig, fallback: PriceTable = .bundled) throws(ModelError) -> ModelPrice? {
        try configured(
            in: config.options, configName: config.configName,
            fallback: fallback.price(modelName: config.resolvedModelName))
    }
}
