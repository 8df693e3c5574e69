import AsyncHTTPClient
import Foundation
import NIOCore
import OneSimModels
import OneSimModelsSimulator
import Synchronization

/// Runs a workload (steps of calls) through a model or balancer and records every call.
struct BenchWorkloadRunner {
    /// One finished call.
    struct Record: Sendable {
        var step: Int32
        var start: Double
        var end: Double
        var ok: Bool
        var member: String?
    }

    let model: any ModelAdapter
    let workload: FleetWorkload
    let concurrency: Int
    let atOnce: Bool
    let metrics: BenchMetricsReader
    let progress: ProgressLine?

    /// The calls as prompts and options, in order, with their step.
    static func prepare(_ workload: FleetWorkload) -> [(step: Int32, prompt: Prompt, options: CallOptions)] {
        var out: [(Int32, Prompt, CallOptions)] = []
        for (s, step) in workload.steps.enumerated() {
            for call in step {
                let messages = call.messages.map { m in
                    Message(role: Role(rawValue: m.role) ?? .user, content: .text(m.content))
                }
                out.append((Int32(clamping: s), Prompt(messages), CallOptions(maxTokens: call.maxTokens, affinityKey: call.affinityKey)))
            }
        }
        return out
    }

    /// Runs every call; returns the records (in no particular order), the prefix-cache counters
    /// read before and after each step (at once) or the whole run, and the start instant.
    func run() async -> (records: [Record], scrapes: [BenchMetricsReader.Snapshot], start: ContinuousClock.Instant) {
        let calls = Self.prepare(workload)
        let model = model
        let start = ContinuousClock.now
        @Sendable func seconds(_ instant: ContinuousClock.Instant) -> Double {
            (instant - start).seconds
        }
        @Sendable func one(_ i: Int) async -> Record {
            let (step, prompt, options) = calls[i]
            let t0 = ContinuousClock.now
            var record = Record(step: step, start: 0, end: 0, ok: false, member: nil)
            do {
                let response = try await model.acall(prompt, options: options)
                record.ok = true
                record.member = response.modelInfo.member ?? response.modelInfo.configName
            } catch {
                record.ok = false
            }
            let t1 = ContinuousClock.now
            record.start = seconds(t0)
            record.end = seconds(t1)
            progress?.finished(ok: record.ok)
            return record
        }
        var records: [Record] = []
        records.reserveCapacity(calls.count)
        var scrapes: [BenchMetricsReader.Snapshot] = [await metrics.read()]
        if atOnce {
            var index = 0
            for step in workload.steps {
                let range = index..<(index + step.count)
                index += step.count
                await withTaskGroup(of: Record.self) { group in
                    for i in range { group.addTask { await one(i) } }
                    for await r in group { records.append(r) }
                }
                scrapes.append(await metrics.read())
            }
        } else {
            let shared = BenchShared()
            let total = calls.count
            await withTaskGroup(of: [Record].self) { group in
                for _ in 0..<min(concurrency, total) {
                    group.addTask {
                        var mine: [Record] = []
                        while true {
                            let i = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                            guard i < total else { break }
                            mine.append(await one(i))
                        }
                        return mine
                    }
                }
                for await part in group { records.append(contentsOf: part) }
            }
            scrapes.append(await metrics.read())
        }
        return (records, scrapes, start)
    }
}

/// Reads members' `/metrics` for the prefix-cache counters (vLLM's
/// `prefix_cache_queries_total` / `prefix_cache_hits_total`). A failing read is left out; it
/// never fails the bench. Each read is bounded (5 s, 4 MiB).
struct BenchMetricsReader: Sendable {
    /// Counters summed over the members that answered, and how many answered.
    struct Snapshot: Sendable {
        var queries: Double = 0
        var hits: Double = 0
        var answered = 0
    }

    let urls: [String]

    func read() async -> Snapshot {
        var snapshot = Snapshot()
        for url in urls {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(5)),
                response.status == .ok, let body = try? await response.body.collect(upTo: 4 << 20),
                case let load = body.withUnsafeReadableBytes({ ServerMetricsParser.parse($0) }),
                load.prefixCacheQueries != nil || load.prefixCacheHits != nil
            else { continue }
            snapshot.queries += load.prefixCacheQueries ?? 0
            snapshot.hits += load.prefixCacheHits ?? 0
            snapshot.answered += 1
        }
        return snapshot
    }

    /// The hit rate between two snapshots (nil when no member answered both or nothing was queried).
    static func hitRate(from a: Snapshot, to b: Snapshot) -> Double? {
        guard a.answered > 0, a.answered == b.answered, b.queries > a.queries else { return nil }
        return max(0, min(1, (b.hits - a.hits) / (b.queries - a.queries)))
    }
}
