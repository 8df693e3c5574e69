import ArgumentParser
import Foundation
import OneSimModels
import OneSimModelsSimulator

extension BenchCommand {
    /// `bench --workload/--agents [--fleet]`: sends a workload's calls (steps, max_tokens,
    /// affinity keys) through the chosen model or, with `--fleet`, through a balancer over
    /// simulated fleet servers started here; prints the workload report.
    func runWorkload() async throws {
        let options = workloadOptions
        let workload: FleetWorkload
        do { workload = try options.makeWorkload() } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        // Enough connections that every call in flight has one: a call waiting for a pooled
        // connection is not a call the server queues, and would blur what routing does.
        let inFlight = options.atOnce ? workload.steps.map(\.count).max() ?? 1 : concurrency
        var http = HTTPSettings()
        http.connectionPool.maxConnectionsPerHost = maxConnections ?? min(65_536, max(256, inFlight))
        let manager = ModelManager(httpSettings: http)
        var launcher: FleetLauncher?
        var launchedAt = ContinuousClock.now
        do {
            let target: any ModelAdapter
            var metricsURLs = options.metricsURLs
            if let fleetPath = options.fleet {
                let servers = try FleetDescription.load(path: fleetPath)
                launchedAt = ContinuousClock.now
                let started = try await FleetLauncher.start(servers)
                launcher = started
                metricsURLs += started.members.map(\.metricsURL)
                try Self.loadFleetConfig(started, into: manager, strategy: options.strategy)
                target = try manager.getModel(configName: "fleet")
            } else if let config {
                try manager.loadModelConfigs(path: config)
                if let model {
                    target = try manager.getModel(configName: model)
                } else {
                    target = try manager.getModel(modelType: modelType ?? (modelName == nil ? .chat : nil), modelName: modelName)
                }
            } else {
                throw ValidationErrorMessage("a workload needs --fleet FILE or --config FILE")
            }
            let total = workload.steps.reduce(0) { $0 + $1.count }
            let progress = ProgressLine.make(total: total, enabled: !options.noProgress && !json)
            let cpuStart = ProcessUsage.cpuMicroseconds()
            let runner = BenchWorkloadRunner(
                model: target, workload: workload, concurrency: concurrency, atOnce: options.atOnce,
                metrics: BenchMetricsReader(urls: metricsURLs), progress: progress)
            let (records, scrapes, start) = await runner.run()
            let cpu = ProcessUsage.cpuMicroseconds() - cpuStart
            progress?.clear()
            let offset = start - launchedAt
            let offsetSeconds = offset.seconds
            var fleetInfo: (servers: [FleetServerConfig], offset: Double)?
            if let launcher { fleetInfo = (launcher.members.map(\.config), offsetSeconds) }
            let report = BenchWorkloadReport(
                records: records, scrapes: scrapes, workload: workload, atOnce: options.atOnce, fleet: fleetInfo)
            let latencies = records.map { $0.end - $0.start }.sorted()
            let result = BenchResult(
                requests: records.count, ok: report.overall.ok, errors: report.overall.errors,
                wallSeconds: report.overall.makespan, p50: BenchWorkloadReport.percentile(latencies, 50),
                p90: BenchWorkloadReport.percentile(latencies, 90), p99: BenchWorkloadReport.percentile(latencies, 99),
                cpuMicrosecondsPerRequest: records.isEmpty ? 0 : Double(cpu) / Double(records.count),
                peakRSSMegabytes: ProcessUsage.peakRSSMegabytes())
            print("workload: \(total) calls in \(workload.steps.count) step(s), "
                + (options.atOnce ? "each step released at once" : "\(concurrency) in flight")
                + (options.fleet != nil ? ", strategy \(options.strategy ?? "(default)")" : ""))
            print(report.table)
            if json {
                var value = result.jsonObject
                for (k, v) in report.json { value[k] = v }
                print(JSONValue.object(value).description)
            }
        } catch {
            await manager.shutdown()
            await launcher?.stop()
            printError("error: \(error)")
            throw ExitCode.failure
        }
        await manager.shutdown()
        await launcher?.stop()
    }

    /// Loads the fleet's models config. `metrics_url` is accepted once fleet-aware routing
    /// lands; until then the loader rejects it and the config is loaded without it.
    static func loadFleetConfig(_ launcher: FleetLauncher, into manager: ModelManager, strategy: String?) throws {
        do {
            try manager.loadModelConfigs(json: launcher.modelsConfig(strategy: strategy, metricsURL: true))
        } catch {
            guard "\(error)".contains("metrics_url") else { throw error }
            try manager.loadModelConfigs(json: launcher.modelsConfig(strategy: strategy, metricsURL: false))
        }
    }
}
