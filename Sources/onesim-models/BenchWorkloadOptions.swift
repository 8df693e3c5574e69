import ArgumentParser
import OneSimModelsSimulator

/// `bench` flags for real workloads: a JSONL file or the built-in agent generator, a simulated
/// fleet, step release and the balancer strategy.
struct BenchWorkloadOptions: ParsableArguments {
    @Option(name: .long, help: "A JSONL workload: one {\"messages\": [...], \"max_tokens\": n, \"affinity_key\": \"...\"} per line; an empty line ends a step.")
    var workload: String?

    @Option(name: .long, help: "A fleet file: start these simulated vLLM-like servers in process and bench a balancer over them (prints the capacity bound and makespan ÷ ideal).")
    var fleet: String?

    @Flag(name: .customLong("at-once"), help: "Release each step's calls together (the next step starts when the step is done); otherwise --concurrency calls in flight in file order.")
    var atOnce = false

    @Option(name: .long, help: "Generator: agents (one call per agent per step).")
    var agents: Int?

    @Option(name: .long, help: "Generator: distinct personas (system prompts).")
    var personas: Int = 8

    @Option(name: .customLong("persona-tokens"), help: "Generator: tokens per persona prompt.")
    var personaTokens: Int = 800

    @Option(name: .customLong("max-tokens-range"), help: "Generator: max_tokens drawn uniformly from a-b.")
    var maxTokensRange: String = "20-200"

    @Option(name: .long, help: "Generator: steps (each agent's history grows every step).")
    var steps: Int = 1

    @Option(name: .long, help: "Generator: random seed.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "The strategy of the balancer bench builds (with --fleet, or without --config); default: the registry's default.")
    var strategy: String?

    @Option(name: .customLong("metrics-url"), help: "A member's /metrics URL to read prefix-cache counters from (repeatable; --fleet adds its servers').")
    var metricsURLs: [String] = []

    @Flag(name: .customLong("no-progress"), help: "No live progress line (it is also off when stdout is not a terminal or with --json).")
    var noProgress = false

    /// Whether any workload flag is set (`bench` then runs the workload mode).
    var isActive: Bool { workload != nil || agents != nil || fleet != nil }

    /// The parsed `--max-tokens-range`.
    var maxTokens: ClosedRange<Int>? {
        let parts = maxTokensRange.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]), a >= 1, a <= b, b <= 131_072 else { return nil }
        return a...b
    }

    func validate() throws {
        if workload != nil && agents != nil { throw ValidationError("--workload and --agents cannot be combined") }
        if let agents {
            try FlagRange.check("--agents", agents, FleetWorkloadGenerator.agentsRange)
            try FlagRange.check("--personas", personas, FleetWorkloadGenerator.personasRange)
            try FlagRange.check("--persona-tokens", personaTokens, FleetWorkloadGenerator.personaTokensRange)
            try FlagRange.check("--steps", steps, FleetWorkloadGenerator.stepsRange)
            guard maxTokens != nil else { throw ValidationError("--max-tokens-range must be a-b with 1 <= a <= b <= 131072, got '\(maxTokensRange)'") }
            let (calls, overflow) = agents.multipliedReportingOverflow(by: steps)
            if overflow || calls > FleetWorkloadGenerator.maximumCalls {
                throw ValidationError("--agents × --steps must be at most \(FleetWorkloadGenerator.maximumCalls)")
            }
        }
        if fleet != nil && workload == nil && agents == nil { throw ValidationError("--fleet needs --workload or --agents") }
        if metricsURLs.count > 1024 { throw ValidationError("at most 1024 --metrics-url") }
        for url in metricsURLs where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--metrics-url must be an http(s) URL, got '\(url)'")
        }
    }

    /// The workload: the file's, or the generator's.
    func makeWorkload() throws -> FleetWorkload {
        if let workload { return try FleetWorkloadReader.load(path: workload) }
        guard let agents, let range = maxTokens,
            let made = FleetWorkloadGenerator(
                agents: agents, personas: personas, personaTokens: personaTokens, maxTokens: range, steps: steps, seed: seed
            ).make()
        else { throw ValidationError("--workload FILE or --agents N is needed") }
        return made
    }
}
