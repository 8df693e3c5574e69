import Foundation
import OneSimModelsCore
import Synchronization

/// Where a budget stands.
public struct BudgetStatus: Sendable, Hashable {
    /// The limits the budget enforces (`nil` fields are unlimited).
    public var limits: BudgetLimits
    /// Tokens used by recorded calls.
    public var spentTokens: Int
    /// USD spent by recorded calls (unpriced models count as 0).
    public var spentCostUSD: Double
    /// Tokens held by reservations of calls in flight.
    public var reservedTokens: Int
    /// USD held by reservations of calls in flight.
    public var reservedCostUSD: Double
    /// Reservations not yet released.
    public var inFlight: Int
    /// Calls refused so far.
    public var rejectedCount: Int
    /// Models whose usage was recorded without a price, sorted.
    public var unpricedModels: [String]

    /// Tokens left before `max_tokens` (never negative), or `nil` without a token limit.
    public var remainingTokens: Int? {
        limits.maxTokens.map { max(0, $0.saturatingSubtract(spentTokens.saturatingAdd(reservedTokens))) }
    }
    /// USD left before `max_cost_usd` (never negative), or `nil` without a cost limit.
    public var remainingCostUSD: Double? { limits.maxCostUSD.map { max(0, $0 - spentCostUSD - reservedCostUSD) } }
}

/// An optional spending limit (`max_cost_usd`, `max_tokens`) on a manager or a balancer,
/// checked before a call is sent.
///
/// Use: before sending, `admit(...)` (a check) or better `reserve(...)` (a check that also
/// holds the call's worst case until `release(_:)`, so many concurrent calls cannot all pass
/// on the same remaining budget); after the call, the real usage is consumed through
/// `record(_:)` (the budget is a `UsageRecorder`) or `consume(_:model:config:)`. A call is
/// refused with `ModelError.budgetExceeded` when what is spent, plus what calls in flight hold,
/// plus this call's worst case (estimated prompt tokens plus `maxTokens`, at the model's price)
/// would pass a limit, or when the budget is already used up. Without `maxTokens` only the
/// prompt is checked, so such a call can overshoot by its completion.
///
/// Models without a price count as free against `max_cost_usd` (`UnpricedPolicy.free`, the
/// default) or are refused while a cost limit is set (`.reject`). State sits behind a `Mutex`;
/// nothing awaits.
public final class UsageBudget: UsageRecorder, SpendingLimit, Sendable {
    /// What a cost limit does with a model that has no price.
    public enum UnpricedPolicy: String, Sendable, Hashable {
        /// Count its calls as free (tokens still count against `max_tokens`).
        case free
        /// Refuse its calls while `max_cost_usd` is set.
        case reject
    }

    private struct PriceKey: Hashable {
        var model: String
        var config: String
    }

    private struct State {
        var spentTokens = 0
        var spentCost = 0.0
        var reservedTokens = 0
        var reservedCost = 0.0
        var reservations: [UInt64: BudgetReservation] = [:]
        var nextID: UInt64 = 0
        var rejected = 0
        var unpriced: Set<String> = []
        var table: PriceTable
        var prices: [PriceKey: ModelPrice?] = [:]
    }

    /// The name used in error messages (the balancer's or manager's name).
    public let name: String
    /// The limits, fixed at creation (`nil` fields are unlimited).
    public let limits: BudgetLimits
    /// What a cost limit does with unpriced models.
    public let unpricedPolicy: UnpricedPolicy
    private let state: Mutex<State>
    /// Slack for floating-point sums, in USD.
    private static let epsilon = 1e-12

    /// A budget named `name` with `limits`, costing calls at `prices`.
    public init(name: String, limits: BudgetLimits, prices: PriceTable = .bundled, unpricedPolicy: UnpricedPolicy = .free) {
        self.name = name
        self.limits = limits
        self.unpricedPolicy = unpricedPolicy
        state = Mutex(State(table: prices))
    }

    /// The prices calls are costed at.
    public var prices: PriceTable { state.withLock { $0.table } }

    /// Replaces the prices (e.g. after configs with `input_cost_per_token` were loaded). What was
    /// already spent or reserved keeps its old cost.
    public func setPrices(_ prices: PriceTable) {
        state.withLock { state in
            state.table = prices
            state.prices = [:]
        }
    }

    /// Checks that a call to `model` through `config` fits, without holding anything.
    ///
    /// - Parameters:
    ///   - model: the model name the call is priced by.
    ///   - config: the config it goes through (a config price wins over a model price).
    ///   - estimatedPromptTokens: the prompt's size estimate.
    ///   - maxTokens: the call's completion cap (`max_tokens`), if any.
    /// - Throws: `ModelError.budgetExceeded` saying which limit and by how much.
    public func admit(model: String, config: String, estimatedPromptTokens: Int, maxTokens: Int?) throws(ModelError) {
        try state.withLock { state throws(ModelError) in
            _ = try check(&state, model: model, config: config, prompt: estimatedPromptTokens, completion: maxTokens)
        }
    }

    /// Checks that a call fits (as `admit`) and holds its worst case until `release(_:)`.
    /// Release exactly once, after the call's usage was recorded or the call failed.
    ///
    /// - Throws: `ModelError.budgetExceeded`.
    public func reserve(model: String, config: String, estimatedPromptTokens: Int, maxTokens: Int?) throws(ModelError) -> BudgetReservation {
        try state.withLock { state throws(ModelError) -> BudgetReservation in
            let (tokens, cost) = try check(&state, model: model, config: config, prompt: estimatedPromptTokens, completion: maxTokens)
            state.nextID += 1
            let reservation = BudgetReservation(id: state.nextID, tokens: tokens, costUSD: cost)
            state.reservations[reservation.id] = reservation
            state.reservedTokens = state.reservedTokens.saturatingAdd(tokens)
            state.reservedCost += cost
            return reservation
        }
    }

    /// Gives back what `reservation` held. Releasing twice, or after `reset()`, does nothing.
    public func release(_ reservation: BudgetReservation) {
        state.withLock { state in
            guard state.reservations.removeValue(forKey: reservation.id) != nil else { return }
            state.reservedTokens = max(0, state.reservedTokens.saturatingSubtract(reservation.tokens))
            state.reservedCost = state.reservations.isEmpty ? 0 : max(0, state.reservedCost - reservation.costUSD)
        }
    }

    /// Consumes one recorded call's usage (failed attempts normally carry none).
    public func record(_ record: CallRecord) {
        consume(record.usage, model: record.modelName, config: record.configName)
    }

    /// Consumes `usage` of a call to `model` through `config` (for callers that see responses
    /// rather than records, like a balancer: `response.usage`, `response.modelInfo.modelName`
    /// and the serving member's config name).
    public func consume(_ usage: Usage, model: String, config: String) {
        guard !usage.isEmpty else { return }
        state.withLock { state in
            let price = self.price(&state, model: model, config: config)
            state.spentTokens = state.spentTokens.saturatingAdd(usage.totalTokens)
            if let price {
                state.spentCost += price.cost(of: usage)
            } else {
                state.unpriced.insert(model)
            }
        }
    }

    /// Where the budget stands now.
    public func status() -> BudgetStatus {
        state.withLock { state in
            BudgetStatus(
                limits: limits, spentTokens: state.spentTokens, spentCostUSD: state.spentCost,
                reservedTokens: state.reservedTokens, reservedCostUSD: state.reservedCost,
                inFlight: state.reservations.count, rejectedCount: state.rejected, unpricedModels: state.unpriced.sorted())
        }
    }

    /// Forgets all spending, reservations and rejections (a new budget period).
    public func reset() {
        state.withLock { state in
            // Ids keep counting, so releasing a reservation from before the reset does nothing.
            state = State(nextID: state.nextID, table: state.table, prices: state.prices)
        }
    }

    // MARK: - Decisions (under the lock)

    private func price(_ state: inout State, model: String, config: String) -> ModelPrice? {
        let key = PriceKey(model: model, config: config)
        if let cached = state.prices[key] { return cached }
        let price = state.table.price(modelName: model, configName: config)
        state.prices[key] = price
        return price
    }

    /// The call's worst case (tokens, USD) if it fits; otherwise counts a rejection and throws.
    private func check(
        _ state: inout State, model: String, config: String, prompt: Int, completion: Int?
    ) throws(ModelError) -> (Int, Double) {
        let promptTokens = max(0, prompt)
        let completionTokens = max(0, completion ?? 0)
        let tokens = promptTokens.saturatingAdd(completionTokens)
        let price = self.price(&state, model: model, config: config)
        let cost = price?.cost(promptTokens: promptTokens, completionTokens: completionTokens) ?? 0
        let call = "this call to '\(model)' (config '\(config)')"
        let size = "\(promptTokens) prompt + \(completion.map(String.init) ?? "unlimited") completion tokens"

        if let maxTokens = limits.maxTokens {
            let committed = state.spentTokens.saturatingAdd(state.reservedTokens)
            if state.spentTokens >= maxTokens || committed.saturatingAdd(tokens) > maxTokens {
                state.rejected += 1
                throw ModelError(
                    .budgetExceeded,
                    "budget '\(name)' exceeded: max_tokens is \(maxTokens); \(state.spentTokens) tokens used and \(state.reservedTokens) held by calls in flight, and \(call) may use up to \(tokens) (\(size))",
                    configName: config)
            }
        }
        if let maxCost = limits.maxCostUSD {
            if price == nil && unpricedPolicy == .reject {
                state.rejected += 1
                throw ModelError(
                    .budgetExceeded,
                    "budget '\(name)' has max_cost_usd $\(Self.usd(maxCost)) but model '\(model)' (config '\(config)') has no price; set input_cost_per_token and output_cost_per_token on the config",
                    configName: config)
            }
            let usedUp = maxCost > 0 && state.spentCost >= maxCost - Self.epsilon
            if usedUp || state.spentCost + state.reservedCost + cost > maxCost + Self.epsilon {
                state.rejected += 1
                throw ModelError(
                    .budgetExceeded,
                    "budget '\(name)' exceeded: max_cost_usd is $\(Self.usd(maxCost)); $\(Self.usd(state.spentCost)) spent and $\(Self.usd(state.reservedCost)) held by calls in flight, and \(call) may cost up to $\(Self.usd(cost)) (\(size))",
                    configName: config)
            }
        }
        return (tokens, cost)
    }

    /// USD with 4 decimals, or 6 for amounts under a cent.
    static func usd(_ value: Double) -> String {
        String(format: abs(value) < 0.01 && value != 0 ? "%.6f" : "%.4f", value)
    }
}
