import Foundation
import Synchronization
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("OpenAI streaming over HTTP", .timeLimit(.minutes(3)))
struct OpenAIStreamingTests {
    static let unicodeReply = "héllo 😀 世界, naïve café — done"

    @Test func streamsDeltasAndFinalUsage() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            var pieces: [String] = []
            var last: ModelDelta?
            for try await delta in try await model.stream("one two three") {
                pieces.append(delta.text)
                last = delta
            }
            #expect(pieces.joined() == "one two three")
            #expect(pieces.filter { !$0.isEmpty }.count == 3)
            #expect(last?.usage == Usage(promptTokens: 3, completionTokens: 3))
            let body = try #require(sim.requests.last?.json)
            #expect(body["stream"] as? Bool == true)
            #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
            let stats = m.tokenTracker.stats()
            #expect(stats.requestCount == 1)
            #expect(stats.totalTokens == 6)
        }
    }

    @Test(arguments: [1, 2, 3, 7])
    func chunksSplitAnywhereStillDecode(chunkBytes: Int) async throws {
        try await withSimulator(.init(streamChunkBytes: chunkBytes)) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            sim.enqueue(.reply(Self.unicodeReply))
            let response = try await m.getModel(configName: "c").stream("x").collect()
            #expect(response.text == Self.unicodeReply)
            #expect(response.finishReason == "stop")
            #expect(response.modelInfo.configName == "c")
        }
    }

    @Test func errorEventInsideTheStreamIsTypedAndKeepsThePartialText() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0"#))
            sim.enqueue(SimulatorAction(fault: .streamError(afterEvents: 2, message: "model overloaded", code: "server_error"), reply: "alpha beta gamma delta"))
            var received = ""
            let error = await captureModelError {
                for try await delta in try await m.getModel(configName: "c").stream("x") { received += delta.text }
            }
            #expect(received == "alpha beta")
            #expect(error?.kind == .serverError)
            #expect(error?.message == "model overloaded")
            #expect(error?.partialText == "alpha beta")
            #expect(m.tokenTracker.stats().errorCount == 1)
        }
    }

    @Test func aStreamClosedBeforeTheEndIsAnErrorNotAShortAnswer() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0"#))
            sim.enqueue(SimulatorAction(fault: .closeStreamEarly(afterEvents: 1), reply: "alpha beta gamma"))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").stream("x").collect() }
            #expect(error?.kind == .connectionFailed)
            #expect(error?.partialText == "alpha")
        }
    }

    @Test func streamTrueInTheConfigMakesAcallStream() async throws {
        try await withSimulator(.init(streamChunkBytes: 5)) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, extra: #", "stream": true"#))
            let response = try await m.getModel(configName: "c").acall("streamed under the hood")
            #expect(response.text == "streamed under the hood")
            #expect(response.usage.totalTokens == 8)
            #expect(sim.requests.last?.json?["stream"] as? Bool == true)
        }
    }

    @Test func idleTimeoutBetweenChunks() async throws {
        // Chunks two minutes apart against a 0.3 s read timeout: the timeout wins even when a
        // loaded machine delays the timing wheel's ticks by seconds.
        try await withSimulator(.init(streamChunkDelay: .seconds(120))) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "timeout": {"read": 0.3}, "max_retries": 0"#))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").stream("a b c").collect() }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        try await withSimulator(.init(streamChunkDelay: .milliseconds(200))) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            // Ten minutes of reply (3,000 words, one per 200 ms chunk): the cancellation always
            // comes before its natural end, however long a loaded machine delays the test.
            let words = (1...3_000).map { "w\($0)" }.joined(separator: " ")
            let started = Mutex(false)
            let task = Task {
                var count = 0
                for try await _ in try await model.stream(Prompt(stringLiteral: words)) {
                    count += 1
                    started.withLock { $0 = true }
                }
                return count
            }
            try await waitUntil("the stream started") { started.withLock { $0 } }
            task.cancel()
            _ = await task.result
            try await waitUntil("the simulator saw the stream aborted") { sim.streamsAborted == 1 }
            #expect(sim.streamsAborted == 1)
        }
    }

    @Test func streamedToolCallsAreAssembledInOrder() async throws {
        try await withSimulator(.init(streamChunkBytes: 4)) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            sim.enqueue(.callTools([
                SimulatorToolCall(name: "get_weather", arguments: #"{"city": "Paris", "unit": "celsius"}"#),
                SimulatorToolCall(name: "get_time", arguments: #"{"zone": "Europe/Paris"}"#),
            ]))
            let response = try await m.getModel(configName: "c").stream("weather?").collect()
            #expect(response.finishReason == "tool_calls")
            #expect(response.text == nil)
            #expect(response.toolCalls.map(\.name) == ["get_weather", "get_time"])
            #expect(response.toolCalls[0].arguments == #"{"city": "Paris", "unit": "celsius"}"#)
            #expect(response.toolCalls[1].id == "call_1_get_time")
        }
    }

    @Test func synchronousCodeCanIterateAStream() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            let text: String = try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result {
                        var text = ""
                        let stream = try model.streamSync("from sync code")
                        for delta in stream { text += delta.text }
                        if let error = stream.error { throw error }
                        return text
                    })
                }.start()
            }
            #expect(text == "from sync code")
        }
    }
}

@Suite("Balancer streaming over HTTP", .timeLimit(.minutes(3)))
struct BalancerStreamingTests {
    @Test func failsOverBeforeTheFirstDelta() async throws {
        try await withSimulators(2) { sims, m in
            sims[0].enqueue(.fail(.status(503, message: "busy")))
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0])), \(memberConfig("b", sims[1]))]")
            try m.configureLoadBalancer(modelConfigs: ["a", "b"], configName: "lb")
            let lb = try m.getModel(configName: "lb")
            let response = try await lb.stream("hello there").collect()
            #expect(response.text == "hello there")
            #expect(response.modelInfo.member == "b")
            #expect(response.modelInfo.balancer == "lb")
            let stats = (lb as! LoadBalancer).stats()
            #expect(stats[member: "a"]?.failures == 1)
            #expect(stats[member: "b"]?.successes == 1)
            #expect(stats[member: "b"]?.usage.totalTokens == 4)
            #expect(stats[member: "b"]?.inFlight == 0)
        }
    }

    @Test func anErrorAfterTheFirstDeltaReachesTheCaller() async throws {
        try await withSimulators(2) { sims, m in
            sims[0].enqueue(SimulatorAction(fault: .streamError(afterEvents: 1, message: "broke"), reply: "one two three"))
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0])), \(memberConfig("b", sims[1]))]")
            try m.configureLoadBalancer(modelConfigs: ["a", "b"], configName: "lb")
            let lb = try m.getModel(configName: "lb")
            var received = ""
            let error = await captureModelError {
                for try await delta in try await lb.stream("x") { received += delta.text }
            }
            #expect(received == "one")
            #expect(error?.message == "broke")
            #expect(error?.partialText == "one")
            #expect(sims[1].requestCount == 0)  // no failover once the caller has text
        }
    }
}
