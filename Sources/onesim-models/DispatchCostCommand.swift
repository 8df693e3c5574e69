import ArgumentParser
import Foundation
import OneSimModels

/// `onesim-models dispatch-cost`: the balancer's decision alone, per strategy, as members,
/// waiters and indexed prompts grow (see `DispatchCost`). The difference between `fleet` and
/// `least_busy` is what the fleet dispatch adds to every call.
struct DispatchCostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch-cost",
        abstract: "Time the balancer's decision alone (no I/O), per strategy, as members, waiters and indexed prompts grow.")

    @Option(name: .long, help: "Member counts, comma-separated (each 1...256).")
    var members: String = "2,8,64"

    @Option(name: .long, help: "Waiting calls, comma-separated (each 0...100000).")
    var waiters: String = "0,10000"

    @Option(name: .long, help: "Personas the calls share, comma-separated (0: bench's short prompt, no block and no key; each 0...1000).")
    var personas: String = "0,8"

    @Option(name: .long, help: "Strategies, comma-separated.")
    var strategies: String = "least_busy,fleet"

    @Option(name: .long, help: "Decisions per timed run (1000...10000000).")
    var decisions: Int = 200_000

    @Option(name: .long, help: "Timed runs per strategy and case; the fastest counts (1...100).")
    var repeats: Int = 5

    @Flag(name: .long, help: "Print one JSON object per case instead of the table.")
    var json = false

    func validate() throws {
        try FlagRange.check("--decisions", decisions, 1_000...10_000_000)
        try FlagRange.check("--repeats", repeats, 1...100)
        _ = try cases()
        _ = try parsedStrategies()
    }

    /// Every combination of the flags' members, waiters and personas, each range-checked.
    func cases() throws -> [DispatchCost.Case] {
        let memberCounts = try Self.list("--members", members, 1...256)
        let waiterCounts = try Self.list("--waiters", waiters, 0...100_000)
        let personaCounts = try Self.list("--personas", personas, 0...1_000)
        return memberCounts.flatMap { m in
            waiterCounts.flatMap { w in personaCounts.map { p in DispatchCost.Case(members: m, waiters: w, personas: p) } }
        }
    }

    /// The integers of a comma-separated flag, each checked against `range`.
    static func list(_ flag: String, _ text: String, _ range: ClosedRange<Int>) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty else { throw ValidationError("\(flag) needs at least one value") }
        return try parts.map { part in
            guard let value = Int(part.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("\(flag): '\(part)' is not a whole number")
            }
            try FlagRange.check(flag, value, range)
            return value
        }
    }

    func parsedStrategies() throws -> [(label: String, strategy: BalancerStrategy)] {
        try strategies.split(separator: ",").map { (name: Substring) in
            let label = name.trimmingCharacters(in: .whitespaces)
            do {
                return (label, try BalancerStrategy(parsing: label))
            } catch {
                throw ValidationError("--strategies: \(error)")
            }
        }
    }

    func run() throws {
        let strategies = try parsedStrategies()
        let cost = DispatchCost(strategies: strategies, decisions: decisions, repeats: repeats)
        let baseline = strategies.firstIndex { $0.label == "least_busy" }
        if !json {
            let columns = strategies.map { "`\($0.label)` (ns)" } + (baseline == nil ? [] : strategies.filter { $0.label != "least_busy" }.map { "`\($0.label)` − `least_busy`" })
            print("| members | waiting | personas | " + columns.joined(separator: " | ") + " |")
            print("|---:|---:|---:|" + String(repeating: "---:|", count: columns.count))
        }
        for c in try cases() {
            let ns = cost.measure(c)
            if json {
                var row: [String: Any] = ["members": c.members, "waiters": c.waiters, "personas": c.personas]
                for (i, s) in strategies.enumerated() { row["\(s.label)_ns"] = ns[i] }
                let data = try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                var cells = ns.map { String(format: "%.0f", $0) }
                if let baseline {
                    for (i, s) in strategies.enumerated() where s.label != "least_busy" {
                        cells.append(String(format: "%+.0f", ns[i] - ns[baseline]))
                    }
                }
                print("| \(c.members) | \(c.waiters) | \(c.personas) | " + cells.joined(separator: " | ") + " |")
            }
        }
    }
}
