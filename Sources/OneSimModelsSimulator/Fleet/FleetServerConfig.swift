/// One simulated vLLM-like server of a fleet: its slots, speed, per-token costs and prefix cache.
///
/// Work is counted in "batch-1 seconds": prefilling one uncached prompt token costs
/// `prefillSecondsPerToken`, producing one output token costs `decodeSecondsPerToken`. While
/// `n` requests run together each of them advances at
/// `speed / (1 + batchSlowdown × (n − 1))` batch-1 seconds per second, so a full batch is the
/// most throughput and the slowest per request (see ``FleetServerModel``).
public struct FleetServerConfig: Sendable, Hashable {
    /// A change of `speed` at a time measured from the server's start.
    public struct SpeedChange: Sendable, Hashable {
        /// When the change takes effect (from the server's start).
        public var at: Duration
        /// The new speed factor (> 0).
        public var speed: Double
        /// A change to `speed` at `at`.
        public init(at: Duration, speed: Double) {
            self.at = at
            self.speed = speed
        }
    }

    /// The server's name (a config name in the printed models config).
    public var name: String
    /// Requests that run at once (vLLM's `--max-num-seqs`); the rest wait in the server's queue.
    public var maxNumSeqs: Int
    /// Speed factor at the start (> 0; 0.5 is half as fast).
    public var speed: Double
    /// Batch-1 seconds per uncached prompt token.
    public var prefillSecondsPerToken: Double
    /// Batch-1 seconds per output token.
    public var decodeSecondsPerToken: Double
    /// How much each further running request slows every running one (0.04: 4 % each).
    public var batchSlowdown: Double
    /// Prefix-cache capacity in blocks of `blockTokens` tokens (LRU).
    public var cacheBlocks: Int
    /// Tokens per cache block.
    public var blockTokens: Int
    /// Speed changes, in time order.
    public var speedChanges: [SpeedChange]

    /// A server with vLLM-like defaults.
    public init(
        name: String, maxNumSeqs: Int = 16, speed: Double = 1, prefillSecondsPerToken: Double = 0.0002,
        decodeSecondsPerToken: Double = 0.004, batchSlowdown: Double = 0.04, cacheBlocks: Int = 4096,
        blockTokens: Int = 16, speedChanges: [SpeedChange] = []
    ) {
        self.name = name
        self.maxNumSeqs = maxNumSeqs
        self.speed = speed
        self.prefillSecondsPerToken = prefillSecondsPerToken
        self.decodeSecondsPerToken = decodeSecondsPerToken
        self.batchSlowdown = batchSlowdown
        self.cacheBlocks = cacheBlocks
        self.blockTokens = blockTokens
        self.speedChanges = speedChanges
    }

    /// The accepted ranges (a fleet file outside them is rejected with the key's name).
    package enum Limits {
        package static let maxNumSeqs = 1...4096
        package static let speed = 1e-6...1e6
        package static let secondsPerToken = 0.0...60.0
        package static let batchSlowdown = 0.0...100.0
        package static let cacheBlocks = 0...100_000_000
        package static let blockTokens = 1...65_536
        package static let speedChanges = 0...10_000
        /// Seconds from the start a speed change may be set at.
        package static let changeAt = 0.0...1e8
    }

    /// The first rule the config breaks, as a message naming the field, or nil when it is valid.
    /// Configs built in code are checked by ``FleetServerModel/init(config:)`` the same way.
    package var problem: String? {
        if name.isEmpty || name.utf8.count > 256 { return "name must be 1 to 256 bytes" }
        if !Limits.maxNumSeqs.contains(maxNumSeqs) { return "max_num_seqs must be from 1 to 4096, got \(maxNumSeqs)" }
        if !Limits.speed.contains(speed) { return "speed must be from 1e-6 to 1e6, got \(speed)" }
        if !Limits.secondsPerToken.contains(prefillSecondsPerToken) {
            return "prefill_seconds_per_token must be from 0 to 60, got \(prefillSecondsPerToken)"
        }
        if !Limits.secondsPerToken.contains(decodeSecondsPerToken) {
            return "decode_seconds_per_token must be from 0 to 60, got \(decodeSecondsPerToken)"
        }
        if !Limits.batchSlowdown.contains(batchSlowdown) { return "batch_slowdown must be from 0 to 100, got \(batchSlowdown)" }
        if !Limits.cacheBlocks.contains(cacheBlocks) { return "cache_blocks must be from 0 to 100000000, got \(cacheBlocks)" }
        if !Limits.blockTokens.contains(blockTokens) { return "block_tokens must be from 1 to 65536, got \(blockTokens)" }
        if !Limits.speedChanges.contains(speedChanges.count) { return "speed_changes may hold at most 10000 entries" }
        var last = Duration.zero
        for (i, change) in speedChanges.enumerated() {
            if !Limits.speed.contains(change.speed) { return "speed_changes[\(i)].speed must be from 1e-6 to 1e6, got \(change.speed)" }
            if change.at < .zero || change.at > .seconds(Int64(Limits.changeAt.upperBound)) {
                return "speed_changes[\(i)].at must be from 0 to 1e8 seconds"
            }
            if change.at < last { return "speed_changes must be in time order (entry \(i) is earlier than the one before)" }
            last = change.at
        }
        return nil
    }

    /// The speed at `time` (the last change at or before it, else `speed`).
    package func speed(at time: Duration) -> Double {
        var current = speed
        for change in speedChanges {
            if change.at > time { break }
            current = change.speed
        }
        return current
    }

    /// Batch-1 work per second of one request while `running` requests run at `speed`.
    package func rate(running: Int, speed: Double) -> Double {
        speed / (1 + batchSlowdown * Double(max(0, running - 1)))
    }
}
