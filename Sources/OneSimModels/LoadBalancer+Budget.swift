import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

extension LoadBalancer {
    /// The balancer's `UsageBudget` (config keys `max_cost_usd`, `max_tokens`), or `nil` when it
    /// has none or its spending limit is another `SpendingLimit`.
    public var budget: UsageBudget? { spendingLimit as? UsageBudget }
}
