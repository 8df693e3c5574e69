import AsyncHTTPClient
import Foundation
import NIOCore
import OneSimModels
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

@Suite("Gateway: behaving like a server")
struct GatewayServerTests {
    static let chat = #"{"model": "lb", "messages": [{"role": "user", "content": "hi"}]}"#

    static func balancerConfig(_ sims: [Simulator]) -> String {
        """
        [\(memberConfig("a", baseURL: sims[0].baseURL)),
         {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], "max_retries": 0}]
        """
    }

    func memberInFlight(_ h: GatewayHarness) -> Int {
        ((try? h.manager.getModel(configName: "lb")) as? LoadBalancer)?.stats()[member: "a"]?.inFlight ?? -1
    }

    @Test func aClientThatGoesAwayCancelsTheUpstreamCallAndFreesItsSlot() async throws {
        try await withGateway(config: Self.balancerConfig) { h in
            h.simulators[0].enqueue(.delay(.seconds(600)))
            let call = Task { try await h.post("/v1/chat/completions", Self.chat) }
            try await waitUntil("the call reached the simulator") { h.simulators[0].inFlight == 1 }
            #expect(memberInFlight(h) == 1)
            call.cancel()
            _ = try? await call.value
            try await waitUntil("the balancer freed the member's slot") { memberInFlight(h) == 0 }
            #expect(memberInFlight(h) == 0)
        }
    }

    @Test func aStreamingClientThatGoesAwayCancelsTheUpstreamStream() async throws {
        try await withGateway(.init(streamChunkBytes: 1, streamChunkDelay: .milliseconds(20)), config: Self.balancerConfig) { h in
            h.simulators[0].enqueue(.reply(String(repeating: "word ", count: 2_000)))
            var request = HTTPClientRequest(url: h.base + "/v1/chat/completions")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"model": "lb", "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#))
            let reader = Task {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()  // the first bytes arrived; then the client leaves
            }
            _ = try await reader.value
            try await waitUntil("the upstream stream was aborted") { memberInFlight(h) == 0 && h.simulators[0].inFlight == 0 }
            #expect(memberInFlight(h) == 0)
        }
    }

    @Test func stopDrainsCallsInFlight() async throws {
        try await withGateway(config: Self.balancerConfig, configure: { $0.drainTimeout = .seconds(60) }) { h in
            h.simulators[0].enqueue(.delay(.milliseconds(500)))
            let call = Task { try await h.post("/v1/chat/completions", Self.chat) }
            try await waitUntil("the call reached the simulator") { h.simulators[0].inFlight == 1 }
            await h.gateway.stop()
            let reply = try await call.value
            #expect(reply.status == 200)
        }
    }

    @Test func oneKeepAliveConnectionRegistersOneCloseWatch() async throws {
        try await withGateway(config: Self.balancerConfig) { h in
            for _ in 0..<20 { _ = try await h.post("/v1/chat/completions", Self.chat) }
            #expect(h.gateway.watcher.watchedConnections <= 2)
        }
    }

    @Test func queueTimeoutsAre429sWithRetryAfter() async throws {
        try await withGateway(
            config: { sims in
                """
                [\(memberConfig("a", baseURL: sims[0].baseURL, extra: #", "max_concurrency": 1"#)),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], "queue_timeout": 0.05}]
                """
            }
        ) { h in
            h.simulators[0].enqueue(.delay(.seconds(600)))
            let first = Task { try await h.post("/v1/chat/completions", Self.chat) }
            try await waitUntil("the first call holds the only slot") { h.simulators[0].inFlight == 1 }
            let second = try await h.post("/v1/chat/completions", Self.chat)
            #expect(second.status == 429, "\(second.body)")
            #expect(second.headers.first(name: "retry-after") != nil)
            first.cancel()
            _ = try? await first.value
        }
    }
}
