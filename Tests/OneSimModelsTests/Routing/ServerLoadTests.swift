import Testing

@testable import OneSimModelsCore
@testable import OneSimModelsRouting

@Suite("Server load from /metrics")
struct ServerLoadTests {
    /// Trimmed from vLLM's documented `/metrics` output (docs.vllm.ai, "Production Metrics"), with
    /// two models on one server.
    static let vllm = """
        # HELP vllm:iteration_tokens_total Histogram of number of tokens per engine_step.
        # TYPE vllm:iteration_tokens_total histogram
        vllm:iteration_tokens_total_sum{model_name="unsloth/Llama-3.2-1B-Instruct"} 0.0
        vllm:iteration_tokens_total_bucket{le="1.0",model_name="unsloth/Llama-3.2-1B-Instruct"} 3.0
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="unsloth/Llama-3.2-1B-Instruct"} 16.0
        vllm:num_requests_running{engine="0",model_name="other"} 2.0
        # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{engine="0",model_name="unsloth/Llama-3.2-1B-Instruct"} 5.0
        # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="unsloth/Llama-3.2-1B-Instruct"} 0.8125
        vllm:kv_cache_usage_perc{engine="0",model_name="other"} 0.25
        """

    @Test func readsVLLM() {
        let load = ServerMetricsParser.parse(Self.vllm)
        #expect(load == ServerLoad(running: 18, waiting: 5, kvCacheUsage: 0.8125))
    }

    @Test func readsSGLangAndOldVLLMNames() {
        let sglang = "sglang:num_running_reqs{model_name=\"q\"} 7\nsglang:num_queue_reqs{model_name=\"q\"} 0\nsglang:token_usage{model_name=\"q\"} 0.5\n"
        #expect(ServerMetricsParser.parse(sglang) == ServerLoad(running: 7, waiting: 0, kvCacheUsage: 0.5))
        let old = "vllm:gpu_cache_usage_perc{model_name=\"m\"} 0.3\r\nvllm:num_requests_running 4 1700000000000\r\n"
        #expect(ServerMetricsParser.parse(old) == ServerLoad(running: 4, kvCacheUsage: 0.3))
    }

    @Test func labelValuesMayHoldAnything() {
        let text = #"vllm:num_requests_running{model_name="a} b\"c {x}",engine="0"} 3"#
        #expect(ServerMetricsParser.parse(text).running == 3)
    }

    @Test(arguments: [
        "vllm:num_requests_running NaN", "vllm:num_requests_running +Inf", "vllm:num_requests_running -1",
        "vllm:num_requests_running 2.5", "vllm:num_requests_running 1e12", "vllm:num_requests_running",
        "vllm:num_requests_running{model_name=\"unclosed 3", "vllm:num_requests_running{} ", "vllm:kv_cache_usage_perc 1.5",
        "vllm:kv_cache_usage_perc -0.1", "vllm:kv_cache_usage_perc NaN", "# vllm:num_requests_running 3",
        "vllm:num_requests_running3", "vllm:num_requests_running 12345678901234567890123456789012345678901234567890123456789012345",
    ])
    func unbelievableSamplesAreIgnored(_ line: String) {
        #expect(ServerMetricsParser.parse(line).isEmpty, "\(line)")
    }

    @Test func otherServersHaveNoLoad() {
        #expect(ServerMetricsParser.parse("# HELP go_goroutines x\ngo_goroutines 12\nhttp_requests_total{code=\"200\"} 5\n").isEmpty)
        #expect(ServerMetricsParser.parse("").isEmpty)
    }

    @Test func largeSumsAndLongInputAreBounded() {
        let many = String(repeating: "vllm:num_requests_running 1000000\n", count: 20_000)
        #expect(ServerMetricsParser.parse(many).running == 20_000 * 1_000_000)
        // A line longer than the limit is skipped whole, never read cut.
        let long = "vllm:num_requests_running{x=\"" + String(repeating: "a", count: ServerMetricsParser.maximumLineBytes) + "\"} 9\nvllm:num_requests_waiting 1\n"
        #expect(ServerMetricsParser.parse(long) == ServerLoad(waiting: 1))
        // Past the byte limit nothing more is read, and a cut last line is not read.
        let padding = String(repeating: "#\n", count: ServerMetricsParser.maximumBytes / 2)
        #expect(ServerMetricsParser.parse(padding + "vllm:num_requests_waiting 1\n").isEmpty)
    }

    @Test func randomBytesNeverTrap() {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("vlm:num_requests_running waiting{}\"\\=,.0123456789eE+-NaInf#\n\r\t ".utf8)
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in
                // Mostly bytes of the format, sometimes any byte.
                Int.random(in: 0..<16, using: &random) == 0
                    ? UInt8.random(in: 0...255, using: &random) : alphabet.randomElement(using: &random) ?? 0
            }
            let load = ServerMetricsParser.parse(bytes)
            #expect((load.running ?? 0) >= 0 && (load.waiting ?? 0) >= 0)
            #expect((0...1).contains(load.kvCacheUsage ?? 0))
        }
    }

    @Test func readsPrefixCacheCountersWithoutTakingThemForLoad() {
        let text = """
            # TYPE vllm:prefix_cache_queries counter
            vllm:prefix_cache_queries_total{model_name="a"} 300.0
            vllm:prefix_cache_queries_total{model_name="b"} 100.0
            vllm:prefix_cache_hits_total{model_name="a"} 250.0
            vllm:prefix_cache_hits_total{model_name="b"} -5
            vllm:prefix_cache_hits_total{model_name="c"} NaN
            vllm:prefix_cache_hits_total{model_name="d"} 1e300
            """
        let load = ServerMetricsParser.parse(text)
        #expect(load.prefixCacheQueries == 400)
        #expect(load.prefixCacheHits == 250, "negative, NaN and absurd counters are ignored")
        #expect(load.isEmpty, "counters alone say nothing about load")
    }

    @Test func slotsAreLearnedOnlyWhenTheServerIsFull() {
        var estimate = SlotEstimate()
        estimate.observe(ServerLoad(running: 10, waiting: 0))
        #expect(estimate.slots == nil)
        estimate.observe(ServerLoad(running: 16, waiting: 3))
        #expect(estimate.slots == 16)
        estimate.observe(ServerLoad(running: 4, waiting: 0, kvCacheUsage: 0.1))
        #expect(estimate.slots == 16)
        estimate.observe(ServerLoad(running: 12, waiting: 1))  // fewer fit now (long prompts)
        #expect(estimate.slots == 12)
        estimate.observe(ServerLoad(waiting: 4))
        #expect(estimate.slots == 12)
    }
}
