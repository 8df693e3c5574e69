import OneSimModelsCore

/// The limits of a usage budget: `max_cost_usd` and/or `max_tokens`.
public struct BudgetLimits: Sendable, Hashable, CustomStringConvertible {
    /// The most USD that calls may cost in all, or `nil` for no cost limit.
    public var maxCostUSD: Double?
    /// The most tokens (prompt plus completion) calls may use in all, or `nil` for no token limit.
    public var maxTokens: Int?

    /// Limits on cost and tokens; a `nil` limit is unlimited, so `BudgetLimits()` limits
    /// nothing.
    public init(maxCostUSD: Double? = nil, maxTokens: Int? = nil) {
        self.maxCostUSD = maxCostUSD
        self.maxTokens = maxTokens
    }

    /// The config keys: `max_cost_usd`, `max_tokens`.
    package static let configKeys: Set<String> = ["max_cost_usd", "max_tokens"]

    /// Whether neither limit is set.
    public var isUnlimited: Bool { maxCostUSD == nil && maxTokens == nil }

    /// Reads `max_cost_usd` (a non-negative number) and `max_tokens` (a non-negative integer)
    /// from a config's keys (a balancer's `options`, or a manager-level settings object);
    /// `nil` when neither is set.
    ///
    /// - Throws: `ModelError.configuration` naming `configName` and the bad key.
    package static func configured(in options: [String: JSONValue], configName: String) throws(ModelError) -> BudgetLimits? {
        var limits = BudgetLimits()
        if let value = options["max_cost_usd"], !value.isNull {
            guard let usd = value.doubleValue, usd >= 0, usd.isFinite else {
                throw ModelError(
                    .configuration, "config '\(configName)': key 'max_cost_usd' must be a non-negative number of US dollars, got \(value)",
                    configName: configName)
            }
            limits.maxCostUSD = usd
        }
        if let value = options["max_tokens"], !value.isNull {
            guard let tokens = value.intValue, tokens >= 0 else {
                throw ModelError(
                    .configuration, "config '\(configName)': key 'max_tokens' must be a non-negative integer (a token budget), got \(value)",
                    configName: configName)
            }
            limits.maxTokens = tokens
        }
        return limits.isUnlimited ? nil : limits
    }

    /// `"max_cost_usd $5.00, max_tokens 100000"`.
    public var description: String {
        var parts: [String] = []
        if let maxCostUSD { parts.append("max_cost_usd $\(UsageBudget.usd(maxCostUSD))") }
        if let maxTokens { parts.append("max_tokens \(maxTokens)") }
        return parts.isEmpty ? "unlimited" : parts.joined(separator: ", ")
    }
}
