import Foundation
import OneSimModels
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

@Suite("Gateway: keys, limits and budgets")
struct GatewayKeyTests {
    static let chat = #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#
    static let keys = """
        {"gateway": {"master_key": "${GATEWAY_MASTER_KEY}", "keys": [
          {"key": "sk-team-a-secret", "name": "team-a", "models": ["chat"], "rpm": 2},
          {"key": "sk-team-b-secret", "name": "team-b", "max_tokens": 1},
          {"key": "sk-old-secret", "name": "old", "expires": "2020-01-01T00:00:00Z"},
          {"key": "sk-one-at-a-time", "name": "single", "max_concurrency": 1}]}}
        """
    static let environment = ["GATEWAY_MASTER_KEY": "sk-master-secret"]

    static func bearer(_ key: String) -> [(String, String)] { [("authorization", "Bearer \(key)")] }

    @Test func missingAndWrongKeysAre401sThatNeverEchoTheKey() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, keys: Self.keys, environment: Self.environment) { h in
            let missing = try await h.post("/v1/chat/completions", Self.chat)
            #expect(missing.status == 401)
            #expect(missing.errorCode == "missing_api_key")
            let wrong = try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-guess-what"))
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "invalid_api_key")
            #expect(!wrong.body.contains("sk-guess-what"))
            let expired = try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-old-secret"))
            #expect(expired.status == 401)
            #expect(expired.errorCode == "expired_api_key")
            #expect(!expired.body.contains("sk-old-secret"))
            #expect(h.simulators[0].requestCount == 0)
            // Health and metrics need no key.
            #expect(try await h.get("/health/live").status == 200)
        }
    }

    @Test func aKeyMayUseOnlyItsModels() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, keys: Self.keys, environment: Self.environment) { h in
            let ok = try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-team-a-secret"))
            #expect(ok.status == 200, "\(ok.body)")
            let forbidden = try await h.post("/v1/embeddings", #"{"model": "embed", "input": "x"}"#, headers: Self.bearer("sk-team-a-secret"))
            #expect(forbidden.status == 403)
            #expect(forbidden.errorParam == "model")
            let listed = try await h.get("/v1/models", headers: Self.bearer("sk-team-a-secret"))
            #expect(listed.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["chat"])
        }
    }

    @Test func aKeyOverItsRateGetsA429WithRetryAfter() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, keys: Self.keys, environment: Self.environment) { h in
            for _ in 0..<2 {
                #expect(try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-team-a-secret")).status == 200)
            }
            let limited = try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-team-a-secret"))
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limit_exceeded")
            let retry = try #require(limited.headers.first(name: "retry-after").flatMap(Int.init))
            #expect((1...60).contains(retry))
            #expect(h.simulators[0].requestCount == 2)
        }
    }

    @Test func anExhaustedTokenBudgetIsInsufficientQuota() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, keys: Self.keys, environment: Self.environment) { h in
            #expect(try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-team-b-secret")).status == 200)
            let spent = try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-team-b-secret"))
            #expect(spent.status == 402)
            #expect(spent.errorCode == "insufficient_quota")
            #expect(spent.json?["error"]?["type"]?.stringValue == "insufficient_quota")
        }
    }

    @Test func aKeyOverItsConcurrencyGetsA429() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, keys: Self.keys, environment: Self.environment) { h in
            h.simulators[0].enqueue(.delay(.seconds(30)))
            let slow = Task { try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-one-at-a-time")) }
            try await waitUntil("the slow call reached the simulator") { h.simulators[0].inFlight == 1 }
            let second = try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-one-at-a-time"))
            #expect(second.status == 429)
            #expect(second.errorCode == "concurrency_limit_exceeded")
            slow.cancel()
            _ = try? await slow.value
        }
    }

    @Test func usageIsPerKeyAndOnlyForTheMasterKey() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, keys: Self.keys, environment: Self.environment) { h in
            _ = try await h.post("/v1/chat/completions", Self.chat, headers: Self.bearer("sk-team-a-secret"))
            let denied = try await h.get("/v1/usage", headers: Self.bearer("sk-team-a-secret"))
            #expect(denied.status == 403)
            let usage = try await h.get("/v1/usage", headers: Self.bearer("sk-master-secret"))
            #expect(usage.status == 200, "\(usage.body)")
            #expect(usage.json?["keys"]?["team-a"]?["request_count"]?.intValue == 1)
            #expect((usage.json?["keys"]?["team-a"]?["total_tokens"]?.intValue ?? 0) > 0)
            #expect(usage.json?["keys"]?["team-b"]?["request_count"]?.intValue == 0)
            #expect(usage.json?["total"]?["request_count"]?.intValue == 1)
            #expect(!usage.body.contains("secret"))
        }
    }

    @Test func keysAreStoredOnlyAsDigests() throws {
        var settings = Gateway.Configuration(port: 0)
        try settings.readKeys(json: Self.keys, environment: Self.environment)
        let store = KeyStore(settings.keys)
        #expect(store.entries.count == 4)
        #expect(store.entries.allSatisfy { $0.digest.count == 32 })
        #expect(!String(describing: store.entries).contains("sk-team-a-secret"))
        #expect(throws: Never.self) { _ = try store.authenticate(authorization: "Bearer sk-team-a-secret", apiKey: nil) }
        #expect(throws: GatewayError.self) { _ = try store.authenticate(authorization: "Bearer sk-team-a-secreT", apiKey: nil) }
        #expect(throws: Never.self) { _ = try store.authenticate(authorization: nil, apiKey: "sk-master-secret") }
    }

    @Test func listeningBeyondLoopbackWithoutKeysIsRefused() async throws {
        let manager = ModelManager(environment: [:])
        #expect(throws: ModelError.self) { _ = try Gateway(manager: manager, configuration: .init(host: "0.0.0.0", port: 0)) }
        do {
            _ = try Gateway(manager: manager, configuration: .init(host: "0.0.0.0", port: 0))
        } catch {
            #expect(error.message.contains("without keys"))
        }
        #expect(throws: Never.self) { _ = try Gateway(manager: manager, configuration: .init(host: "127.0.0.1", port: 0)) }
        var keyed = Gateway.Configuration(host: "0.0.0.0", port: 0)
        try keyed.readKeys(json: Self.keys, environment: Self.environment)
        #expect(throws: Never.self) { _ = try Gateway(manager: manager, configuration: keyed) }
        await manager.shutdown()
    }

    @Test func anUnsetMasterKeyVariableIsAClearError() {
        var settings = Gateway.Configuration(port: 0)
        do {
            try settings.readKeys(json: Self.keys, environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("GATEWAY_MASTER_KEY"))
            #expect(error.message.contains("master_key"))
        }
    }
}
