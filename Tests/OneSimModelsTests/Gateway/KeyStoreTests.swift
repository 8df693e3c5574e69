import Foundation
import OneSimModels
@testable import OneSimModelsGateway
import Synchronization
import Testing

/// The key store's limits on an injected clock: exact, no sleeping.
@Suite("Gateway: key limits on a test clock")
struct KeyStoreTests {
    final class TestClock: Sendable {
        let now = Mutex<Double>(1_000_020)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
        var read: @Sendable () -> Double { { self.now.withLock { $0 } } }
    }

    static func store(_ keys: String, clock: TestClock) throws -> KeyStore {
        let section = try #require(try GatewaySection.load(data: Data(keys.utf8), source: "test", environment: [:]))
        return KeyStore(section, clock: clock.read)
    }

    static func record(tokens: Int) -> CallRecord {
        CallRecord(
            modelName: "m", configName: "c", provider: "openai", kind: .chat, usage: Usage(promptTokens: tokens, completionTokens: 0),
            latency: .milliseconds(1))
    }

    @Test func tokensPerMinuteBlockUntilTheWindowSlidesOn() throws {
        let clock = TestClock()
        let store = try Self.store(#"{"gateway": {"keys": [{"key": "k1", "tpm": 100}]}}"#, clock: clock)
        let caller = try store.authenticate(authorization: "Bearer k1", apiKey: nil)
        try store.admit(caller)
        store.finish(caller, record: Self.record(tokens: 150), cost: nil)
        #expect(throws: GatewayError.self) { try store.admit(caller) }
        clock.advance(60)  // the next window: the previous one still weighs in fully at its start
        #expect(throws: GatewayError.self) { try store.admit(caller) }
        clock.advance(60)  // two windows on: forgotten
        #expect(throws: Never.self) { try store.admit(caller) }
    }

    @Test func requestsPerMinuteCountAdmittedCalls() throws {
        let clock = TestClock()
        let store = try Self.store(#"{"gateway": {"keys": [{"key": "k1", "rpm": 3}]}}"#, clock: clock)
        let caller = try store.authenticate(authorization: "Bearer k1", apiKey: nil)
        for _ in 0..<3 {
            try store.admit(caller)
            store.finish(caller, record: nil, cost: nil)
        }
        do {
            try store.admit(caller)
            Issue.record("the fourth call in a minute is over the limit")
        } catch {
            #expect(error.status == 429)
            #expect((1...60).contains(error.retryAfter ?? 0))
        }
        clock.advance(130)
        #expect(throws: Never.self) { try store.admit(caller) }
    }

    @Test func concurrencyIsFreedWhenACallEnds() throws {
        let store = try Self.store(#"{"gateway": {"keys": [{"key": "k1", "max_concurrency": 2}]}}"#, clock: TestClock())
        let caller = try store.authenticate(authorization: "Bearer k1", apiKey: nil)
        try store.admit(caller)
        try store.admit(caller)
        #expect(throws: GatewayError.self) { try store.admit(caller) }
        store.finish(caller, record: nil, cost: nil)
        #expect(throws: Never.self) { try store.admit(caller) }
    }

    @Test func costAndTokenBudgetsAreInsufficientQuota() throws {
        let store = try Self.store(
            #"{"gateway": {"keys": [{"key": "k1", "max_cost_usd": 0.5}, {"key": "k2", "max_tokens": 10}]}}"#, clock: TestClock())
        let one = try store.authenticate(authorization: "Bearer k1", apiKey: nil)
        try store.admit(one)
        store.finish(one, record: Self.record(tokens: 1), cost: 0.75)
        do {
            try store.admit(one)
            Issue.record("over budget")
        } catch {
            #expect(error.status == 402)
            #expect(error.code == "insufficient_quota")
        }
        let two = try store.authenticate(authorization: "Bearer k2", apiKey: nil)
        try store.admit(two)
        store.finish(two, record: Self.record(tokens: 10), cost: .nan)
        #expect(throws: GatewayError.self) { try store.admit(two) }
    }

    @Test func expiryFollowsTheClock() throws {
        let clock = TestClock()
        let start = try #require(ISO8601DateFormatter().date(from: "2026-12-30T23:59:59Z"))
        clock.now.withLock { $0 = start.timeIntervalSince1970 }
        let store = try Self.store(#"{"gateway": {"keys": [{"key": "k1", "expires": "2026-12-31T00:00:00Z"}]}}"#, clock: clock)
        #expect(throws: Never.self) { _ = try store.authenticate(authorization: "Bearer k1", apiKey: nil) }
        clock.advance(1)
        #expect(throws: GatewayError.self) { _ = try store.authenticate(authorization: "Bearer k1", apiKey: nil) }
    }

    @Test(arguments: [nil, "", "Bearer", "Bearer ", "Basic k1", "bearer k1x", String(repeating: "k", count: 10_000)] as [String?])
    func oddAuthorizationHeadersAreRefused(_ header: String?) throws {
        let store = try Self.store(#"{"gateway": {"keys": [{"key": "k1"}]}}"#, clock: TestClock())
        #expect(throws: GatewayError.self) { _ = try store.authenticate(authorization: header, apiKey: nil) }
    }

    @Test func theBearerSchemeIsCaseInsensitive() throws {
        let store = try Self.store(#"{"gateway": {"keys": [{"key": "k1"}]}}"#, clock: TestClock())
        #expect(throws: Never.self) { _ = try store.authenticate(authorization: "bearer k1", apiKey: nil) }
    }
}

@Suite("Gateway: every route checks the key")
struct GatewayEveryRouteKeyTests {
    @Test func wrongKeysAre401OnEveryKeyedRoute() async throws {
        try await withGateway(
            config: { basicGatewayConfig($0) }, keys: #"{"gateway": {"master_key": "sk-master", "keys": [{"key": "sk-good"}]}}"#
        ) { h in
            let wrong = [("authorization", "Bearer sk-bad")]
            let calls: [(HTTPMethodName, String, String?)] = [
                (.post, "/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "x"}]}"#),
                (.post, "/v1/embeddings", #"{"model": "embed", "input": "x"}"#),
                (.post, "/v1/chat/completions", "{ truncated"),
                (.get, "/v1/models", nil),
                (.get, "/v1/usage", nil),
            ]
            for (method, path, body) in calls {
                let reply = method == .post ? try await h.post(path, body ?? "", headers: wrong) : try await h.get(path, headers: wrong)
                #expect(reply.status == 401, "\(path): \(reply.body)")
                #expect(reply.json?["error"]?["type"]?.stringValue == "invalid_request_error")
            }
            #expect(h.simulators[0].requestCount == 0)
        }
    }

    enum HTTPMethodName { case get, post }
}
