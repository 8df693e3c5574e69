import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A chat config whose client has the given `timeout` object and no retries.
private func timedConfig(_ name: String, _ simulator: Simulator, timeout: String, extra: String = "") -> String {
    chatConfig(name, simulator, extra: extra, clientExtra: #", "max_retries": 0, "timeout": \#(timeout)"#)
}

/// A server that sends its head and then stalls ends the call with `.timeout`, streamed or not,
/// by the read timeout or by the total deadline; nothing hangs. The tests wait for the error,
/// never measure how long it took. A read timeout that a call must survive is 5 s: the clock
/// starts when the head arrives, and on a busy machine the task reading the body may start
/// seconds late.
@Suite("Body timeouts over HTTP", .timeLimit(.minutes(3)))
struct BodyTimeoutTests {
    @Test func aStalledBodyEndsWithTheReadTimeout() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: timedConfig("c", sim, timeout: #"{"read": 5}"#))
            sim.enqueue(.fail(.stallBody()))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hi") }
            #expect(error?.kind == .timeout)
            #expect(error?.message.contains("read timeout") == true)
            #expect(sim.stalls == 1)
            // The next call on the same client works.
            #expect(try await m.getModel(configName: "c").acall("again").text == "again")
        }
    }

    @Test func theTotalTimeoutBoundsTheBodyToo() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: timedConfig("c", sim, timeout: #"{"read": 3600, "total": 0.5}"#))
            sim.enqueue(.fail(.stallBody()))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hi") }
            #expect(error?.kind == .timeout)
            #expect(error?.message.contains("total timeout") == true)
        }
    }

    @Test func aCallsOwnTimeoutBoundsTheBody() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: timedConfig("c", sim, timeout: #"{"read": 3600}"#))
            sim.enqueue(.fail(.stallBody()))
            let error = await captureModelError {
                _ = try await m.getModel(configName: "c").acall("hi", options: CallOptions(timeout: .milliseconds(500)))
            }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func theReadTimeoutDoesNotRunBeforeTheHead() async throws {
        // A non-streamed server sends nothing while it generates: a generation longer than the
        // read timeout is not cut.
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: timedConfig("c", sim, timeout: #"{"read": 5}"#))
            sim.enqueue(.delay(.seconds(6)))
            #expect(try await m.getModel(configName: "c").acall("slow but fine").text == "slow but fine")
        }
    }

    @Test func aStalledStreamEndsWithTheReadTimeoutAndKeepsItsText() async throws {
        try await withSimulator { sim, m in
            // Long enough that a busy machine delivers the first events before it.
            try m.loadModelConfigs(json: timedConfig("c", sim, timeout: #"{"read": 5}"#))
            sim.enqueue(SimulatorAction(fault: .stallBody(afterEvents: 2), reply: "alpha beta gamma"))
            var received = ""
            let error = await captureModelError {
                for try await delta in try await m.getModel(configName: "c").stream("x") { received += delta.text }
            }
            #expect(error?.kind == .timeout, "\(String(describing: error))")
            #expect(received == "alpha beta")
            #expect(error?.partialText == "alpha beta")
            #expect(m.tokenTracker.stats().errorCount == 1)
        }
    }

    @Test func theTotalTimeoutBoundsAStreamAsAWhole() async throws {
        // Chunks keep coming (no read timeout), but the stream as a whole takes too long.
        try await withSimulator(.init(streamChunkDelay: .milliseconds(100))) { sim, m in
            try m.loadModelConfigs(json: timedConfig("c", sim, timeout: #"{"read": 3600, "total": 1}"#))
            let words = (1...200).map { "w\($0)" }.joined(separator: " ")
            let error = await captureModelError { _ = try await m.getModel(configName: "c").stream(Prompt(stringLiteral: words)).collect() }
            #expect(error?.kind == .timeout)
            #expect(error?.message.contains("total timeout") == true)
        }
    }

    @Test func aStalledStreamingConfigTimesOutInAcall() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: timedConfig("c", sim, timeout: #"{"read": 1}"#, extra: #", "stream": true"#))
            sim.enqueue(SimulatorAction(fault: .stallBody(afterEvents: 1), reply: "alpha beta"))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("x") }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func aStalledMemberFailsOverAndFreesItsSlot() async throws {
        try await withSimulators(2) { sims, m in
            sims[0].enqueue(.fail(.stallBody()))
            try m.loadModelConfigs(json: """
                [{"config_name": "a", "model_type": "openai_chat", "model_name": "sim-chat", "api_key": "k",
                  "client_args": {"base_url": "\(sims[0].baseURL)", "max_retries": 0, "timeout": {"read": 5}},
                  "max_concurrency": 1},
                 \(memberConfig("b", sims[1]))]
                """)
            try m.configureLoadBalancer(modelConfigs: ["a", "b"], strategy: "round_robin", configName: "lb")
            let lb = try m.getModel(configName: "lb") as! LoadBalancer
            let response = try await lb.acall("hello")
            #expect(response.text == "hello")
            #expect(response.modelInfo.member == "b")
            let a = try #require(lb.stats()[member: "a"])
            #expect(a.failuresByKind == [.timeout: 1])
            #expect(a.inFlight == 0)
            #expect(sims[0].stalls == 1)
            // Its only slot is free again: round robin sends it calls, and they succeed.
            var served: [String] = []
            for _ in 0..<4 { served.append(try await lb.acall("next").modelInfo.member ?? "") }
            #expect(served.contains("a"))
        }
    }

    @Test func distinctCallTimeoutsAndReadTimeoutsMakeNoNewClients() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: """
                [\(chatConfig("c", sim)),
                 \(timedConfig("r1", sim, timeout: #"{"read": 7}"#)),
                 \(timedConfig("r2", sim, timeout: #"{"read": 8, "total": 9}"#))]
                """)
            let model = try m.getModel(configName: "c")
            for i in 0..<100 {
                let options = CallOptions(timeout: .milliseconds(30_000 + i))
                _ = try await model.acall("a", options: options)
                _ = try await model.stream("b", options: options).collect()
            }
            _ = try await m.getModel(configName: "r1").stream("c").collect()
            _ = try await m.getModel(configName: "r2").acall("d")
            #expect(m.transport.clientCount == 1)
        }
    }

    @Test func connectTimeoutsMakeABoundedSetOfClients() async throws {
        try await withSimulator { sim, m in
            let configs = (0..<(HTTPTransport.maxClients + 8)).map {
                timedConfig("k\($0)", sim, timeout: #"{"connect": \#(300 + $0)}"#)
            }
            try m.loadModelConfigs(json: "[" + configs.joined(separator: ",") + "]")
            for i in 0..<configs.count {
                #expect(try await m.getModel(configName: "k\(i)").acall("x").text == "x")
            }
            #expect(m.transport.clientCount == HTTPTransport.maxClients)
        }
    }
}
