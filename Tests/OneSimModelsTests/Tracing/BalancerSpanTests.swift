import InMemoryTracing
import OneSimModelsSimulator
import Testing
import Tracing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsRouting

/// The balancer's span tree: call span → one attempt span per member tried → the member's
/// client span, over real HTTP.
@Suite("Tracing: balancer spans", .timeLimit(.minutes(3)))
struct BalancerSpanTests {
    @Test func aFailoverIsACallSpanWithTwoAttemptsEachAboveItsClientSpan() async throws {
        let dead = try await deadPort()
        try await withSimulators(1) { sims, m in
            try m.loadModelConfigs(json: """
                [\(memberConfig("trace-dead", baseURL: "http://127.0.0.1:\(dead)/v1")), \(memberConfig("trace-good", sims[0]))]
                """)
            try m.configureLoadBalancer(modelConfigs: ["trace-dead", "trace-good"], strategy: "round_robin", configName: "trace-lb")
            let lb = try m.getModel(configName: "trace-lb")
            let trace = try await TestTracing.trace { _ = try await lb.acall("hi") }
            let spans = try await TestTracing.spans(in: trace, count: 5)
            #expect(spans.count == 5)
            let call = try #require(spans.first { $0.operationName == "load_balancer trace-lb" })
            #expect(call.parentSpanID == TestTracing.rootSpanID(of: trace))
            #expect(call.kind == .internal)
            #expect(call.string("onesim.balancer.member") == "trace-good")
            #expect(call.int("onesim.balancer.attempts") == 2)
            #expect(call.string("gen_ai.operation.name") == "chat")
            #expect(call.status == nil)

            let attempts = spans.filter { $0.operationName.hasPrefix("attempt ") }
            #expect(attempts.map(\.operationName) == ["attempt trace-dead", "attempt trace-good"])
            #expect(attempts.allSatisfy { $0.parentSpanID == call.spanID })
            #expect(attempts.map { $0.string("onesim.attempt.outcome") } == ["connection_failed", "success"])
            #expect(attempts.map { $0.bool("onesim.attempt.failover") } == [false, true])
            #expect(attempts.map { $0.bool("onesim.attempt.retry") } == [false, false])
            #expect(attempts.map { $0.bool("onesim.attempt.fallback") } == [false, false])
            #expect(attempts.map { $0.int("onesim.attempt.number") } == [1, 2])
            #expect(attempts[0].status?.code == .error)

            let clients = spans.filter { $0.kind == .client }
            #expect(clients.count == 2)
            for (attempt, client) in zip(attempts, clients) {
                #expect(client.parentSpanID == attempt.spanID)
                #expect(client.operationName == "chat sim-chat")
            }
            #expect(clients[0].string("error.type") == "connection_failed")
            #expect(clients[0].int("server.port") == Int64(dead))
            #expect(sims[0].requests.last?.headers["traceparent"] == "00-\(trace)-\(clients[1].spanID)-01")
        }
    }

    @Test func aFallbackAttemptSaysSoAndAFailedCallIsAnErrorSpan() async throws {
        try await withSimulators(2) { sims, m in
            sims[0].setFaultRate(.init(rate: 1, fault: .status(500, message: "down")))
            try m.loadModelConfigs(json: "[\(memberConfig("trace-m", sims[0])), \(memberConfig("trace-fb", sims[1]))]")
            try m.configureLoadBalancer(
                modelConfigs: ["trace-m"], strategy: "round_robin", configName: "trace-lb-fb",
                options: ["fallbacks": ["trace-fb"], "max_retries": 0])
            let lb = try m.getModel(configName: "trace-lb-fb")
            let served = try await TestTracing.trace { _ = try await lb.acall("hi") }
            let attempts = try await TestTracing.spans(in: served, count: 5).filter { $0.operationName.hasPrefix("attempt ") }
            #expect(attempts.map(\.operationName) == ["attempt trace-m", "attempt trace-fb"])
            #expect(attempts.map { $0.bool("onesim.attempt.fallback") } == [false, true])
            #expect(attempts.map { $0.string("onesim.attempt.outcome") } == ["server_error", "success"])

            sims[1].setFaultRate(.init(rate: 1, fault: .status(500, message: "down too")))
            let failed = try await TestTracing.trace {
                let error = await captureModelError { _ = try await lb.acall("hi") }
                #expect(error?.kind == .allAttemptsFailed)
            }
            let call = try #require(try await TestTracing.spans(in: failed, count: 5).first { $0.operationName == "load_balancer trace-lb-fb" })
            #expect(call.status?.code == .error)
            #expect(call.string("error.type") == "all_attempts_failed")
            #expect(call.errors.count == 1)
        }
    }

    @Test func aStreamKeepsItsSpansOpenUntilItEnds() async throws {
        try await withSimulators(1) { sims, m in
            try m.loadModelConfigs(json: "[\(memberConfig("trace-s", sims[0]))]")
            try m.configureLoadBalancer(modelConfigs: ["trace-s"], strategy: "round_robin", configName: "trace-lb-stream")
            let lb = try m.getModel(configName: "trace-lb-stream")
            let trace = try await TestTracing.trace { _ = try await lb.stream("a longer prompt to stream", options: .none).collect() }
            let spans = try await TestTracing.spans(in: trace, count: 3)
            let call = try #require(spans.first { $0.operationName == "load_balancer trace-lb-stream" })
            let attempt = try #require(spans.first { $0.operationName == "attempt trace-s" })
            let client = try #require(spans.first { $0.kind == .client })
            #expect(attempt.parentSpanID == call.spanID)
            #expect(client.parentSpanID == attempt.spanID)
            #expect(attempt.string("onesim.attempt.outcome") == "success")
            #expect(client.bool("gen_ai.request.stream") == true)
            #expect(client.double("gen_ai.response.time_to_first_chunk") != nil)
        }
    }

    @Test func waitingForCapacityIsAnEventOnTheCallSpan() async throws {
        try await withSimulators(1) { sims, m in
            // The first call's stream stalls after one event and holds the only slot until it
            // is cancelled; the second call waits in the queue meanwhile.
            sims[0].enqueue(.fail(.stallBody(afterEvents: 1)))
            try m.loadModelConfigs(json: "[\(memberConfig("trace-q", sims[0], extra: #", "max_concurrency": 1"#))]")
            try m.configureLoadBalancer(modelConfigs: ["trace-q"], strategy: "round_robin", configName: "trace-lb-queue")
            let lb = try m.getModel(configName: "trace-lb-queue") as! LoadBalancer
            let trace = try await TestTracing.trace {
                let stream = try await lb.stream("hold the slot", options: .none)
                let holder = Task { for try await _ in stream {} }
                let waiter = Task { try await lb.acall("wait for it") }
                try await waitUntil("the second call is queued") { lb.stats().queued == 1 }
                holder.cancel()
                _ = try await waiter.value
            }
            let calls = try await TestTracing.spans(in: trace, count: 6).filter { $0.operationName == "load_balancer trace-lb-queue" }
            #expect(calls.count == 2)
            let waits = calls.flatMap(\.events).filter { $0.name == "onesim.balancer.queue_wait" }
            #expect(waits.count == 1)
            if case .double(let seconds)? = waits.first?.attributes.get("onesim.balancer.queue_wait_seconds") {
                #expect(seconds > 0)
            } else {
                Issue.record("no queue_wait_seconds")
            }
        }
    }
}
