import OneSimModelsCore

/// The knobs of the fleet dispatch (`strategy: "fleet"`, the default) and of the `affinity`
/// strategy. The defaults suit fleets of self-hosted vLLM/SGLang servers; none needs setting.
public struct FleetSettings: Sendable, Hashable {
    /// Waiting calls a freed slot looks at, oldest first, to find the one whose prompt the
    /// member has cached best (`lookahead`, default 32; 1 is strict FIFO).
    public var lookahead: Int
    /// How often the oldest waiting call may be passed over by a younger one with a better
    /// match before it goes next regardless (`max_skips`, default 16): nobody starves.
    public var maxSkips: Int
    /// An arriving call leaves the member with its best prefix match for a less loaded one when
    /// that member holds more than `balanceAbsThreshold` requests above the least loaded one
    /// (`balance_abs_threshold`, default 8) ...
    public var balanceAbsThreshold: Int
    /// ... and more than `balanceRelThreshold ×` its load (`balance_rel_threshold`, default 1.5),
    /// as SGLang's cache-aware router. It then prefers the best match among the less loaded.
    public var balanceRelThreshold: Double
    /// Prompt blocks (256 bytes each) remembered per member (`prefix_index_blocks`, default
    /// 16,384: about a million tokens, the order of one GPU's KV cache).
    public var prefixIndexBlocks: Int
    /// `c` of the `affinity` strategy's bounded loads (`affinity_load_factor`, default 1.25): a
    /// key leaves its ring owner when that member would hold more than `c ×` the average load.
    public var affinityLoadFactor: Double

    /// Settings with the given values; every default is the documented one.
    public init(
        lookahead: Int = 32, maxSkips: Int = 16, balanceAbsThreshold: Int = 8, balanceRelThreshold: Double = 1.5,
        prefixIndexBlocks: Int = 16_384, affinityLoadFactor: Double = 1.25
    ) {
        self.lookahead = lookahead
        self.maxSkips = maxSkips
        self.balanceAbsThreshold = balanceAbsThreshold
        self.balanceRelThreshold = balanceRelThreshold
        self.prefixIndexBlocks = prefixIndexBlocks
        self.affinityLoadFactor = affinityLoadFactor
    }

    /// The accepted range of each integer knob, by config key (one home for the config
    /// loader's checks and `validate`).
    package static let integerRanges: [(key: String, range: ClosedRange<Int>)] = [
        ("lookahead", 1...4096), ("max_skips", 0...1_000_000), ("balance_abs_threshold", 0...1_000_000),
        ("prefix_index_blocks", 2...(1 << 24)),
    ]
    /// The accepted range of each number knob, by config key.
    package static let numberRanges: [(key: String, range: ClosedRange<Double>)] = [
        ("balance_rel_threshold", 1...1_000_000), ("affinity_load_factor", 1...100),
    ]

    /// Checks the values against `integerRanges` and `numberRanges`.
    ///
    /// - Throws: `ModelError.Kind.configuration` naming the bad key and `balancer`.
    package func validate(balancer: String) throws(ModelError) {
        let integers = ["lookahead": lookahead, "max_skips": maxSkips, "balance_abs_threshold": balanceAbsThreshold,
                        "prefix_index_blocks": prefixIndexBlocks]
        let numbers = ["balance_rel_threshold": balanceRelThreshold, "affinity_load_factor": affinityLoadFactor]
        func bad(_ key: String, _ why: String) -> ModelError {
            ModelError(.configuration, "load balancer '\(balancer)': \(key) \(why)", param: key, configName: balancer)
        }
        for (key, range) in Self.integerRanges {
            guard let value = integers[key], !range.contains(value) else { continue }
            throw bad(key, "must be between \(range.lowerBound) and \(range.upperBound) (got \(value))")
        }
        for (key, range) in Self.numberRanges {
            guard let value = numbers[key], !(value.isFinite && range.contains(value)) else { continue }
            throw bad(key, "must be a number between \(range.lowerBound) and \(range.upperBound) (got \(value))")
        }
    }
}
