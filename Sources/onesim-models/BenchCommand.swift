import ArgumentParser
import Foundation
import Histogram
import OneSimModels
import OneSimModelsSimulator
import Synchronization

/// `onesim-models bench`: N requests, C at a time, through a model or balancer; prints
/// throughput, latency percentiles (HdrHistogram), CPU per request and peak RSS.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure requests/s, latency, CPU per request and memory through a model or balancer.")

    @Option(name: .long, help: "A model config file; without it, an in-process simulator behind a two-member round-robin balancer.")
    var config: String?

    @Option(name: .long, help: "Config or balancer name.")
    var model: String?

    @Option(name: .customLong("model-name"), help: "Use the balancer over every config with this model_name.")
    var modelName: String?

    @Option(name: .customLong("model-type"), help: "chat or embedding: that type's default balancer.")
    var modelType: ModelKind?

    @Option(name: .long, help: "Requests to send.")
    var requests: Int = 10_000

    @Option(name: .long, help: "Requests in flight at once.")
    var concurrency: Int = 64

    @Flag(name: .long, help: "Benchmark embeddings instead of chat.")
    var embeddings = false

    @Option(name: .customLong("max-connections"), help: "Pooled connections per host (default: the manager's default).")
    var maxConnections: Int?

    @Flag(name: .long, help: "Bypass the library: post the same request bytes with a bare AsyncHTTPClient (the floor to compare against).")
    var raw = false

    @Flag(name: .customLong("in-memory"), help: "Skip the network: answer every request in process with a fixed reply, to measure the library's own work per call (format, encode, pick, decode, usage).")
    var inMemory = false

    @Option(name: .customLong("latency-ms"), help: "With --in-memory: how long each in-process answer takes.")
    var latencyMilliseconds: Int = 0

    @Option(name: .long, help: "Without --config: how many members the built-in balancer has (1-256).")
    var members: Int = 2

    @Option(name: .customLong("max-concurrency"), help: "Without --config: each member's max_concurrency (calls beyond wait in the balancer's queue).")
    var maxConcurrency: Int?

    @Option(name: .long, help: "Without --config: each member's tpm.")
    var tpm: Int?

    @Option(name: .long, help: "Without --config: each member's rpm.")
    var rpm: Int?

    @Flag(name: .long, help: "Time the lenient JSON parser on 0.25–2 MB replies instead (linear is the goal).")
    var parsers = false

    @Flag(name: .long, help: "End with one JSON line of the results.")
    var json = false

    @OptionGroup(title: "Workloads and simulated fleets")
    var workloadOptions: BenchWorkloadOptions

    func validate() throws {
        try FlagRange.check("--requests", requests, 1...100_000_000)
        try FlagRange.check("--concurrency", concurrency, 1...1_000_000)
        if let maxConnections { try FlagRange.check("--max-connections", maxConnections, 1...65_536) }
        try FlagRange.check("--latency-ms", latencyMilliseconds, 0...86_400_000)
        try FlagRange.check("--members", members, 1...256)
        if members != 2 && config != nil { throw ValidationError("--members applies to the built-in balancer; list members in the config file instead") }
        if raw && inMemory { throw ValidationError("--raw and --in-memory cannot be combined") }
        if workloadOptions.strategy != nil && config != nil && workloadOptions.fleet == nil {
            throw ValidationError("--strategy applies to the balancer bench builds (with --fleet or without --config)")
        }
        if latencyMilliseconds != 0 && !inMemory { throw ValidationError("--latency-ms needs --in-memory") }
        if workloadOptions.isActive && (raw || inMemory || embeddings || parsers) {
            throw ValidationError("--workload, --agents and --fleet cannot be combined with --raw, --in-memory, --embeddings or --parsers")
        }
        if workloadOptions.fleet != nil && config != nil { throw ValidationError("--fleet and --config cannot be combined") }
        for (flag, value) in [("--max-concurrency", maxConcurrency), ("--tpm", tpm), ("--rpm", rpm)] {
            guard let value else { continue }
            try FlagRange.check(flag, value, 1...1_000_000_000_000)
            if config != nil { throw ValidationError("\(flag) applies to the built-in members; set it in the config file instead") }
        }
    }

    func run() async throws {
        if parsers {
            let progress = ProgressLine.make(total: ParserBench.runs, unit: "runs", enabled: !workloadOptions.noProgress && !json)
            let table = try ParserBench.run(progress: progress)
            progress?.clear()
            print(table)
            return
        }
        if workloadOptions.isActive {
            try await runWorkload()
            return
        }
        var http = HTTPSettings()
        if let maxConnections { http.connectionPool.maxConnectionsPerHost = maxConnections }
        let manager = ModelManager(
            httpSettings: http, responder: inMemory ? FixedResponder(
                body: embeddings ? Self.embeddingReply : Self.chatReply, latency: .milliseconds(latencyMilliseconds)) : nil)
        var simulator: Simulator?
        do {
            let target: any ModelAdapter
            if let config {
                try manager.loadModelConfigs(path: config)
                if let model {
                    target = try manager.getModel(configName: model)
                } else {
                    target = try manager.getModel(
                        modelType: modelType ?? (modelName == nil ? (embeddings ? .embedding : .chat) : nil), modelName: modelName)
                }
            } else {
                let base: String
                if inMemory {
                    base = "http://in-memory.invalid/v1"
                } else {
                    let sim = Simulator(configuration: .init(recordRequests: false))
                    base = "http://127.0.0.1:\(try await sim.start())/v1"
                    simulator = sim
                }
                let type = embeddings ? "openai_embedding" : "openai_chat"
                let limits = [("max_concurrency", maxConcurrency), ("tpm", tpm), ("rpm", rpm)]
                    .compactMap { key, value in value.map { ", \"\(key)\": \($0)" } }.joined()
                let names = Self.memberNames(members)
                let entries = names.map { name in
                    #"{"config_name": "\#(name)", "model_type": "\#(type)", "model_name": "sim", "api_key": "k", "client_args": {"base_url": "\#(base)"}\#(limits)}"#
                }
                try manager.loadModelConfigs(json: "[\(entries.joined(separator: ",\n"))]")
                try manager.configureLoadBalancer(
                    modelConfigs: names, strategy: workloadOptions.strategy ?? "fleet", configName: "bench",
                    modelType: embeddings ? .embedding : .chat)
                target = try manager.getModel(configName: "bench")
            }
            let result: BenchResult
            let progress = ProgressLine.make(total: requests, enabled: !workloadOptions.noProgress && !json)
            defer { progress?.clear() }
            if raw {
                let urls = try rawURLs(manager: manager, target: target)
                result = try await RawBench(
                    urls: urls, modelName: target.modelName, requests: requests, concurrency: concurrency, embeddings: embeddings,
                    progress: progress
                ).run()
            } else {
                result = try await BenchRunner(
                    model: target, requests: requests, concurrency: concurrency, embeddings: embeddings, progress: progress
                ).run()
            }
            progress?.clear()
            print(result.table)
            if json { print(result.jsonLine) }
        } catch {
            await manager.shutdown()
            await simulator?.stop()
            printError("error: \(error)")
            throw ExitCode.failure
        }
        await manager.shutdown()
        await simulator?.stop()
    }
}

extension BenchCommand {
    /// The built-in balancer's member names: `bench-a`, `bench-b`, ... up to 26, then `bench-27`, ...
    static func memberNames(_ count: Int) -> [String] {
        (0..<count).map { i in
            i < 26 ? "bench-" + String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i))) : "bench-\(i + 1)"
        }
    }

    /// The `--in-memory` chat reply: the same bytes `Benchmarks/compare.sh` has nginx serve.
    static let chatReply = #"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"I will tend the orchard and trade apples at the market.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":27,"completion_tokens":12,"total_tokens":39}}"#

    /// The `--in-memory` embedding reply (one 8-dimensional vector).
    static let embeddingReply = #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.01,-0.02,0.03,0.04,-0.05,0.06,0.07,-0.08]}],"model":"bench","usage":{"prompt_tokens":9,"total_tokens":9}}"#

    /// The endpoint URLs behind `target` (its members for a balancer), for `--raw`.
    func rawURLs(manager: ModelManager, target: any ModelAdapter) throws -> [String] {
        let names = (target as? LoadBalancer)?.memberNames ?? [target.configName]
        let path = embeddings ? "/embeddings" : "/chat/completions"
        let urls = names.compactMap { manager.getConfig($0)?.clientArgs.baseURL.map { base in
            (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
        } }
        guard !urls.isEmpty else { throw ValidationError("--raw needs configs with client_args.base_url") }
        return urls
    }
}

/// Runs the workload and measures it.
struct BenchRunner {
    let model: any ModelAdapter
    let requests: Int
    let concurrency: Int
    let embeddings: Bool
    let progress: ProgressLine?

    /// The fixed workload: a system and a user message (or one text to embed).
    static let prompt: Prompt = [
        SystemMessage("You are a helpful assistant in an agent simulation."),
        UserMessage("Describe your plan for today in one sentence."),
    ]

    func run() async throws -> BenchResult {
        let shared = BenchShared()
        let cpuStart = ProcessUsage.cpuMicroseconds()
        let start = ContinuousClock.now
        let model = model
        let (requests, embeddings, progress) = (self.requests, self.embeddings, self.progress)
        let partials = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<min(concurrency, requests) {
                group.addTask {
                    var ok = 0
                    var errors = 0
                    while shared.next.wrappingAdd(1, ordering: .relaxed).oldValue < requests {
                        let t0 = ContinuousClock.now
                        do {
                            if embeddings {
                                _ = try await model.acall(texts: ["Describe your plan for today in one sentence."])
                            } else {
                                _ = try await model.acall(Self.prompt)
                            }
                            ok += 1
                            progress?.finished(ok: true)
                        } catch {
                            errors += 1
                            progress?.finished(ok: false)
                        }
                        let elapsed = ContinuousClock.now - t0
                        let micros = UInt64(max(1, elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
                        shared.histogram.withLock { _ = $0.record(micros) }
                    }
                    return (ok, errors)
                }
            }
            var ok = 0
            var errors = 0
            for try await (o, e) in group {
                ok += o
                errors += e
            }
            return (ok, errors)
        }
        let wall = (ContinuousClock.now - start)
        let cpu = ProcessUsage.cpuMicroseconds() - cpuStart
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let (ok, errors) = partials
        let histogramCopy = shared.histogram.withLock { $0 }
        return BenchResult(
            requests: requests, ok: ok, errors: errors, wallSeconds: wallSeconds,
            p50: Double(histogramCopy.valueAtPercentile(50)) / 1000, p90: Double(histogramCopy.valueAtPercentile(90)) / 1000,
            p99: Double(histogramCopy.valueAtPercentile(99)) / 1000, cpuMicrosecondsPerRequest: Double(cpu) / Double(requests),
            peakRSSMegabytes: ProcessUsage.peakRSSMegabytes())
    }
}

/// State the workers share: the next request's index and one latency histogram (about 0.5 MB;
/// recording under its lock takes nanoseconds).
final class BenchShared: Sendable {
    let next = Atomic<Int>(0)
    let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three))
}

/// The measured figures.
struct BenchResult {
    var requests: Int
    var ok: Int
    var errors: Int
    var wallSeconds: Double
    var p50: Double
    var p90: Double
    var p99: Double
    var cpuMicrosecondsPerRequest: Double
    var peakRSSMegabytes: Double

    var rps: Double { wallSeconds > 0 ? Double(requests) / wallSeconds : 0 }

    var table: String {
        func f(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
        return """
            requests          \(requests)
            ok                \(ok)
            errors            \(errors)
            wall seconds      \(f(wallSeconds, 3))
            requests/second   \(f(rps, 1))
            latency p50 (ms)  \(f(p50, 3))
            latency p90 (ms)  \(f(p90, 3))
            latency p99 (ms)  \(f(p99, 3))
            CPU µs/request    \(f(cpuMicrosecondsPerRequest, 1))   (user+system of this process, simulator included when in-process)
            peak RSS (MB)     \(f(peakRSSMegabytes, 1))
            """
    }

    var jsonLine: String { JSONValue.object(jsonObject).description }

    var jsonObject: [String: JSONValue] {
        [
            "requests": .int(requests), "ok": .int(ok), "errors": .int(errors), "wall_s": .double(wallSeconds),
            "rps": .double(rps), "p50_ms": .double(p50), "p90_ms": .double(p90), "p99_ms": .double(p99),
            "cpu_us_per_request": .double(cpuMicrosecondsPerRequest), "peak_rss_mb": .double(peakRSSMegabytes),
        ]
    }
}

/// `getrusage` readings of this process.
enum ProcessUsage {
    #if os(Linux)
    static let who = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    static let who = RUSAGE_SELF
    #endif

    /// User plus system CPU time so far, in microseconds.
    static func cpuMicroseconds() -> Int {
        var usage = rusage()
        getrusage(who, &usage)
        return (Int(usage.ru_utime.tv_sec) + Int(usage.ru_stime.tv_sec)) * 1_000_000 + Int(usage.ru_utime.tv_usec)
            + Int(usage.ru_stime.tv_usec)
    }

    /// The peak resident set size, in MB (Linux reports `ru_maxrss` in KiB).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        #if os(Linux)
        return Double(usage.ru_maxrss) / 1024
        #else
        return Double(usage.ru_maxrss) / 1_048_576
        #endif
    }
}
