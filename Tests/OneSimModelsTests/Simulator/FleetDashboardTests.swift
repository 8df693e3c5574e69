import AsyncHTTPClient
import Foundation
import NIOCore
import OneSimModelsDashboard
import Testing

@testable import OneSimModelsSimulator

/// The fleet simulator's dashboard over real HTTP on 127.0.0.1 (port 0): the shared page, and
/// one row per server of the fleet with its running and waiting requests against its slots.
@Suite("Fleet simulator: dashboard", .timeLimit(.minutes(3)))
struct FleetDashboardTests {
    func get(_ url: String) async throws -> (status: Int, contentType: String?, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(300))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "content-type"), String(buffer: body))
    }

    func post(_ sim: Simulator) async throws -> Int {
        var request = HTTPClientRequest(url: "\(sim.baseURL)/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"model": "sim", "max_tokens": 50, "messages": [{"role": "user", "content": "plan the harvest"}]}"#))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test func statsShowRunningAndWaitingAgainstSlots() async throws {
        // One slot and a slow decode: the first call runs, the second waits, until the stop.
        let slow = Simulator(
            configuration: .init(
                recordRequests: false,
                fleetServer: FleetServerConfig(name: "gpu-slow", maxNumSeqs: 1, prefillSecondsPerToken: 0, decodeSecondsPerToken: 60)))
        let idle = Simulator(configuration: .init(recordRequests: false, fleetServer: FleetServerConfig(name: "gpu-idle", maxNumSeqs: 4)))
        try await slow.start()
        try await idle.start()
        slow.showOnDashboard([slow, idle])
        let port = slow.port
        let calls = (0..<2).map { _ in Task { try await post(slow) } }
        try await waitUntil("one call runs and one waits") {
            slow.fleetStatus().map { $0.running == 1 && $0.waiting == 1 } ?? false
        }

        let page = try await get("http://127.0.0.1:\(port)/dashboard")
        #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
        #expect(page.body == DashboardPage.html)

        let stats = try await get("http://127.0.0.1:\(port)/dashboard/stats")
        #expect(stats.status == 200 && stats.contentType == "application/json")
        let document = try JSONDecoder().decode(DashboardDocument.self, from: Data(stats.body.utf8))
        let rows = try #require(document.sections.first { $0.id == "servers" }).rows
        #expect(rows.map(\.name) == ["gpu-slow", "gpu-idle"])
        #expect(rows[0]["running"] == 1 && rows[0]["waiting"] == 1 && rows[0]["slots"] == 1)
        #expect(rows[0]["requests"] == 2 && rows[0].state == .warn)
        #expect(rows[1]["running"] == 0 && rows[1]["waiting"] == 0 && rows[1]["slots"] == 4 && rows[1].state == .ok)
        #expect(rows[0]["kv"] != nil)

        // A server shown alone lists itself.
        let alone = try JSONDecoder().decode(
            DashboardDocument.self, from: Data(try await get("http://127.0.0.1:\(idle.port)/dashboard/stats").body.utf8))
        #expect(alone.sections.first?.rows.map(\.name) == ["gpu-idle"])

        await slow.stop()
        await idle.stop()
        for call in calls { _ = try? await call.value }
    }

    @Test func hitRateAndCountersComeFromTheServerModel() throws {
        var model = try FleetServerModel(config: FleetServerConfig(name: "g", maxNumSeqs: 2, cacheBlocks: 100, blockTokens: 4))
        let blocks: [UInt64] = [1, 2, 3]
        let first = model.submit(FleetRequest(id: 1, promptBlocks: blocks, promptTokens: 12, outputTokens: 1), at: .zero)
        #expect(first)
        _ = model.advance(to: .seconds(100))
        let second = model.submit(FleetRequest(id: 2, promptBlocks: blocks, promptTokens: 12, outputTokens: 1), at: .seconds(100))
        #expect(second)
        _ = model.advance(to: .seconds(200))
        let status = FleetServerStatus(model)
        #expect(status.completed == 2 && status.running == 0 && status.slots == 2)
        let rate = try #require(status.prefixHitRate)
        #expect(rate > 0 && rate < 1)
        let row = try #require(FleetDashboard.document([("g", 2, status)]).sections.first?.rows.first)
        #expect(row["prefix_hit_rate"] == rate && row["completed_per_s"] == 2)
        #expect(FleetServerStatus(try FleetServerModel(config: FleetServerConfig(name: "h", maxNumSeqs: 1))).prefixHitRate == nil)
    }
}
