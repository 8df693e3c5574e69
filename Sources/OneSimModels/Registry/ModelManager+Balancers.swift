import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

extension ModelManager {
    /// Configures (or reconfigures) a load balancer, replacing any cached instance of that name.
    ///
    /// With `modelConfigs` nil the members are chosen automatically when the balancer is built:
    /// every config with `modelName` if given, else every config of `modelType`. Names are
    /// checked now; an unknown name or strategy is a configuration error.
    public func configureLoadBalancer(
        modelConfigs: [String]? = nil, strategy: String = "fleet", configName: String = "chat_load_balancer",
        modelType: ModelKind = .chat, modelName: String? = nil, options: [String: JSONValue] = [:]
    ) throws(ModelError) {
        _ = try StrategyName(parsing: strategy)
        let selection: MemberSelection
        if let modelConfigs {
            guard !modelConfigs.isEmpty else {
                throw ModelError(.configuration, "load balancer '\(configName)': modelConfigs is empty", configName: configName)
            }
            selection = .names(modelConfigs)
        } else if let modelName {
            selection = .modelName(modelName, kind: modelType)
        } else {
            selection = .kind(modelType)
        }
        try ConfigParser.validateBalancerOptions(options, configName: configName, requireModels: false) { message in
            ModelError(.configuration, "load balancer '\(configName)': \(message)", configName: configName)
        }
        var options = options
        options["strategy"] = .string(strategy)
        let spec = BalancerSpec(name: configName, kind: modelType, selection: selection, options: options)
        try state.withLock { state throws(ModelError) in
            if let config = state.configs[configName], config.modelType != ConfigParser.balancerType {
                throw ModelError(
                    .configuration, "'\(configName)' is already a model config; give the load balancer another name",
                    configName: configName)
            }
            if case .names(let names) = selection {
                for name in names where state.configs[name] == nil && state.balancerSpecs[name] == nil {
                    let known = Array(state.configs.keys) + Array(state.balancerSpecs.keys)
                    throw ModelError(
                        .configuration,
                        "load balancer '\(configName)': model config '\(name)' not found\(KeySuggestion.hint(for: name, in: known))",
                        configName: configName)
                }
            }
            state.balancerSpecs[configName] = spec
            state.generation &+= 1
            ModelManager.invalidate(&state, changed: [configName], everything: false)
        }
    }

    /// The balancer over every config of `provider` (`"openai"`, `"vllm"`, `"anthropic"`, ...) of
    /// one kind, named `"<provider>_load_balancer"` (`"<provider>_embedding_load_balancer"` for
    /// embeddings) — the original's `get_model(model_type=<provider>)`, without its mixing of
    /// chat and embedding models.
    public func getModel(provider: String, modelType: ModelKind = .chat) throws(ModelError) -> any ModelAdapter {
        let name = modelType == .chat ? "\(provider)_load_balancer" : "\(provider)_embedding_load_balancer"
        return try withBuiltAdapters { state throws(ModelError) -> any ModelAdapter in
            guard !state.configs.isEmpty else {
                throw ModelError(.configuration, "no model configs are loaded; call loadModelConfigs first")
            }
            return try automaticBalancer(
                name, selection: .provider(provider, kind: modelType), kind: modelType, in: &state)
        }
    }

    /// Returns the cached automatic balancer `name`, or builds it from `selection`. A lookup that
    /// finds no members fails and leaves nothing behind.
    func automaticBalancer(
        _ name: String, selection: MemberSelection, kind: ModelKind, in state: inout State
    ) throws(ModelError) -> any ModelAdapter {
        if let cached = state.instances[name] { return cached }
        if state.balancerSpecs[name] != nil { return try instance(name, in: &state, visiting: []) }
        let spec = BalancerSpec(name: name, kind: kind, selection: selection, options: [:])
        let balancer = try buildBalancer(spec, in: &state, visiting: [name])
        state.balancerSpecs[name] = spec  // remembered only once it worked
        return balancer
    }

    /// The member names of `spec` under the current configs.
    func memberNames(of spec: BalancerSpec, in state: State) -> [String] {
        func isModel(_ name: String) -> Bool { state.configs[name]?.modelType != ConfigParser.balancerType }
        switch spec.selection {
        case .names(let names):
            return names
        case .kind(let kind):
            return state.order.filter { isModel($0) && self.kind(of: $0, in: state) == kind }
        case .modelName(let model, let kind):
            return state.order.filter { name in
                guard isModel(name), let config = state.configs[name], config.resolvedModelName == model else { return false }
                return kind == nil || self.kind(of: name, in: state) == kind
            }
        case .provider(let provider, let kind):
            return state.order.filter { name in
                guard isModel(name), let config = state.configs[name],
                    let descriptor = registry.descriptor(for: config.modelType)
                else { return false }
                return descriptor.provider == provider && descriptor.kind == kind
            }
        }
    }

    /// Builds the balancer of `spec`, its members (recursively, detecting cycles) and fallbacks.
    func buildBalancer(_ spec: BalancerSpec, in state: inout State, visiting: [String]) throws(ModelError) -> any ModelAdapter {
        let names = memberNames(of: spec, in: state)
        guard !names.isEmpty else {
            throw ModelError(
                .configuration, "load balancer '\(spec.name)': no models found for \(describe(spec.selection))",
                configName: spec.name)
        }
        var members: [BalancerMember] = []
        var limiters: [DeploymentLimiter] = []
        var dependencies = Set(names)
        for name in names {
            let adapter = try instance(name, in: &state, visiting: visiting)
            dependencies.formUnion(state.dependencies[name] ?? [])
            let deployment = try deploymentSettings(of: state.configs[name], member: name)
            members.append(BalancerMember(adapter: adapter, deployment: deployment))
            limiters.append(limiter(for: name, deployment, in: &state))
        }
        let kinds = Set(members.map(\.adapter.kind))
        guard kinds.count == 1, let kind = kinds.first else {
            throw ModelError(
                .configuration, "load balancer '\(spec.name)' mixes chat and embedding models: \(names.joined(separator: ", "))",
                configName: spec.name)
        }
        if let expected = spec.kind, expected != kind {
            throw ModelError(
                .configuration, "load balancer '\(spec.name)' is for \(expected.rawValue) models but its members are \(kind.rawValue) models",
                configName: spec.name)
        }
        var fallbacks: [any ModelAdapter] = []
        for name in spec.options["fallbacks"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            fallbacks.append(try instance(name, in: &state, visiting: visiting))
            dependencies.insert(name)
            dependencies.formUnion(state.dependencies[name] ?? [])
        }
        let settings = try balancerSettings(spec)
        let budget = try BudgetLimits.configured(in: spec.options, configName: spec.name).map {
            UsageBudget(name: spec.name, limits: $0, prices: PriceTable.configuredPrices(in: state.configs.values))
        }
        var modelName: String?
        if case .modelName(let name, _) = spec.selection { modelName = name }
        let balancer = LoadBalancer(
            configName: spec.name, kind: kind, members: members, settings: settings, fallbacks: fallbacks,
            modelName: modelName, balancerClock: limiterClock, metricsFactory: nil, randomSeed: nil, budget: budget,
            limiters: limiters)
        state.instances[spec.name] = balancer
        state.dependencies[spec.name] = dependencies
        return balancer
    }

    /// The one limiter of deployment `name`, with its limits brought up to `settings`.
    func limiter(for name: String, _ settings: DeploymentSettings, in state: inout State) -> DeploymentLimiter {
        let limiter: DeploymentLimiter
        if let existing = state.limiters[name] {
            existing.update(settings, now: limiterClock.now())
            limiter = existing
        } else {
            limiter = DeploymentLimiter(name: name, settings: settings, now: limiterClock.now())
            state.limiters[name] = limiter
        }
        updateScraper(for: name, settings, limiter: limiter, in: &state)
        return limiter
    }

    /// Starts, restarts (new URL or interval) or stops deployment `name`'s `metrics_url` scraper.
    private func updateScraper(for name: String, _ settings: DeploymentSettings, limiter: DeploymentLimiter, in state: inout State) {
        let current = state.scrapers[name]
        guard let url = settings.metricsURL else {
            current?.stop()
            state.scrapers[name] = nil
            return
        }
        if let current, current.url == url, current.interval == max(settings.metricsInterval, DeploymentSettings.minimumMetricsInterval) {
            return
        }
        current?.stop()
        state.scrapers[name] = ServerMetricsScraper(
            url: url, interval: settings.metricsInterval, limiter: limiter, transport: transport, clock: limiterClock)
    }

    private func describe(_ selection: MemberSelection) -> String {
        switch selection {
        case .names(let names): return names.joined(separator: ", ")
        case .kind(let kind): return "model type '\(kind.rawValue)'"
        case .modelName(let name, let kind): return "model name '\(name)'" + (kind.map { " (\($0.rawValue))" } ?? "")
        case .provider(let provider, let kind): return "provider '\(provider)' (\(kind.rawValue))"
        }
    }

    func deploymentSettings(of config: ModelConfig?, member: String) throws(ModelError) -> DeploymentSettings {
        guard let options = config?.options else { return .default }
        var d = DeploymentSettings()
        if let w = options["weight"]?.doubleValue { d.weight = w }
        d.rpm = options["rpm"]?.intValue
        d.tpm = options["tpm"]?.intValue
        d.maxConcurrency = options["max_concurrency"]?.intValue
        d.cooldownTime = options["cooldown_time"]?.doubleValue.flatMap { Duration.clamped(seconds: $0) }
        d.metricsURL = options["metrics_url"]?.stringValue
        if let t = options["metrics_interval"]?.doubleValue, t.isFinite, t >= 0.05, let interval = Duration.clamped(seconds: t) {
            d.metricsInterval = interval
        }
        try d.validate(member: member)
        return d
    }

    func balancerSettings(_ spec: BalancerSpec) throws(ModelError) -> BalancerSettings {
        var s = BalancerSettings()
        if let name = spec.options["strategy"]?.stringValue {
            do { s.strategy = try BalancerStrategy(parsing: name) } catch {
                var error = error
                error.message = "load balancer '\(spec.name)': \(error.message)"
                error.configName = spec.name
                throw error
            }
        }
        if let n = spec.options["max_retries"]?.intValue { s.retryPolicy.maxRetries = n }
        if let n = spec.options["allowed_fails"]?.intValue { s.allowedFails = n }
        if let t = spec.options["cooldown_time"]?.doubleValue, let d = Duration.clamped(seconds: t) { s.cooldownTime = d }
        if let t = spec.options["queue_timeout"]?.doubleValue, let d = Duration.clamped(seconds: t) { s.queueTimeout = d }
        if let p = spec.options["panic_threshold"]?.doubleValue { s.panicThreshold = p }
        if let n = spec.options["lookahead"]?.intValue { s.fleet.lookahead = n }
        if let n = spec.options["max_skips"]?.intValue { s.fleet.maxSkips = n }
        if let n = spec.options["balance_abs_threshold"]?.intValue { s.fleet.balanceAbsThreshold = n }
        if let n = spec.options["prefix_index_blocks"]?.intValue { s.fleet.prefixIndexBlocks = n }
        if let x = spec.options["balance_rel_threshold"]?.doubleValue { s.fleet.balanceRelThreshold = x }
        if let x = spec.options["affinity_load_factor"]?.doubleValue { s.fleet.affinityLoadFactor = x }
        try s.validate(balancer: spec.name)
        return s
    }
}
