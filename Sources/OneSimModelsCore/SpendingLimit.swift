/// A hold on a spending limit for one call in flight, from `SpendingLimit.reserve(...)` until
/// `SpendingLimit.release(_:)`.
public struct BudgetReservation: Sendable, Hashable {
    /// Identifies the hold within the limit that issued it.
    public let id: UInt64
    /// The tokens held (estimated prompt plus `maxTokens`).
    public let tokens: Int
    /// The USD held (those tokens at the model's price; 0 when unpriced).
    public let costUSD: Double

    /// A hold, as a `SpendingLimit` issues it.
    public init(id: UInt64, tokens: Int, costUSD: Double) {
        self.id = id
        self.tokens = tokens
        self.costUSD = costUSD
    }
}

/// What a balancer or a provider adapter checks before it sends a call: the meeting point of
/// the routing and provider layers with the usage layer (`UsageBudget` is the implementation),
/// so neither needs to know how spending is counted.
///
/// The contract: `reserve` is called before a request is sent and either throws
/// `ModelError.budgetExceeded` (nothing is sent) or returns a hold; exactly one `release` follows
/// each hold, after `consume` charged the call's real usage (or the call failed). Every method
/// is called from any task, concurrently, and must not block on I/O.
public protocol SpendingLimit: AnyObject, Sendable {
    /// Checks that a call to `model` through `config` fits and holds its worst case
    /// (`estimatedPromptTokens` plus `maxTokens`) until `release(_:)`.
    ///
    /// - Throws: `ModelError.budgetExceeded` when it does not fit.
    func reserve(model: String, config: String, estimatedPromptTokens: Int, maxTokens: Int?) throws(ModelError)
        -> BudgetReservation
    /// Gives back what `reservation` held; a second release of the same hold does nothing.
    func release(_ reservation: BudgetReservation)
    /// Charges `usage` of one call to `model` through `config`.
    func consume(_ usage: Usage, model: String, config: String)
}
