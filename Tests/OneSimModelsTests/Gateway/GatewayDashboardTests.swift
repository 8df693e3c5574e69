import Foundation
import OneSimModels
import OneSimModelsDashboard
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

/// `GET /dashboard` and `GET /dashboard/stats` of the gateway, over real HTTP against
/// simulators (port 0).
@Suite("Gateway: dashboard", .timeLimit(.minutes(3)))
struct GatewayDashboardTests {
    static let chat = #"{"model": "pool", "messages": [{"role": "user", "content": "plan the harvest"}]}"#

    static func poolConfig(_ sims: [Simulator]) -> String {
        """
        [\(memberConfig("gpu-a", baseURL: sims[0].baseURL, extra: #", "max_concurrency": 8"#)),
         \(memberConfig("gpu-b", baseURL: sims[1].baseURL)),
         {"config_name": "pool", "model_type": "load_balancer", "models": ["gpu-a", "gpu-b"], "strategy": "round_robin"}]
        """
    }

    static func document(_ reply: GatewayHarness.Reply) throws -> DashboardDocument {
        try JSONDecoder().decode(DashboardDocument.self, from: Data(reply.body.utf8))
    }

    @Test func thePageIsOneSelfContainedHTMLDocument() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let page = try await h.get("/dashboard")
            #expect(page.status == 200)
            #expect(page.headers.first(name: "content-type") == "text/html; charset=utf-8")
            #expect(page.body.hasPrefix("<!doctype html>"))
            #expect(page.body.contains("<script>") && page.body.contains("<style>"))
            // Nothing loaded from elsewhere, no markup built from data.
            for banned in ["src=", "href=", "http://", "https://", "@import", "url(", "innerHTML", "outerHTML", "document.write", "?key="] {
                #expect(!page.body.contains(banned), "the page contains \(banned)")
            }
            #expect(page.body.contains(DashboardPage.statsPath))
        }
    }

    @Test func statsListEveryMemberAndMoveAfterCalls() async throws {
        try await withGateway(simulators: 2, config: Self.poolConfig) { h in
            let before = try Self.document(try await h.get("/dashboard/stats"))
            let pool = try #require(before.sections.first { $0.id == "balancer:pool" })
            #expect(pool.rows.map(\.name) == ["gpu-a", "gpu-b"])
            #expect(pool.rows.allSatisfy { $0["requests"] == 0 })
            #expect(pool.rows[0].texts["limit"] == "8")
            #expect(pool.columns.contains { $0.key == "p99" && $0.spark })

            for _ in 0..<4 { #expect(try await h.post("/v1/chat/completions", Self.chat).status == 200) }

            let reply = try await h.get("/dashboard/stats")
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type") == "application/json")
            let after = try Self.document(reply)
            let members = try #require(after.sections.first { $0.id == "balancer:pool" }).rows
            #expect(members.map { $0["requests"] ?? 0 } == [2, 2])
            #expect(members.allSatisfy { ($0["tokens_per_s"] ?? 0) > 0 && $0["p50"] != nil && $0["p99"] != nil })
            #expect(members.allSatisfy { $0["in_flight"] == 0 && $0.state == .ok })
            let totals = try #require(after.sections.first { $0.id == "totals" }?.rows.first)
            #expect((totals["requests"] ?? 0) >= 4)
            #expect((totals["tokens"] ?? 0) > 0)
            let overview = try #require(after.sections.first { $0.id == "balancers" }?.rows.first)
            #expect(overview.name == "pool" && overview["queued"] == 0 && overview["requests_per_s"] == 4)
            #expect(after.time >= before.time)
        }
    }

    @Test func failuresShowByKindAndCooldownsTurnARowRed() async throws {
        try await withGateway(simulators: 2, config: Self.poolConfig) { h in
            h.simulators[0].enqueue(.fail(.status(500)), .fail(.status(500)), .fail(.status(500)))
            h.simulators[1].enqueue(.fail(.status(500)), .fail(.status(500)), .fail(.status(500)))
            for _ in 0..<2 { _ = try await h.post("/v1/chat/completions", Self.chat) }
            let after = try Self.document(try await h.get("/dashboard/stats"))
            let section = try #require(after.sections.first { $0.id == "balancer:pool" })
            let kindColumns = section.columns.filter { $0.key.hasPrefix("errors.") }
            #expect(!kindColumns.isEmpty && kindColumns.allSatisfy { $0.format == .rate })
            let failed = section.rows.reduce(0.0) { $0 + ($1["errors_per_s"] ?? 0) }
            #expect(failed > 0)
            let byKind = section.rows.reduce(0.0) { sum, row in sum + kindColumns.reduce(0.0) { $0 + (row[$1.key] ?? 0) } }
            #expect(byKind == failed)
            #expect(section.rows.allSatisfy { $0.state != .ok })
        }
    }

    @Test func withKeysTheStatsNeedTheMasterKeyAndShowKeysByNameOnly() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, keys: GatewayKeyTests.keys, environment: GatewayKeyTests.environment) { h in
            #expect(try await h.get("/dashboard").status == 200)
            let missing = try await h.get("/dashboard/stats")
            #expect(missing.status == 401)
            #expect(missing.errorCode == "missing_api_key")
            let client = try await h.get("/dashboard/stats", headers: GatewayKeyTests.bearer("sk-team-a-secret"))
            #expect(client.status == 403)
            #expect(client.errorCode == "master_key_required")

            let call = try await h.post(
                "/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#,
                headers: GatewayKeyTests.bearer("sk-team-a-secret"))
            #expect(call.status == 200)
            let master = try await h.get("/dashboard/stats", headers: GatewayKeyTests.bearer("sk-master-secret"))
            #expect(master.status == 200)
            for secret in ["sk-team-a-secret", "sk-team-b-secret", "sk-master-secret", "sk-old-secret", "sk-one-at-a-time"] {
                #expect(!master.body.contains(secret))
            }
            let keys = try #require(try Self.document(master).sections.first { $0.id == "keys" })
            #expect(keys.rows.map(\.name) == ["team-a", "team-b", "old", "single"])
            let teamA = keys.rows[0]
            #expect(teamA["requests"] == 1 && (teamA["tokens_per_s"] ?? 0) > 0)
            #expect(teamA.texts["limits"] == "2 rpm")
        }
    }
}
