import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

import Foundation
import Logging
import Synchronization

/// The registry of model configs and the adapters built from them.
///
/// One manager owns one pooled HTTP transport shared by all of its adapters, and caches one
/// adapter per config name, so `getModel(configName:)` returns the same instance every time
/// until the configs change. Use the shared instance (`getModelManager()`), or make your own
/// (tests do) and call `shutdown()` when done. Safe to use from many tasks at once: state sits
/// behind a `Mutex` and nothing awaits while holding it.
public final class ModelManager: Sendable {
    struct State {
        /// Model and balancer configs by name.
        var configs: [String: ModelConfig] = [:]
        /// Config names in load order (balancer membership follows it).
        var order: [String] = []
        /// Balancers configured by `configureLoadBalancer` or found by automatic lookups.
        var balancerSpecs: [String: BalancerSpec] = [:]
        /// Built adapters and balancers by name.
        var instances: [String: any ModelAdapter] = [:]
        /// Adapters of configs with limits as `getModel(configName:)` returns them: behind the
        /// deployment's limiter (balancers use the plain adapter and the same limiter).
        var limited: [String: any ModelAdapter] = [:]
        /// How long a call to a deployment used directly waits for its limits (see
        /// `LimitedAdapter`; `nil`: the balancer default), for adapters built after it is set;
        /// kept across `cleared()`. Tests on a loaded machine raise it, so they wait for events,
        /// not against this timer.
        var directQueueTimeout: Duration?
        /// For each cached balancer: every config name it depends on (transitively).
        var dependencies: [String: Set<String>] = [:]
        /// One limiter per deployment (config name), shared by every balancer over it; kept
        /// across reloads so rebuilt balancers count the calls still in flight.
        var limiters: [String: DeploymentLimiter] = [:]
        /// The `metrics_url` scraper of each deployment that has one (kept with the limiters).
        var scrapers: [String: ServerMetricsScraper] = [:]
        /// Bumped whenever configs or balancers change (an adapter built outside the lock is
        /// cached only if nothing changed meanwhile).
        var generation: UInt64 = 0
        /// Set by a lookup that found a config whose adapter is not built yet.
        var needed: AdapterRequest?

        /// A fresh state that keeps the deployment limiters (and the direct queue timeout).
        func cleared() -> State {
            var fresh = State()
            fresh.limiters = limiters
            fresh.scrapers = scrapers
            fresh.directQueueTimeout = directQueueTimeout
            fresh.generation = generation &+ 1
            return fresh
        }
    }

    /// An adapter a lookup needs, to be built outside the lock.
    struct AdapterRequest: Sendable {
        let name: String
        let config: ModelConfig
        let descriptor: ModelTypeDescriptor
        let generation: UInt64
    }

    /// The clock of the deployment limiters and of the balancers the manager builds (one time
    /// base for all of them).
    let limiterClock = BalancerClock(ContinuousClock())

    let state = Mutex(State())
    /// Registered model types; register your own before loading configs that use them.
    public let registry: ModelTypeRegistry
    /// The shared, pooled HTTP transport.
    package let transport: HTTPTransport
    /// Token usage of every call made through this manager.
    public let tokenTracker: TokenUsageTracker
    /// Environment used for `${VAR}` expansion and key fallbacks.
    public let environment: [String: String]
    /// The spending limit of every call made through this manager, if one was set.
    public let budget: UsageBudget?
    let logger: Logger

    /// A manager with its own HTTP client pool. With a `responder`, requests never reach the
    /// network: the responder answers each one in process (offline runs, library benchmarks).
    public init(
        httpSettings: HTTPSettings = HTTPSettings(), environment: [String: String] = ProcessInfo.processInfo.environment,
        registry: ModelTypeRegistry = ModelTypeRegistry(), tokenTracker: TokenUsageTracker = TokenUsageTracker(),
        budget: BudgetLimits? = nil, logger: Logger = Logger(label: "onesim.models"),
        responder: (any LocalResponder)? = nil
    ) {
        self.budget = budget.map { UsageBudget(name: "manager", limits: $0) }
        self.transport = HTTPTransport(settings: httpSettings, responder: responder)
        self.environment = environment
        self.registry = registry
        self.tokenTracker = tokenTracker
        self.logger = logger
    }

    /// The process-wide manager behind `getModelManager()`.
    public static let shared = ModelManager()

    var context: ProviderContext {
        ProviderContext(
            transport: transport, recorder: tokenTracker, environment: environment, logger: logger, budget: budget)
    }

    /// Closes the HTTP connections. Calls made afterwards fail.
    public func shutdown() async {
        let scrapers = state.withLock { state -> [ServerMetricsScraper] in
            defer { state.scrapers = [:] }
            return Array(state.scrapers.values)
        }
        for scraper in scrapers { scraper.stop() }
        await transport.shutdown()
    }

    // MARK: Loading

    /// Loads configs from a JSON file (one config, an array, or `{"chat": [...], "embedding": [...]}`).
    public func loadModelConfigs(path: String, clearExisting: Bool = false) throws(ModelError) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw ModelError(.configuration, "config file '\(path)' \(reason)")
        }
        try loadModelConfigs(data: data, source: path, clearExisting: clearExisting)
    }

    /// Loads configs from JSON bytes.
    public func loadModelConfigs(data: Data, source: String = "JSON", clearExisting: Bool = false) throws(ModelError) {
        if let problem = ConfigParser.invalidUTF8(in: data) {
            throw ModelError(.configuration, "\(source): \(problem)")
        }
        let value: JSONValue
        do { value = try JSONCodec.parse(data) } catch {
            throw ModelError(.configuration, "\(source): invalid JSON at \(error)")
        }
        try loadModelConfigs(value, source: source, clearExisting: clearExisting)
    }

    /// Loads configs from JSON text.
    public func loadModelConfigs(json: String, clearExisting: Bool = false) throws(ModelError) {
        try loadModelConfigs(data: Data(json.utf8), source: "JSON", clearExisting: clearExisting)
    }

    /// Loads configs from a JSON value: one config object, an array, or the categorised shape.
    public func loadModelConfigs(_ value: JSONValue, source: String = "JSON", clearExisting: Bool = false) throws(ModelError) {
        let parser = ConfigParser(source: source, environment: environment, registry: registry)
        try commit(try parser.parse(value), clearExisting: clearExisting)
    }

    /// Loads already-built configs (validated like JSON ones: known model types, unique names).
    public func loadModelConfigs(_ configs: [ModelConfig], clearExisting: Bool = false) throws(ModelError) {
        var seen = Set<String>()
        for config in configs {
            guard !seen.contains(config.configName) else {
                throw ModelError(.configuration, "config name '\(config.configName)' is used twice")
            }
            seen.insert(config.configName)
            guard config.modelType == ConfigParser.balancerType || registry.descriptor(for: config.modelType) != nil else {
                throw ModelError(.configuration, "config '\(config.configName)': unknown model_type '\(config.modelType)'")
            }
        }
        try commit(configs, clearExisting: clearExisting)
    }

    /// Adds all configs at once, replacing same-named ones, and drops cached instances they affect.
    private func commit(_ configs: [ModelConfig], clearExisting: Bool) throws(ModelError) {
        try state.withLock { state throws(ModelError) in
            var next = clearExisting ? state.cleared() : state
            next.generation &+= 1
            for config in configs {
                if let spec = next.balancerSpecs[config.configName], !spec.isDeclared {
                    throw ModelError(
                        .configuration,
                        "config '\(config.configName)' has the name of a configured load balancer; choose another name")
                }
                if next.configs[config.configName] == nil { next.order.append(config.configName) }
                next.configs[config.configName] = config
                if config.modelType == ConfigParser.balancerType {
                    next.balancerSpecs[config.configName] = BalancerSpec(declared: config)
                }
            }
            Self.invalidate(&next, changed: Set(configs.map(\.configName)), everything: clearExisting)
            state = next
        }
        budget?.setPrices(PriceTable.configuredPrices(in: state.withLock { Array($0.configs.values) }))
        logger.debug("loaded \(configs.count) model configs")
    }

    /// Removes every config, balancer and cached instance.
    public func clearConfigs() {
        state.withLock { $0 = $0.cleared() }
    }

    /// Drops cached instances of `changed` configs and of balancers that depend on them or
    /// select members automatically.
    static func invalidate(_ state: inout State, changed: Set<String>, everything: Bool) {
        if everything {
            state.instances = [:]
            state.limited = [:]
            state.dependencies = [:]
            return
        }
        for name in changed {
            state.instances[name] = nil
            state.limited[name] = nil
        }
        for (name, deps) in state.dependencies {
            let auto = state.balancerSpecs[name]?.isAutomatic ?? false
            if auto || !deps.isDisjoint(with: changed) || changed.contains(name) {
                state.instances[name] = nil
                state.dependencies[name] = nil
            }
        }
    }

    // MARK: Queries

    /// The config named `name` with its API key redacted, or `nil`.
    public func getConfig(_ name: String) -> ModelConfig? {
        state.withLock { $0.configs[name]?.redacted }
    }

    /// Every loaded config (keys redacted), by name.
    public var modelConfigs: [String: ModelConfig] {
        state.withLock { $0.configs.mapValues(\.redacted) }
    }

    /// Names of the loaded configs of `kind`, in load order (balancers excluded).
    public func getModelNamesByType(_ kind: ModelKind) -> [String] {
        state.withLock { state in state.order.filter { name in self.kind(of: name, in: state) == kind && state.configs[name]?.modelType != ConfigParser.balancerType } }
    }

    /// Loaded configs of `kind` (keys redacted), in load order.
    public func getConfigsByType(_ kind: ModelKind) -> [ModelConfig] {
        let names = getModelNamesByType(kind)
        return state.withLock { state in names.compactMap { state.configs[$0]?.redacted } }
    }

    /// The default balancer name for a kind: `"chat_load_balancer"` or `"embedding_load_balancer"`.
    public func getModelConfigName(_ kind: ModelKind) -> String { "\(kind.rawValue)_load_balancer" }

    func kind(of name: String, in state: State) -> ModelKind? {
        guard let config = state.configs[name] else { return state.balancerSpecs[name]?.kind }
        if config.modelType == ConfigParser.balancerType { return state.balancerSpecs[name]?.kind }
        return registry.descriptor(for: config.modelType)?.kind
    }

    // MARK: Lookup

    /// The model for `configName` (a plain config or a balancer), the same instance each time
    /// until configs change. With no name: the balancer for `modelName` (named
    /// `"<modelName>_load_balancer"`), else the default balancer of `modelType` (chat when nil).
    public func getModel(configName: String? = nil, modelType: ModelKind? = nil, modelName: String? = nil) throws(ModelError) -> any ModelAdapter {
        try withBuiltAdapters { state throws(ModelError) -> any ModelAdapter in
            guard !state.configs.isEmpty else {
                throw ModelError(.configuration, "no model configs are loaded; call loadModelConfigs first")
            }
            if let configName {
                return try self.directInstance(configName, in: &state)
            }
            if let modelName {
                let name = modelType.map { "\(modelName)_\($0.rawValue)_load_balancer" } ?? "\(modelName)_load_balancer"
                return try self.automaticBalancer(
                    name, selection: .modelName(modelName, kind: modelType), kind: modelType ?? .chat, in: &state)
            }
            let kind = modelType ?? .chat
            return try self.automaticBalancer(
                getModelConfigName(kind), selection: .kind(kind), kind: kind, in: &state)
        }
    }

    /// The embedding model `configName`, or the default embedding balancer. Fails when the
    /// named model is not an embedding model.
    public func getEmbeddingModel(configName: String? = nil) throws(ModelError) -> any ModelAdapter {
        let model = try getModel(configName: configName, modelType: configName == nil ? .embedding : nil)
        guard model.kind == .embedding else {
            throw ModelError(.configuration, "'\(model.configName)' is a \(model.kind.rawValue) model, not an embedding model")
        }
        return model
    }

    /// `"chat: a, b; embedding: e"`: the loaded configs and balancers by kind (at most ten of
    /// each), for "not found" messages.
    func loadedNames(in state: State) -> String {
        ModelKind.allCases.map { kind in
            let names = (state.order + state.balancerSpecs.keys.sorted().filter { state.configs[$0] == nil })
                .filter { self.kind(of: $0, in: state) == kind }
            let shown = names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", …" : "")
            return "\(kind.rawValue): \(names.isEmpty ? "none" : shown)"
        }.joined(separator: "; ")
    }

    /// Builds or returns the cached instance named `name`.
    func instance(_ name: String, in state: inout State, visiting: [String]) throws(ModelError) -> any ModelAdapter {
        if let cached = state.instances[name] { return cached }
        if visiting.contains(name) {
            throw ModelError(
                .configuration, "load balancer cycle: \((visiting + [name]).joined(separator: " → "))", configName: name)
        }
        if let spec = state.balancerSpecs[name] {
            return try buildBalancer(spec, in: &state, visiting: visiting + [name])
        }
        guard let config = state.configs[name] else {
            let known = Array(state.configs.keys) + Array(state.balancerSpecs.keys)
            throw ModelError(
                .configuration,
                "model config '\(name)' not found\(KeySuggestion.hint(for: name, in: known)) (loaded: \(loadedNames(in: state)))",
                configName: name)
        }
        guard let descriptor = registry.descriptor(for: config.modelType) else {
            throw ModelError(.configuration, "config '\(name)': unknown model_type '\(config.modelType)'", configName: name)
        }
        // The factory may be user code (it may even call `getModel`): it runs outside the lock.
        state.needed = AdapterRequest(name: name, config: config, descriptor: descriptor, generation: state.generation)
        throw ModelError(.configuration, "model '\(name)' is not built yet", configName: name)
    }

    /// The model `name` as used directly: a balancer, or an adapter that is behind its
    /// deployment's shared limiter when its config sets `max_concurrency`, `rpm` or `tpm`.
    func directInstance(_ name: String, in state: inout State) throws(ModelError) -> any ModelAdapter {
        if let limited = state.limited[name] { return limited }
        let adapter = try instance(name, in: &state, visiting: [])
        guard adapter as? LoadBalancer == nil, let config = state.configs[name], config.modelType != ConfigParser.balancerType else {
            return adapter
        }
        let deployment = try deploymentSettings(of: config, member: name)
        guard deployment.maxConcurrency != nil || deployment.rpm != nil || deployment.tpm != nil else { return adapter }
        let limited = LimitedAdapter(
            inner: adapter, deployment: deployment, limiter: limiter(for: name, deployment, in: &state), clock: limiterClock,
            queueTimeout: state.directQueueTimeout)
        state.limited[name] = limited
        return limited
    }

    /// Runs a lookup under the lock; when it needs an adapter that is not built yet, builds it
    /// outside the lock (model-type factories are user code), caches it unless the configs
    /// changed meanwhile, and runs the lookup again.
    func withBuiltAdapters<T: Sendable>(_ body: (inout State) throws(ModelError) -> T) throws(ModelError) -> T {
        for _ in 0..<10_000 {
            let (result, request) = state.withLock { state -> (Result<T, ModelError>, AdapterRequest?) in
                state.needed = nil
                do throws(ModelError) {
                    return (.success(try body(&state)), nil)
                } catch {
                    defer { state.needed = nil }
                    return (.failure(error), state.needed)
                }
            }
            guard let request else { return try result.get() }
            let adapter: any ModelAdapter
            do { adapter = try request.descriptor.make(request.config, context) } catch let error as ModelError { throw error } catch {
                throw ModelError(.configuration, "config '\(request.name)': \(error)", configName: request.name)
            }
            state.withLock { state in
                if state.generation == request.generation && state.instances[request.name] == nil {
                    state.instances[request.name] = adapter
                }
            }
        }
        throw ModelError(.configuration, "the model configs kept changing while models were being built; try again")
    }
}
