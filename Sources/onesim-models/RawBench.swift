import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OneSimModels

/// The Swift floor for `bench --raw`: the same request bytes (body and headers) an OpenAI
/// adapter sends, posted with a bare, pooled AsyncHTTPClient (round robin over the URLs), the
/// body collected and nothing decoded.
struct RawBench {
    let urls: [String]
    /// The `model` field of the body (the target's model name).
    let modelName: String
    let requests: Int
    let concurrency: Int
    let embeddings: Bool
    var progress: ProgressLine? = nil

    func run() async throws -> BenchResult {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024)
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let model = String(decoding: JSONCodec.encode(.string(modelName)), as: UTF8.self)
        let body: [UInt8] = embeddings
            ? Array(#"{"input":["Describe your plan for today in one sentence."],"model":\#(model)}"#.utf8)
            : Array(
                #"{"model":\#(model),"messages":[{"role":"system","content":"You are a helpful assistant in an agent simulation."},{"role":"user","content":"Describe your plan for today in one sentence."}]}"#
                    .utf8)
        // The headers every OpenAI-compatible adapter sends, built once as the adapters do.
        let headers: HTTPHeaders = [
            "content-type": "application/json", "accept": "application/json", "user-agent": "OneSimModels/1.0",
            "authorization": "Bearer k",
        ]
        let shared = BenchShared()
        let cpuStart = ProcessUsage.cpuMicroseconds()
        let start = ContinuousClock.now
        let (urls, requests, progress) = (self.urls, self.requests, self.progress)
        let (ok, errors) = await withTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<min(concurrency, requests) {
                group.addTask {
                    var ok = 0
                    var errors = 0
                    while true {
                        let i = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                        if i >= requests { break }
                        var request = HTTPClientRequest(url: urls[i % urls.count])
                        request.method = .POST
                        request.headers = headers
                        request.body = .bytes(body)
                        let t0 = ContinuousClock.now
                        do {
                            let response = try await client.execute(request, timeout: .seconds(600))
                            _ = try await response.body.collect(upTo: 64 << 20)
                            if response.status.code < 300 { ok += 1 } else { errors += 1 }
                            progress?.finished(ok: response.status.code < 300)
                        } catch {
                            errors += 1
                            progress?.finished(ok: false)
                        }
                        let elapsed = ContinuousClock.now - t0
                        let micros = UInt64(max(1, elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
                        shared.histogram.withLock { _ = $0.record(micros) }
                    }
                    return (ok, errors)
                }
            }
            var totals = (0, 0)
            for await (o, e) in group { totals = (totals.0 + o, totals.1 + e) }
            return totals
        }
        let wall = ContinuousClock.now - start
        let cpu = ProcessUsage.cpuMicroseconds() - cpuStart
        try await client.shutdown()
        let histogram = shared.histogram.withLock { $0 }
        return BenchResult(
            requests: requests, ok: ok, errors: errors,
            wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18,
            p50: Double(histogram.valueAtPercentile(50)) / 1000, p90: Double(histogram.valueAtPercentile(90)) / 1000,
            p99: Double(histogram.valueAtPercentile(99)) / 1000, cpuMicrosecondsPerRequest: Double(cpu) / Double(requests),
            peakRSSMegabytes: ProcessUsage.peakRSSMegabytes())
    }
}
