import Logging
import Synchronization

/// Counts tokens and requests of every provider call, exactly, under any concurrency.
///
/// Each provider attempt is recorded once (successes with their usage, failures by kind).
/// `stats()` returns a value snapshot. The state sits behind one `Mutex`, held only for the few
/// additions of a record.
public final class TokenUsageTracker: UsageRecorder, Sendable {
    private struct State {
        var stats = TokenUsageStats()
        var start = ContinuousClock.now
    }

    private let state = Mutex(State())

    /// A tracker starting now.
    public init() {}

    /// Records one call.
    public func record(_ record: CallRecord) {
        state.withLock { state in
            if let error = record.error {
                state.stats.errorCount += 1
                state.stats.errorsByKind[error.rawValue, default: 0] += 1
            } else {
                state.stats.totalPromptTokens += record.usage.promptTokens
                state.stats.totalCompletionTokens += record.usage.completionTokens
                state.stats.totalTokens += record.usage.totalTokens
                state.stats.requestCount += 1
            }
            state.stats.modelUsage[record.modelName, default: UsageBucket()].add(record)
            state.stats.configUsage[record.configName, default: UsageBucket()].add(record)
            state.stats.providerUsage[record.provider, default: UsageBucket()].add(record)
        }
    }

    /// A snapshot of the counts so far.
    public func stats() -> TokenUsageStats {
        state.withLock { state in
            var stats = state.stats
            stats.elapsedTimeSeconds = (ContinuousClock.now - state.start).seconds
            return stats
        }
    }

    /// Clears every count and restarts the clock.
    public func reset() {
        state.withLock { $0 = State() }
    }

    /// Logs totals and one line per model at `info` level.
    public func log(to logger: Logger = Logger(label: "onesim.models.usage")) {
        let s = stats()
        logger.info(
            "token usage: \(s.totalTokens) tokens (\(s.totalPromptTokens) prompt, \(s.totalCompletionTokens) completion) in \(s.requestCount) requests, \(s.errorCount) errors"
        )
        for (model, bucket) in s.modelUsage.sorted(by: { $0.key < $1.key }) {
            logger.info("  \(model): \(bucket.totalTokens) tokens in \(bucket.requestCount) requests")
        }
    }
}
