import Foundation
import OneSimModels
import OneSimModelsSimulator

/// The figures of a workload run: per step and overall makespan, p50/p99 latency, calls per
/// member, prefix-cache hit rate (when members' metrics were read) and, on a simulated fleet,
/// the capacity bound and makespan ÷ ideal.
struct BenchWorkloadReport {
    struct Figures {
        var calls = 0
        var ok = 0
        var errors = 0
        /// Last end − first start of the calls, in seconds.
        var makespan = 0.0
        var p50 = 0.0
        var p99 = 0.0
        var perMember: [String: Int] = [:]
        var hitRate: Double?
        /// The best hit rate the fleet could reach (see `FleetCapacity.idealHitRate`).
        var idealHitRate: Double?
        var ideal: Double?
        var ratio: Double? {
            guard let ideal, ideal > 0 else { return nil }
            return makespan / ideal
        }
    }

    var steps: [Figures]
    var overall: Figures
    var atOnce: Bool

    /// Latency percentile (ms) of sorted latencies (seconds).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))] * 1000
    }

    static func figures(_ records: [BenchWorkloadRunner.Record]) -> Figures {
        var f = Figures()
        f.calls = records.count
        guard !records.isEmpty else { return f }
        var first = Double.infinity
        var last = 0.0
        var latencies: [Double] = []
        latencies.reserveCapacity(records.count)
        for r in records {
            if r.ok { f.ok += 1 } else { f.errors += 1 }
            first = min(first, r.start)
            last = max(last, r.end)
            latencies.append(r.end - r.start)
            if let m = r.member { f.perMember[m, default: 0] += 1 }
        }
        latencies.sort()
        f.makespan = max(0, last - first)
        f.p50 = percentile(latencies, 50)
        f.p99 = percentile(latencies, 99)
        return f
    }

    /// Builds the report. `fleet` (servers and the seconds from their start to the run's start)
    /// adds the capacity bound per step (at once) and overall.
    init(
        records: [BenchWorkloadRunner.Record], scrapes: [BenchMetricsReader.Snapshot], workload: FleetWorkload,
        atOnce: Bool, fleet: (servers: [FleetServerConfig], offset: Double)?
    ) {
        self.atOnce = atOnce
        var byStep = [[BenchWorkloadRunner.Record]](repeating: [], count: workload.steps.count)
        for r in records where Int(r.step) < byStep.count { byStep[Int(r.step)].append(r) }
        steps = byStep.map(Self.figures)
        overall = Self.figures(records)
        if scrapes.count >= 2 {
            overall.hitRate = BenchMetricsReader.hitRate(from: scrapes[0], to: scrapes[scrapes.count - 1])
            if atOnce && scrapes.count == steps.count + 1 {
                for i in steps.indices { steps[i].hitRate = BenchMetricsReader.hitRate(from: scrapes[i], to: scrapes[i + 1]) }
            }
        }
        guard let fleet, let blockTokens = fleet.servers.first?.blockTokens else { return }
        let all = workload.capacityCalls(blockTokens: blockTokens)
        if atOnce {
            // Step k's bound: the work step k adds (earlier steps' prompts count as cached,
            // personas already paid), from the moment step k started.
            var before = FleetCapacity.split([], blockTokens: blockTokens)
            var index = 0
            var total = 0.0
            for (k, step) in workload.steps.enumerated() {
                index += step.count
                let upTo = FleetCapacity.split(Array(all[0..<index]), blockTokens: blockTokens)
                let started = byStep[k].map(\.start).min() ?? 0
                let added = FleetCapacity.difference(upTo, before)
                let ideal = FleetCapacity.idealMakespan(added, servers: fleet.servers, from: fleet.offset + started)
                steps[k].ideal = ideal
                steps[k].idealHitRate = FleetCapacity.idealHitRate(added, servers: fleet.servers.count)
                total += ideal
                before = upTo
            }
            overall.ideal = total
            overall.makespan = steps.reduce(0) { $0 + $1.makespan }
        } else {
            overall.ideal = FleetCapacity.idealMakespan(
                FleetCapacity.split(all, blockTokens: blockTokens), servers: fleet.servers, from: fleet.offset)
        }
        overall.idealHitRate = FleetCapacity.idealHitRate(
            FleetCapacity.split(all, blockTokens: blockTokens), servers: fleet.servers.count)
    }

    var table: String {
        func f(_ v: Double?, _ digits: Int) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        var lines = ["step  calls    ok  errors  makespan_s   ideal_s  ÷ideal   p50_ms    p99_ms  prefix_hit  ideal_hit"]
        func row(_ name: String, _ x: Figures) -> String {
            name.padding(toLength: 4, withPad: " ", startingAt: 0)
                + String(format: " %6d %5d %7d", x.calls, x.ok, x.errors)
                + " " + f(x.makespan, 3).leftPad(11) + " " + f(x.ideal, 3).leftPad(9) + " " + f(x.ratio, 3).leftPad(7)
                + " " + f(x.p50, 1).leftPad(8) + " " + f(x.p99, 1).leftPad(9) + " " + f(x.hitRate.map { $0 * 100 }, 1).leftPad(10)
                + (x.hitRate == nil ? "  " : " %") + " " + f(x.idealHitRate.map { $0 * 100 }, 1).leftPad(8)
                + (x.idealHitRate == nil ? "" : " %")
        }
        if steps.count > 1 || atOnce { for (i, s) in steps.enumerated() { lines.append(row(String(i), s)) } }
        lines.append(row("all", overall))
        let members = overall.perMember.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        lines.append("calls per member: " + (members.isEmpty ? "-" : members))
        if atOnce { lines.append("(all: makespan and ideal are sums over the steps, which run one after another)") }
        return lines.joined(separator: "\n")
    }

    /// The keys `--json` adds.
    var json: [String: JSONValue] {
        func figures(_ x: Figures) -> JSONValue {
            var o: [String: JSONValue] = [
                "calls": .int(x.calls), "ok": .int(x.ok), "errors": .int(x.errors), "makespan_s": .double(x.makespan),
                "p50_ms": .double(x.p50), "p99_ms": .double(x.p99),
                "calls_per_member": .object(x.perMember.mapValues { .int($0) }),
            ]
            if let h = x.hitRate { o["prefix_hit_rate"] = .double(h) }
            if let h = x.idealHitRate { o["ideal_prefix_hit_rate"] = .double(h) }
            if let i = x.ideal { o["ideal_s"] = .double(i) }
            if let r = x.ratio { o["makespan_over_ideal"] = .double(r) }
            return .object(o)
        }
        var out: [String: JSONValue] = ["workload": figures(overall), "steps": .array(steps.map(figures))]
        out["makespan_s"] = .double(overall.makespan)
        out["calls_per_member"] = .object(overall.perMember.mapValues { .int($0) })
        if let h = overall.hitRate { out["prefix_hit_rate"] = .double(h) }
        if let h = overall.idealHitRate { out["ideal_prefix_hit_rate"] = .double(h) }
        if let i = overall.ideal { out["ideal_s"] = .double(i) }
        if let r = overall.ratio { out["makespan_over_ideal"] = .double(r) }
        return out
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
