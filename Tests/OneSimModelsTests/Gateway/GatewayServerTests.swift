import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
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

    /// Asks the gateway for a streamed reply, reads its first bytes, then drops the connection.
    static func readFirstBytesThenLeave(_ h: GatewayHarness) async throws {
        var request = HTTPClientRequest(url: h.base + "/v1/chat/completions")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: #"{"model": "lb", "stream": true, "messages": [{"role": "user", "content": "hi"}]}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(600))
        var iterator = response.body.makeAsyncIterator()
        _ = try await iterator.next()
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
            try await Self.readFirstBytesThenLeave(h)
            try await waitUntil("the upstream stream was aborted") { memberInFlight(h) == 0 && h.simulators[0].inFlight == 0 }
            #expect(memberInFlight(h) == 0)
        }
    }

    /// The upstream stalls mid-answer: a client leaving is noticed at once, not at a next delta
    /// that would never come.
    @Test func aStreamingClientThatLeavesAStalledStreamCancelsItAtOnce() async throws {
        try await withGateway(config: Self.balancerConfig) { h in
            h.simulators[0].enqueue(.fail(.stallBody(afterEvents: 2)))
            try await Self.readFirstBytesThenLeave(h)
            try await waitUntil("the stalled upstream stream was cancelled") {
                memberInFlight(h) == 0 && h.simulators[0].inFlight == 0
            }
            #expect(memberInFlight(h) == 0)
            let lb = try #require(h.manager.getModel(configName: "lb") as? LoadBalancer)
            #expect(lb.stats()[member: "a"]?.successes == 0)
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

/// Keeps every log line (message and metadata) a logger writes.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test.access") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            log.lines.withLock { $0.append("\(event.message) \(fields)") }
        }
    }
}

@Suite("Gateway: access log")
struct GatewayAccessLogTests {
    @Test func aClientsModelNameCannotForgeALineOrSplitAField() {
        var record = AccessRecord(method: "POST", route: "/v1/chat/completions", requestID: "r1")
        record.model = "gpt\n2026-01-01T00:00:00.000Z info onesim.gateway.access: GET /v1/usage 200 key=master"
        record.member = String(repeating: "m", count: 500)
        let line = record.line(latency: .milliseconds(2), overhead: nil)
        #expect(!line.contains("\n") && !line.contains(" info onesim"))
        #expect(line.contains("model=gpt?2026-01-01T00:00:00.000Z?info?onesim.gateway.access:?GET?/v1/usage?200?key=master member="))
        #expect(line.contains("member=" + String(repeating: "m", count: 200) + " tokens="))
        #expect(line.hasPrefix("POST /v1/chat/completions 0 request_id=r1 key=- "))
    }

    @Test func oneLinePerRequestWithoutBodiesOrKeys() async throws {
        let captured = CapturedLog()
        try await withGateway(
            config: { basicGatewayConfig($0) }, keys: #"{"gateway": {"keys": [{"key": "sk-logged-never", "name": "team-z"}]}}"#,
            configure: {
                $0.accessLog = true
                $0.accessLogger = captured.logger
            }
        ) { h in
            h.simulators[0].enqueue(.reply("the secret reply text"))
            let reply = try await h.post(
                "/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "the secret prompt"}]}"#,
                headers: [("authorization", "Bearer sk-logged-never")])
            #expect(reply.status == 200)
            _ = try await h.post("/v1/chat/completions", "{}", headers: [("authorization", "Bearer sk-wrong-one")])
            let lines = captured.lines.withLock { $0 }
            #expect(lines.count == 2, "\(lines)")
            let first = try #require(lines.first)
            #expect(first.contains("POST /v1/chat/completions 200"))
            #expect(first.contains("model=chat") && first.contains("member=chat") && first.contains("key=team-z"))
            #expect(first.contains("latency_ms=") && first.contains("overhead_ms=") && first.contains("tokens="))
            for line in lines {
                #expect(!line.contains("sk-logged-never") && !line.contains("sk-wrong-one"))
                #expect(!line.contains("secret prompt") && !line.contains("secret reply"))
            }
            #expect(lines.last?.contains("401") == true)
        }
    }
}
