import OneSimModelsCore

/// A deployment's concurrency limit learned while it serves, for the fleet dispatch: how many
/// requests to keep in flight there so its slots stay full without a queue building inside the
/// server (calls beyond it wait in the balancer, which hands each to the first member with a
/// free slot: late binding).
///
/// Two sources, the better one winning:
/// - **The server's own load reports** (`metrics_url`): a server that reports waiting requests
///   runs all it can, so its running count is its slot count (`SlotEstimate`); the limit is
///   those slots minus what other clients hold there (running + waiting beyond this process's
///   requests). While it reports no waiting requests and this process uses most of its limit,
///   the limit grows by half, so the first report of a queue is reached in a few intervals.
///   A report older than two intervals is stale: the latency rules take over again, but never
///   grow the limit past a slot count the server once showed.
/// - **Latency** (AIMD, as Netflix's concurrency-limits and Envoy's adaptive concurrency):
///   each success gives a sample of seconds per unit of work (output tokens plus uncached
///   prompt tokens ÷ 20, prefill being that much cheaper than decode; a prompt served from the
///   prefix cache costs next to nothing). The cached tokens are the server's report
///   (`cached_tokens`) or, when it reports none, the share of the prompt's blocks the
///   balancer's own prefix index held for the member at dispatch. Counting a cached persona as
///   prefill made one request's sample up to three times another's at the same load, which
///   forced a loose tolerance (2.5): the limit then settled at about twice a 16-slot server's
///   slots, and a server that slowed down held a queue of calls inside it. Once a server has
///   reported cached tokens, a reply of 0 is taken as a miss, not as silence. The baseline is
///   the lowest recent sample, drifting up
///   slowly. A sample within `tolerance ×` the baseline, from a request that started with at
///   least half the limit in use, raises the limit: by one per success
///   while in slow start (doubling per round trip), else by 1/limit (one per round trip). A
///   sample beyond it, or a 429/503/overload error, cuts the limit to 80 %, at most once per
///   round trip (the requests in flight during one congestion count once) and ends slow start.
///
/// A configured `max_concurrency` is a hard ceiling over whatever is learned. All decisions
/// are pure functions of the events and the times passed in.
package struct AdaptiveConcurrency: Sendable, Hashable {
    /// Where the current limit comes from.
    package enum Source: String, Sendable, Hashable {
        /// The starting value: nothing learned yet.
        case initial
        /// Latency samples (AIMD).
        case latency
        /// The server's `/metrics` reports.
        case server
    }

    /// The limit before anything is learned.
    package static let initialLimit = 32.0
    /// The limit's range.
    package static let minimumLimit = 1.0
    package static let maximumLimit = 4096.0
    /// A sample this many times the baseline means congestion. The baseline is in effect the
    /// full-batch latency, so this lets up to about 0.8 × the slots more wait inside the
    /// server: enough headroom for noise (1.6 and lower lose on mixed-cache fleets), little
    /// backlog when a server slows down.
    package static let tolerance = 1.8
    /// How much of the way to a higher sample the baseline moves per sample.
    package static let baselineDrift = 0.02
    /// Prompt tokens per unit of work (prefill is this much cheaper per token than decode).
    package static let promptTokensPerUnit = 20.0

    /// The learned limit (fractional: additive increase adds fractions).
    package private(set) var limit: Double = initialLimit
    /// Whether it still doubles per round trip.
    package private(set) var slowStart = true
    /// The baseline seconds per unit of work.
    package private(set) var baseline: Double?
    /// Whether the server has reported cached prompt tokens (then a 0 means a miss).
    package private(set) var serverReportsCachedTokens = false
    /// No decrease before this time (one round trip after the last).
    private var holdDecreaseUntil: Duration = .zero
    /// Where `limit` comes from.
    package private(set) var source: Source = .initial
    /// The slot count the server's reports showed.
    package private(set) var slots = SlotEstimate()
    /// The latest server report: its load, when it came, and this process's requests in flight
    /// on the deployment then.
    package private(set) var report: ServerReport?

    /// A server's load report as the limit took it.
    package struct ServerReport: Sendable, Hashable {
        package var load: ServerLoad
        package var at: Duration
        package var ownInFlight: Int
    }

    package init() {}

    /// The limit as a request count, under `ceiling` (a configured `max_concurrency`).
    package func effectiveLimit(ceiling: Int?) -> Int {
        let learned = Int(min(max(limit, Self.minimumLimit), Self.maximumLimit).rounded(.down))
        guard let ceiling else { return learned }
        return max(min(learned, ceiling), 1)
    }

    /// Whether the latest server report is fresh at `now` (at most two `interval`s old).
    package func reportIsFresh(at now: Duration, interval: Duration) -> Bool {
        guard let report else { return false }
        return now - report.at <= interval * 2
    }

    /// Requests other clients hold on the server per the latest fresh report (0 without one).
    package func othersLoad(at now: Duration, interval: Duration) -> Int {
        guard reportIsFresh(at: now, interval: interval), let report else { return 0 }
        let serverLoad = (report.load.running ?? 0).saturatingAdd(report.load.waiting ?? 0)
        return max(serverLoad - report.ownInFlight, 0)
    }

    /// The prompt tokens a request was served from the server's prefix cache: `reported` when
    /// the server reports any (or `serverReports`: it reported some before, so 0 is a miss),
    /// else `share` (0...1, clamped) of `promptTokens`.
    package static func cachedTokens(reported: Int, promptTokens: Int, share: Double, serverReports: Bool = false) -> Int {
        if reported > 0 || serverReports { return min(max(reported, 0), max(promptTokens, 0)) }
        guard share.isFinite, share > 0, promptTokens > 0 else { return 0 }
        if share >= 1 { return promptTokens }
        // Below the prompt, which is an Int; `Int(exactly:)` also refuses what rounding pushed past it.
        return Int(exactly: (Double(promptTokens) * share).rounded(.down)).map { min($0, promptTokens) } ?? promptTokens
    }

    // MARK: - Events

    /// A request that started with `inFlightAtStart` requests on the deployment (itself
    /// included) succeeded after `latency` with `outputTokens` generated from `promptTokens`,
    /// of which the server reported `reportedCachedTokens` served from its prefix cache (no
    /// prefill work), and the balancer's index held `cachedShare` (see `cachedTokens`).
    /// Ignored while a fresh server report rules the limit.
    package mutating func succeeded(
        latency: Duration, promptTokens: Int, reportedCachedTokens: Int = 0, cachedShare: Double = 0, outputTokens: Int,
        inFlightAtStart: Int, now: Duration, reportInterval: Duration?, ceiling: Int?
    ) {
        if reportedCachedTokens > 0 { serverReportsCachedTokens = true }
        if let interval = reportInterval, reportIsFresh(at: now, interval: interval) { return }
        let seconds = latency.seconds
        guard seconds.isFinite, seconds >= 0 else { return }
        let prompt = max(promptTokens, 0)
        // `cachedTokens` is within 0...prompt.
        let uncached = prompt - Self.cachedTokens(
            reported: reportedCachedTokens, promptTokens: prompt, share: cachedShare, serverReports: serverReportsCachedTokens)
        let units = Double(max(outputTokens, 0)) + Double(uncached) / Self.promptTokensPerUnit
        let sample = seconds / max(units, 1)
        guard let base = baseline else {
            baseline = sample
            grow(inFlightAtStart: inFlightAtStart, ceiling: ceiling)
            return
        }
        if sample < base {
            baseline = sample
        } else {
            baseline = base + (sample - base) * Self.baselineDrift
        }
        if sample > base * Self.tolerance {
            decrease(now: now, roundTrip: latency)
        } else {
            grow(inFlightAtStart: inFlightAtStart, ceiling: ceiling)
        }
    }

    /// The deployment answered 429, 503 or another overload error after `latency`.
    package mutating func overloaded(now: Duration, latency: Duration) {
        decrease(now: now, roundTrip: latency)
    }

    /// The server reported `load` at `now`, while this process had `ownInFlight` requests there.
    package mutating func observe(_ load: ServerLoad, ownInFlight: Int, at now: Duration, ceiling: Int?) {
        guard !load.isEmpty else { return }
        report = ServerReport(load: load, at: now, ownInFlight: max(ownInFlight, 0))
        slots.observe(load)
        let others = max((load.running ?? 0).saturatingAdd(load.waiting ?? 0) - ownInFlight, 0)
        if let known = slots.slots {
            limit = Double(max(known - others, 1))
            slowStart = false
        } else if (load.waiting ?? 0) == 0 && Double(ownInFlight) >= limit * 0.75 && (load.kvCacheUsage ?? 0) < 0.95 {
            limit = min(limit * 1.5, Self.maximumLimit)
        }
        if let ceiling { limit = min(limit, Double(max(ceiling, 1))) }
        source = .server
    }

    private mutating func grow(inFlightAtStart: Int, ceiling: Int?) {
        guard Double(inFlightAtStart) >= limit * 0.5 else { return }
        limit += slowStart ? 1 : 1 / max(limit, 1)
        var top = ceiling.map { min(Double(max($0, 1)), Self.maximumLimit) } ?? Self.maximumLimit
        // A slot count the server once showed is its capacity: a stale report no longer says
        // how loaded it is, but latency growth does not go past it.
        if let known = slots.slots { top = min(top, Double(max(known, 1))) }
        limit = min(limit, top)
        if source == .initial { source = .latency }
    }

    private mutating func decrease(now: Duration, roundTrip: Duration) {
        slowStart = false
        source = .latency
        guard now >= holdDecreaseUntil else { return }
        limit = max(limit * 0.8, Self.minimumLimit)
        holdDecreaseUntil = now + max(roundTrip, .zero)
    }
}
