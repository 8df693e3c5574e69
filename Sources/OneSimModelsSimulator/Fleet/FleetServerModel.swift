/// A vLLM-like server as a deterministic state machine over times passed in: continuous
/// batching over `maxNumSeqs` slots, a FIFO queue behind them, an LRU prefix cache and
/// batch-dependent speed. It never sleeps and never reads a clock, so a discrete-event
/// simulation and the real-time HTTP shell (``FleetServerRuntime``) drive the same code.
///
/// Contract:
/// - ``submit(_:at:)`` admits a request at once when a slot is free and nobody waits, else it
///   waits (FIFO). On admission its leading cached blocks are counted as prefix hits
///   (`prefixHits`, in tokens, of `prefixQueries` = its prompt tokens) and all its blocks are
///   inserted into (or touched in) the cache.
/// - A running request's work is `(promptTokens − cachedTokens) × prefillSecondsPerToken +
///   outputTokens × decodeSecondsPerToken` batch-1 seconds. While `n` requests run, each one
///   advances at `speed(t) / (1 + batchSlowdown × (n − 1))` batch-1 seconds per second; rates are
///   recomputed at every event (admission, completion, speed change), O(maxNumSeqs) each.
/// - ``nextEventTime()`` is when ``advance(to:)`` next has something to do (a completion or a
///   speed change while requests run), or nil when idle. Times before the model's current time
///   are treated as the current time.
/// - Bounded: at most `maxNumSeqs` running, at most ``maximumWaiting`` waiting (``submit(_:at:)``
///   returns false beyond), the cache holds at most `cacheBlocks` blocks; counters saturate.
package struct FleetServerModel: Sendable {
    /// Requests the server queue holds at most.
    package static let maximumWaiting = 100_000

    struct Running: Sendable {
        var request: FleetRequest
        var cachedTokens: Int
        var remaining: Double
        var queuedFor: Duration
    }

    package let config: FleetServerConfig
    /// The model's current time (the latest time it was advanced to).
    package private(set) var now: Duration = .zero
    private var runningRequests: [Running] = []
    private var queue: [(request: FleetRequest, submittedAt: Duration)] = []
    private var queueHead = 0
    private var cache: FleetPrefixCache
    /// Completions that happened while ``submit(_:at:)`` caught up with time; returned by the next advance.
    private var pending: [FleetCompletion] = []
    /// Prompt tokens looked up in the prefix cache (vLLM's `prefix_cache_queries`).
    package private(set) var prefixQueries = 0
    /// Prompt tokens found in the prefix cache (vLLM's `prefix_cache_hits`).
    package private(set) var prefixHits = 0
    /// Requests finished so far.
    package private(set) var completed = 0
    /// Requests refused because the queue was full.
    package private(set) var rejected = 0

    /// A request counts as done when its remaining work would take at most this long at the
    /// current rate (absorbs the rounding of event times to nanoseconds).
    static let doneWithin = 1e-9

    /// A server model; an invalid config (see ``FleetServerConfig/problem``) is an error.
    package init(config: FleetServerConfig) throws(FleetConfigError) {
        if let problem = config.problem { throw FleetConfigError("server '\(config.name)': \(problem)") }
        self.config = config
        self.cache = FleetPrefixCache(capacity: config.cacheBlocks)
    }

    /// Requests running now.
    package var running: Int { runningRequests.count }
    /// Requests waiting in the server's queue.
    package var waiting: Int { queue.count - queueHead }
    /// Blocks held in the prefix cache.
    package var cachedBlocks: Int { cache.count }

    /// KV-cache use from 0 to 1: the blocks the running requests hold (prompt plus output tokens,
    /// rounded up to blocks) ÷ `cacheBlocks`, capped at 1 (0 when `cacheBlocks` is 0). Cached
    /// blocks no running request uses count as free, as in vLLM.
    package var kvCacheUsage: Double {
        guard config.cacheBlocks > 0 else { return 0 }
        var blocks = 0
        for r in runningRequests {
            let tokens = saturatingAdd(r.request.promptTokens, r.request.outputTokens)
            blocks = saturatingAdd(blocks, tokens / config.blockTokens + (tokens % config.blockTokens == 0 ? 0 : 1))
        }
        return min(1, Double(blocks) / Double(config.cacheBlocks))
    }

    /// Submits `request` at `time`. Returns false (and counts it in `rejected`) when the queue is full.
    @discardableResult
    package mutating func submit(_ request: FleetRequest, at time: Duration) -> Bool {
        if time > now { pending.append(contentsOf: step(to: time)) }
        guard waiting < Self.maximumWaiting else {
            rejected = saturatingAdd(rejected, 1)
            return false
        }
        var request = request
        request.promptTokens = max(0, request.promptTokens)
        request.outputTokens = max(0, request.outputTokens)
        if runningRequests.count < config.maxNumSeqs && waiting == 0 {
            admit(request, submittedAt: now)
            // A request with no work finishes at once.
            pending.append(contentsOf: collectFinished())
        } else {
            queue.append((request, now))
        }
        return true
    }

    /// Removes request `id` (a client went away): from the queue, or from the running batch
    /// (freeing its slot for the next waiting request). Returns whether it was found.
    @discardableResult
    package mutating func cancel(id: UInt64, at time: Duration) -> Bool {
        if time > now { pending.append(contentsOf: step(to: time)) }
        if let i = runningRequests.firstIndex(where: { $0.request.id == id }) {
            runningRequests.remove(at: i)
            admitWaiting()
            pending.append(contentsOf: collectFinished())
            return true
        }
        if let i = queue[queueHead...].firstIndex(where: { $0.request.id == id }) {
            queue.remove(at: i)
            return true
        }
        return false
    }

    /// When ``advance(to:)`` next has something to do, or nil when nothing runs.
    package func nextEventTime() -> Duration? {
        if !pending.isEmpty { return now }
        guard !runningRequests.isEmpty else { return nil }
        let speed = config.speed(at: now)
        let rate = config.rate(running: runningRequests.count, speed: speed)
        var least = Double.infinity
        for r in runningRequests { least = min(least, r.remaining) }
        var next = now + max(.nanoseconds(1), FleetTime.duration(least / rate))
        if let change = config.speedChanges.first(where: { $0.at > now }), change.at < next { next = change.at }
        return next
    }

    /// Moves time forward to `time`, playing every completion and admission on the way, and
    /// returns the requests that finished (in finishing order).
    package mutating func advance(to time: Duration) -> [FleetCompletion] {
        var done = pending
        pending.removeAll()
        if time > now { done.append(contentsOf: step(to: time)) }
        return done
    }

    // MARK: Internals

    private mutating func step(to target: Duration) -> [FleetCompletion] {
        var done: [FleetCompletion] = []
        // Each iteration ends at a completion, a speed change or the target; bounded by the
        // number of those events (plus one).
        while now < target {
            guard !runningRequests.isEmpty else {
                now = target
                break
            }
            let speed = config.speed(at: now)
            let rate = config.rate(running: runningRequests.count, speed: speed)
            var least = Double.infinity
            for r in runningRequests { least = min(least, r.remaining) }
            var end = now + max(.nanoseconds(1), FleetTime.duration(least / rate))
            if let change = config.speedChanges.first(where: { $0.at > now }), change.at < end { end = change.at }
            if end > target { end = target }
            let progress = FleetTime.seconds(end - now) * rate
            for i in runningRequests.indices { runningRequests[i].remaining -= progress }
            now = end
            done.append(contentsOf: collectFinished())
        }
        return done
    }

    /// Removes finished running requests (admitting waiting ones into their slots, which may
    /// finish at once when they carry no work) and returns them.
    private mutating func collectFinished() -> [FleetCompletion] {
        var done: [FleetCompletion] = []
        func threshold() -> Double {
            config.rate(running: runningRequests.count, speed: config.speed(at: now)) * Self.doneWithin + 1e-12
        }
        while true {
            let limit = threshold()
            guard runningRequests.contains(where: { $0.remaining <= limit }) else { break }
            var kept: [Running] = []
            kept.reserveCapacity(runningRequests.count)
            for r in runningRequests {
                if r.remaining <= limit {
                    done.append(
                        FleetCompletion(
                            id: r.request.id, finishedAt: now, promptTokens: r.request.promptTokens,
                            cachedTokens: r.cachedTokens, outputTokens: r.request.outputTokens, queuedFor: r.queuedFor))
                    completed = saturatingAdd(completed, 1)
                } else {
                    kept.append(r)
                }
            }
            runningRequests = kept
            admitWaiting()
        }
        return done
    }

    private mutating func admitWaiting() {
        while runningRequests.count < config.maxNumSeqs, queueHead < queue.count {
            let (request, submittedAt) = queue[queueHead]
            queueHead += 1
            admit(request, submittedAt: submittedAt)
        }
        // Compact the consumed front of the queue now and then (amortised O(1)).
        if queueHead > 1024 && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        } else if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        }
    }

    private mutating func admit(_ request: FleetRequest, submittedAt: Duration) {
        let hits = cache.leadingHits(request.promptBlocks)
        let (product, overflow) = hits.multipliedReportingOverflow(by: config.blockTokens)
        let cached = min(request.promptTokens, overflow ? Int.max : product)
        cache.insert(request.promptBlocks)
        prefixQueries = saturatingAdd(prefixQueries, request.promptTokens)
        prefixHits = saturatingAdd(prefixHits, cached)
        let work = Double(request.promptTokens - cached) * config.prefillSecondsPerToken
            + Double(request.outputTokens) * config.decodeSecondsPerToken
        runningRequests.append(
            Running(request: request, cachedTokens: cached, remaining: work, queuedFor: now - submittedAt))
    }
}

/// A fleet description or server config that cannot be used, with a message naming the field.
public struct FleetConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the key (and server) at fault.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
