import OneSimModels
import OneSimModelsDashboard

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gateway's `GET /dashboard` (the shared page) and `GET /dashboard/stats` (this gateway's
/// ``DashboardDocument``): totals, each balancer and its members, and each virtual key.
///
/// Who may see it: without keys (loopback only) anyone; with keys, the page loads for anyone
/// (it holds no data) and the stats need the master key (401 without a key, 403 for a client
/// key). Keys are shown by name only. The document is built from `stats()` snapshots when it
/// is asked for (once a second per open page), never on a call's path.
struct GatewayDashboard {
    let gateway: Gateway

    /// The page.
    static func page() -> Response {
        var response = Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        response.headers[.contentType] = DashboardPage.contentType
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// The stats JSON for `caller` (the master, or anyone when no keys are configured).
    func stats(for caller: KeyStore.Caller) throws(GatewayError) -> Response {
        switch caller {
        case .open, .master: break
        case .key:
            throw GatewayError(403, "Only the master key may read the dashboard's stats.", type: "permission_error", code: "master_key_required")
        }
        var response = GatewayRoutes.json(.ok, ByteBuffer(bytes: document().json()))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The document now.
    func document() -> DashboardDocument {
        let usage = gateway.manager.tokenTracker.stats()
        let costs = usage.estimateCost(prices: gateway.prices)
        var sections = [totals(usage, cost: costs.totalCostUSD)]
        let balancers = gateway.manager.servedBalancers().map { $0.stats() }
        if !balancers.isEmpty { sections.append(overview(balancers)) }
        for stats in balancers { sections.append(members(of: stats, costs: costs)) }
        if !gateway.keys.entries.isEmpty { sections.append(keys()) }
        return DashboardDocument(title: "OneSimModels gateway", sections: sections)
    }

    /// Every call the registry recorded (through the gateway or not).
    func totals(_ usage: TokenUsageStats, cost: Double) -> DashboardDocument.Section {
        let row = DashboardDocument.Row(
            name: "all calls", state: usage.errorCount > 0 ? .warn : .ok,
            values: [
                "requests": Double(usage.requestCount), "requests_per_s": Double(usage.requestCount),
                "errors_per_s": Double(usage.errorCount), "tokens": Double(usage.totalTokens),
                "tokens_per_s": Double(usage.totalTokens), "cost": cost,
            ],
            texts: ["errors": Self.kinds(usage.errorsByKind)])
        return DashboardDocument.Section(
            id: "totals", title: "Totals",
            columns: [
                .init("requests", "requests", .int), .init("requests_per_s", "req/s", .rate, spark: true),
                .init("errors_per_s", "errors/s", .rate, spark: true), .init("errors", "errors by kind", .text),
                .init("tokens", "tokens", .int), .init("tokens_per_s", "tokens/s", .rate, spark: true),
                .init("cost", "cost so far", .usd),
            ],
            rows: [row])
    }

    /// One row per balancer: its queue and its members' totals.
    func overview(_ balancers: [BalancerStats]) -> DashboardDocument.Section {
        let rows = balancers.map { b in
            let healthy = b.members.filter { !$0.isCoolingDown }.count
            return DashboardDocument.Row(
                name: b.balancer, state: healthy == 0 ? .bad : (b.panicking || healthy < b.members.count ? .warn : .ok),
                values: [
                    "queued": Double(b.queued), "queue_timeouts": Double(b.queueTimeouts),
                    "in_flight": Double(b.members.reduce(0) { $0 + $1.inFlight }),
                    "requests_per_s": Double(b.requests), "errors_per_s": Double(b.failures),
                ],
                texts: ["strategy": b.strategy, "healthy": "\(healthy) of \(b.members.count)" + (b.panicking ? " (panic)" : "")])
        }
        return DashboardDocument.Section(
            id: "balancers", title: "Balancers",
            columns: [
                .init("strategy", "strategy", .text), .init("healthy", "healthy", .text),
                .init("in_flight", "in flight", .int, spark: true), .init("queued", "queued", .int, spark: true),
                .init("queue_timeouts", "queue timeouts", .int), .init("requests_per_s", "req/s", .rate, spark: true),
                .init("errors_per_s", "errors/s", .rate),
            ],
            rows: rows)
    }

    /// A balancer's members: load against limits, rates, errors by kind, latency, cooldowns,
    /// tokens, cost and what their servers report.
    func members(of b: BalancerStats, costs: CostEstimate) -> DashboardDocument.Section {
        let kinds = Set(b.members.flatMap { $0.failuresByKind.keys }).sorted { $0.rawValue < $1.rawValue }
        var columns: [DashboardDocument.Column] = [
            .init("in_flight", "in flight", .int, spark: true), .init("limit", "limit", .text),
            .init("requests", "requests", .int), .init("requests_per_s", "req/s", .rate, spark: true),
            .init("errors_per_s", "errors/s", .rate), .init("error_share", "error %", .percent),
        ]
        columns += kinds.map { DashboardDocument.Column("errors.\($0.rawValue)", "\($0.rawValue)/s", .rate) }
        columns += [
            .init("p50", "p50", .ms), .init("p99", "p99", .ms, spark: true), .init("cooldown", "cooldown", .text),
            .init("tokens_per_s", "tokens/s", .rate, spark: true), .init("cost", "cost", .usd),
            .init("server", "server", .text), .init("prefix_match", "prefix match", .percent),
        ]
        let rows = b.members.map { m in
            var row = DashboardDocument.Row(name: m.configName, state: m.isCoolingDown ? .bad : (m.failures > 0 ? .warn : .ok))
            row["in_flight"] = Double(m.inFlight)
            row["requests"] = Double(m.requests)
            row["requests_per_s"] = Double(m.requests)
            row["errors_per_s"] = Double(m.failures)
            row["error_share"] = m.requests > 0 ? Double(m.failures) / Double(m.requests) : nil
            for kind in kinds { row["errors.\(kind.rawValue)"] = Double(m.failuresByKind[kind] ?? 0) }
            row["p50"] = m.recentLatencyP50?.seconds
            row["p99"] = m.recentLatencyP99?.seconds
            row["tokens_per_s"] = Double(m.usage.totalTokens)
            row["cost"] = costs.configCosts[m.configName]?.totalCost ?? 0
            row["prefix_match"] = m.prefixMatchRate
            row.texts["limit"] = Self.limit(m)
            row.texts["cooldown"] = m.cooldownRemaining.map { String(format: "%.1f s left", $0.seconds) + " (\(m.cooldowns)×)" }
                ?? (m.cooldowns > 0 ? "– (\(m.cooldowns)×)" : "–")
            if let load = m.serverLoad {
                var text = "\(load.running.map(String.init) ?? "?") run, \(load.waiting.map(String.init) ?? "?") wait"
                if let kv = load.kvCacheUsage, kv.isFinite { text += String(format: ", KV %.0f %%", kv * 100) }
                if load.isStale { text += " (stale)" }
                row.texts["server"] = text
            }
            return row
        }
        var note = "\(b.strategy) · \(b.queued) queued · \(b.queueTimeouts) queue timeouts"
        if b.panicking { note += " · PANIC: too few healthy members" }
        return DashboardDocument.Section(id: "balancer:" + b.balancer, title: "Balancer " + b.balancer, note: note, columns: columns, rows: rows)
    }

    /// One row per virtual key, by name (never its secret).
    func keys() -> DashboardDocument.Section {
        let counters = gateway.keys.counters.withLock { $0 }
        let rows = gateway.keys.entries.enumerated().map { i, entry in
            let usage = entry.tracker.stats()
            let c = counters.indices.contains(i) ? counters[i] : KeyStore.Counters()
            var row = DashboardDocument.Row(name: entry.name)
            row["in_flight"] = Double(c.inFlight)
            row["requests"] = Double(usage.requestCount)
            row["requests_per_s"] = Double(usage.requestCount)
            row["tokens_per_s"] = Double(usage.totalTokens)
            row["cost"] = c.totalCost
            var limits: [String] = []
            if let n = entry.maxConcurrency { limits.append("\(n) at once") }
            if let n = entry.rpm { limits.append("\(n) rpm") }
            if let n = entry.tpm { limits.append("\(n) tpm") }
            row.texts["limits"] = limits.isEmpty ? "–" : limits.joined(separator: ", ")
            var budget: [String] = []
            if let max = entry.maxCostUSD {
                budget.append(String(format: "$%.2f of $%.2f", c.totalCost, max))
                if c.totalCost >= max { row.state = .bad } else if c.totalCost >= 0.8 * max { row.state = .warn }
            }
            if let max = entry.maxTokens {
                budget.append("\(c.totalTokens) of \(max) tokens")
                if c.totalTokens >= max { row.state = .bad }
            }
            row.texts["budget"] = budget.isEmpty ? "–" : budget.joined(separator: ", ")
            return row
        }
        return DashboardDocument.Section(
            id: "keys", title: "Virtual keys",
            columns: [
                .init("in_flight", "in flight", .int, spark: true), .init("limits", "limits", .text),
                .init("requests", "requests", .int), .init("requests_per_s", "req/s", .rate, spark: true),
                .init("tokens_per_s", "tokens/s", .rate, spark: true), .init("cost", "cost so far", .usd),
                .init("budget", "budget", .text),
            ],
            rows: rows)
    }

    /// `max_concurrency` and the learned limit: "8", "5 learned (server) of 8", "–".
    static func limit(_ m: MemberStats) -> String {
        let configured = m.maxConcurrency.map(String.init)
        guard let learned = m.learnedConcurrency else { return configured ?? "–" }
        return "\(learned) learned (\(m.learnedFrom ?? "initial"))" + (configured.map { " of \($0)" } ?? "")
    }

    /// Counts by kind: "rate_limited 3, timeout 1", or "–".
    static func kinds(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "–" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
