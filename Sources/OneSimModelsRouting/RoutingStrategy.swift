import OneSimModelsCore

/// What a strategy knows about one member that could serve a request now.
///
/// Candidates are healthy (not cooling down), not yet tried by this request, and under their
/// `max_concurrency`, `rpm` and `tpm` limits. They come in config order.
public struct RoutingCandidate: Sendable, Hashable {
    /// The member's position in the balancer's config order.
    public var index: Int
    /// The member's config name.
    public var configName: String
    /// The member's `weight` (default 1).
    public var weight: Double
    /// Requests in flight on the member's deployment right now (from every balancer).
    public var inFlight: Int
    /// The member's `max_concurrency`, if any.
    public var maxConcurrency: Int?
    /// Moving average of the member's latency per output token (per request for embeddings
    /// and replies without usage); `nil` until a call has succeeded.
    public var latencyPerToken: Duration?
    /// Successful calls that fed `latencyPerToken`.
    public var latencySamples: Int
    /// The larger of the used shares of the member's `rpm` and `tpm` budgets over the last
    /// minute (0 when it has no limits; may pass 1 after a large reply).
    public var usageShare: Double
    /// Requests sent to the member so far.
    public var requests: Int
    /// How long ago `latencyPerToken` took its last sample (`nil` before the first).
    public var latencySampleAge: Duration?

    /// A candidate with every field given (for testing your own strategies).
    public init(
        index: Int, configName: String, weight: Double = 1, inFlight: Int = 0, maxConcurrency: Int? = nil,
        latencyPerToken: Duration? = nil, latencySamples: Int = 0, usageShare: Double = 0, requests: Int = 0,
        latencySampleAge: Duration? = nil
    ) {
        self.index = index
        self.configName = configName
        self.weight = weight
        self.inFlight = inFlight
        self.maxConcurrency = maxConcurrency
        self.latencyPerToken = latencyPerToken
        self.latencySamples = latencySamples
        self.usageShare = usageShare
        self.requests = requests
        self.latencySampleAge = latencySampleAge
    }
}

/// A routing strategy: picks which member serves a request.
///
/// The balancer calls ``pick(from:using:)`` while it holds its state lock, so a pick must be
/// quick and must not block or await. Each balancer owns its strategy value, so mutable state
/// (a round-robin cursor, smooth weights) lives in the strategy itself; `pick` is `mutating`.
///
/// ```swift
/// /// Always the first candidate: a priority list.
/// struct FirstHealthy: RoutingStrategy {
///     var name: String { "first_healthy" }
///     mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int { 0 }
/// }
/// let lb = LoadBalancer(configName: "lb", kind: .chat, members: members,
///                       settings: BalancerSettings(strategy: .custom(FirstHealthy())))
/// ```
public protocol RoutingStrategy: Sendable {
    /// The name shown in statistics and errors.
    var name: String { get }

    /// Returns the position in `candidates` (never empty) of the member to use. A position out
    /// of range is treated as 0.
    mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int
}
