import Foundation
import Logging
import Metrics
import OneSimModelsCore
import Synchronization

/// Counts tokens, requests, errors and latency of every provider call, exactly, under any
/// concurrency.
///
/// Providers call `record(_:)` once per HTTP attempt (chat, streamed chat and embeddings alike).
/// The counts sit behind one `Mutex`, held only for a dictionary lookup and a few additions;
/// the swift-metrics instruments of each (model, config, provider) key are made once, cached
/// in that state, and updated after the lock is released. `stats()` returns a value snapshot.
///
/// For several processes: each tracker is one *source* (a random id, renewed by `reset()`);
/// `merge(_:)` folds in other processes' snapshots, keeping one copy per source, so sending the
/// same cumulative snapshot again never inflates the counts (see `UsageSource`).
public final class TokenUsageTracker: UsageRecorder, Sendable {
    private struct Entry {
        var usage = UsageBucket()
        let metrics: UsageMetrics
    }

    private struct State {
        var sourceID = UsageMath.newID()
        var startedAt = UsageMath.unixNow()
        var start = ContinuousClock.now
        var sequence = 0
        /// Counts and cached instruments per key; reset zeroes the counts and keeps the instruments.
        var entries: [UsageKey: Entry] = [:]
        /// Other processes' sources folded in by `merge(_:)`, by id.
        var remote: [String: UsageSource] = [:]
        /// This tracker's ids before its resets: never merged back in.
        var retiredIDs: Set<String> = []
    }

    private let state = Mutex(State())
    private let metricsFactory: (any MetricsFactory)?
    /// A human-readable name of this tracker's process, stored in its snapshots' sources.
    public let label: String

    /// A tracker starting now.
    ///
    /// - Parameters:
    ///   - label: names this process in snapshots (default: `$HOSTNAME:<pid>`).
    ///   - metricsFactory: where metrics go; `nil` uses `MetricsSystem.factory` as bootstrapped
    ///     when a key is first recorded.
    public init(label: String? = nil, metricsFactory: (any MetricsFactory)? = nil) {
        let process = ProcessInfo.processInfo
        self.label = label ?? "\(process.environment["HOSTNAME"] ?? "localhost"):\(process.processIdentifier)"
        self.metricsFactory = metricsFactory
    }

    /// The id of the current source (changes at each `reset()`).
    public var sourceID: String { state.withLock { $0.sourceID } }

    /// Adds `record` to its key's bucket and to the metrics. Thread-safe (one short lock), so
    /// it can run on the request path of every adapter at once.
    public func record(_ record: CallRecord) {
        let key = UsageKey(record)
        let metrics = state.withLock { state -> UsageMetrics in
            state.sequence += 1
            if let index = state.entries.index(forKey: key) {
                state.entries.values[index].usage.add(record)
                return state.entries.values[index].metrics
            }
            var entry = Entry(metrics: UsageMetrics(key: key, factory: metricsFactory ?? MetricsSystem.factory))
            entry.usage.add(record)
            state.entries[key] = entry
            return entry.metrics
        }
        metrics.record(record)
    }

    /// A snapshot of this tracker's counts plus every merged-in source.
    public func stats() -> TokenUsageStats {
        let (local, remote) = state.withLock { state -> (UsageSource, [UsageSource]) in
            var rows: [UsageRow] = []
            rows.reserveCapacity(state.entries.count)
            for (key, entry) in state.entries where !entry.usage.isEmpty {
                rows.append(UsageRow(key: key, usage: entry.usage))
            }
            let source = UsageSource(
                id: state.sourceID, label: label, sequence: state.sequence, startedAt: state.startedAt,
                capturedAt: UsageMath.unixNow(), elapsedTimeSeconds: (ContinuousClock.now - state.start).seconds,
                rows: rows)
            return (source, Array(state.remote.values))
        }
        var sorted = local
        sorted.rows.sort { $0.key < $1.key }
        return TokenUsageStats(sources: [sorted] + remote)
    }

    /// Folds another process's snapshot into this tracker: its sources join `stats()`, one copy
    /// per source id (the newest), so merging the same or an older snapshot again changes
    /// nothing. This tracker's own sources (current or from before a reset) are ignored.
    public func merge(_ snapshot: TokenUsageStats) {
        state.withLock { state in
            for source in snapshot.sources
            where source.id != state.sourceID && !state.retiredIDs.contains(source.id) {
                if let existing = state.remote[source.id], !source.supersedes(existing) { continue }
                state.remote[source.id] = source
            }
        }
    }

    /// Clears every count and merged-in source, restarts the clock and starts a new source id.
    /// Metrics counters are cumulative and are not reset.
    public func reset() {
        state.withLock { state in
            state.retiredIDs.insert(state.sourceID)
            state.sourceID = UsageMath.newID()
            state.startedAt = UsageMath.unixNow()
            state.start = ContinuousClock.now
            state.sequence = 0
            state.remote = [:]
            for index in state.entries.indices { state.entries.values[index].usage = UsageBucket() }
        }
    }

    /// The cost of the usage so far (see `TokenUsageStats.estimateCost(prices:)`).
    public func estimateCost(prices: PriceTable = .bundled) -> CostEstimate {
        stats().estimateCost(prices: prices)
    }

    /// Logs totals, one line per model and the estimated cost (when above zero) at `info`
    /// level, as the original did; unpriced models are named.
    public func log(to logger: Logger = Logger(label: "onesim.models.usage"), prices: PriceTable = .bundled) {
        let s = stats()
        logger.info(
            "token usage: \(s.totalTokens) tokens (\(s.totalPromptTokens) prompt, \(s.totalCompletionTokens) completion) in \(s.requestCount) requests, \(s.errorCount) errors, \(String(format: "%.1f", s.tokensPerSecond)) tokens/s"
        )
        for (model, bucket) in s.modelUsage.sorted(by: { $0.key < $1.key }) {
            logger.info(
                "  \(model): \(bucket.totalTokens) tokens (\(bucket.promptTokens) prompt, \(bucket.completionTokens) completion) in \(bucket.requestCount) requests"
            )
        }
        let cost = s.estimateCost(prices: prices)
        if cost.totalCostUSD > 0 {
            logger.info("  estimated cost: $\(String(format: "%.4f", cost.totalCostUSD))")
        }
        if !cost.unpricedModels.isEmpty {
            logger.info("  unpriced models: \(cost.unpricedModels.joined(separator: ", "))")
        }
    }
}
