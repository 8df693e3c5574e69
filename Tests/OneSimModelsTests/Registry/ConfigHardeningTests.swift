import Foundation
import OneSimModelsSimulator
import PropertyBased
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Config values from files are untrusted: out-of-range numbers are clamped where the meaning
/// is clear ("practically forever") and otherwise refused with an error naming the source, the
/// config and the key; nothing loaded can trap later.
@Suite("Config values out of range")
struct ConfigHardeningTests {
    func loadError(_ json: String, source: String = "models.json", env: [String: String] = [:]) -> ModelError? {
        do {
            try ModelManager(environment: env).loadModelConfigs(data: Data(json.utf8), source: source)
            return nil
        } catch { return error }
    }

    @Test(arguments: ["1e10", "9.3e15", "1e300", "1e309", "99999999999999999999"])
    func hugeDurationsMeanForever(_ value: String) throws {
        let manager = ModelManager(environment: [:])
        try manager.loadModelConfigs(json: """
            [{"config_name": "a", "model_type": "openai_chat", "cooldown_time": \(value),
              "client_args": {"timeout": \(value), "connect_timeout": \(value), "read_timeout": \(value)}},
             {"config_name": "b", "model_type": "openai_chat", "client_args": {"timeout": {"connect": \(value), "read": \(value), "total": \(value)}}},
             {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "cooldown_time": \(value), "queue_timeout": \(value)}]
            """)
        let a = try #require(manager.getConfig("a"))
        #expect(a.clientArgs.timeout.total == .practicallyForever)
        #expect(a.clientArgs.timeout.connect == .practicallyForever)
        #expect(a.clientArgs.timeout.read == .practicallyForever)
        #expect(manager.getConfig("b")?.clientArgs.timeout.total == .practicallyForever)
        #expect(try manager.getModel(configName: "lb").configName == "lb")
    }

    @Test(arguments: ["-1", "-1e309", "\"5\"", "[]"])
    func badDurationsNameTheKey(_ value: String) {
        let error = loadError(#"{"config_name": "a", "model_type": "openai_chat", "client_args": {"timeout": {"total": \#(value)}}}"#)
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("models.json") == true)
        #expect(error?.message.contains("config 'a'") == true)
        #expect(error?.message.contains("client_args.timeout.total") == true)
    }

    @Test func nullDurationsMeanNotSet() throws {
        let manager = ModelManager(environment: [:])
        try manager.loadModelConfigs(json: """
            [{"config_name": "a", "model_type": "openai_chat", "client_args": {"timeout": {"connect": null, "read": null, "total": null},
              "connect_timeout": null, "read_timeout": null}},
             {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], "cooldown_time": null, "queue_timeout": null}]
            """)
        #expect(manager.getConfig("a")?.clientArgs.timeout == .default)
        #expect(try manager.getModel(configName: "lb").configName == "lb")
    }

    /// `"timeout": 1e10` loaded, then the first request: the conversion to NIO's time amount
    /// used to overflow and trap.
    @Test func foreverTimeoutsWorkOverHTTP() async throws {
        try await withSimulator { simulator, manager in
            try manager.loadModelConfigs(json: """
                [\(chatConfig("a", simulator, clientExtra: #", "timeout": 1e10"#)),
                 \(chatConfig("b", simulator, clientExtra: #", "timeout": {"connect": 1e12, "read": 1e12, "total": 1e309}"#))]
                """)
            #expect(try await manager.getModel(configName: "a").acall("hi").text?.isEmpty == false)
            #expect(try await manager.getModel(configName: "b").acall("hi").text?.isEmpty == false)
            #expect(try await manager.getModel(configName: "a").acall("hi", options: CallOptions(timeout: .seconds(1e15))).text?.isEmpty == false)
            var streamed = ""
            for try await delta in try await manager.getModel(configName: "b").stream("hi") { streamed += delta.text }
            #expect(!streamed.isEmpty)
        }
    }

    @Test func configureLoadBalancerChecksItsOptions() throws {
        let manager = ModelManager(environment: [:])
        try manager.loadModelConfigs(json: #"[{"config_name": "a", "model_type": "openai_chat"}]"#)
        for (key, value) in [("queue_timeout", JSONValue.double(-1)), ("cooldown_time", .string("5")), ("max_retries", .double(1e20)),
            ("allowed_fails", .int(-3)), ("max_cost_usd", .double(.infinity))]
        {
            #expect(throws: ModelError.self, "\(key)") {
                try manager.configureLoadBalancer(modelConfigs: ["a"], configName: "lb", options: [key: value])
            }
        }
        try manager.configureLoadBalancer(
            modelConfigs: ["a"], configName: "lb", options: ["queue_timeout": .double(1e300), "cooldown_time": .double(.infinity)])
        #expect(try manager.getModel(configName: "lb").configName == "lb")
    }

    @Test(arguments: ["http://127.0.0.1:99999/v1", "http://127.0.0.1:-1/v1", "http://127.0.0.1:0/v1", "http://[::1]:70000/v1",
        "http://user:sk-live-SECRET-70@127.0.0.1:123456/v1", "ftp://127.0.0.1/v1", "http:///v1", "http://127.0.0.1:8x/v1"])
    func badBaseURLsAreRefusedAtLoad(_ url: String) {
        let error = loadError(#"{"config_name": "a", "model_type": "openai_chat", "client_args": {"base_url": "\#(url)"}}"#)
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("client_args.base_url") == true)
        #expect(error?.message.contains("SECRET") == false)
    }

    @Test(arguments: ["http://127.0.0.1:8080/v1", "https://api.openai.com/v1", "http://[::1]:65535", "HTTP://localhost", "http://u:p@h:1/x?y#z"])
    func goodBaseURLsLoad(_ url: String) {
        #expect(URLCheck.problem(in: url) == nil)
        #expect(loadError(#"{"config_name": "a", "model_type": "openai_chat", "client_args": {"base_url": "\#(url)"}}"#) == nil)
    }

    /// A base URL from the environment is not checked at load time, so the transport checks
    /// every request: a bad port is a configuration error, not a trap inside NIO.
    @Test func badPortFromTheEnvironmentFailsTheCall() async throws {
        let manager = ModelManager(environment: ["OPENAI_BASE_URL": "http://127.0.0.1:99999/v1"])
        try manager.loadModelConfigs(json: #"{"config_name": "a", "model_type": "openai_chat"}"#)
        let error = await captureModelError { _ = try await manager.getModel(configName: "a").acall("hi") }
        #expect(error?.kind == .configuration)
        await manager.shutdown()
    }

    @Test func messagesACLIUserCanActOn() {
        for json in ["[]", #"{"chat": []}"#, #"{"chat": [], "embedding": []}"#] {
            let error = loadError(json)
            #expect(error?.message.contains("models.json") == true, "\(json)")
            #expect(error?.message.contains("no model configs") == true, "\(json)")
        }
        let rpm = loadError(#"{"config_name": "a", "model_type": "openai_chat", "rpm": 1e309}"#)
        #expect(rpm?.message.contains("rpm") == true)
        #expect(rpm?.message.contains("null") == false)
        #expect(rpm?.message.contains("out of range") == true)
        #expect(loadError(#"{"config_name": "a", "model_type": "openai_chat", "weight": 0}"#) == nil)
        #expect(loadError(#"{"config_name": "a", "model_type": "openai_chat", "weight": -1}"#)?.message.contains("weight") == true)
    }

    @Test func notFoundDoesNotSuggestAnotherKindsOneLetterName() throws {
        let manager = ModelManager(environment: [:])
        try manager.loadModelConfigs(json: #"{"embedding": [{"config_name": "e", "model_type": "openai_embedding"}]}"#)
        let error = #expect(throws: ModelError.self) { try manager.getModel(configName: "x") }
        #expect(error?.message.contains("did you mean") == false)
        #expect(error?.message.contains("chat: none; embedding: e") == true, "\(error?.message ?? "")")
        #expect(KeySuggestion.nearest(to: "gpt4o", in: ["gpt-4o", "e"]) == "gpt-4o")
    }

    @Test func invalidUTF8IsRefusedWithItsPosition() {
        var bytes = Array(#"{"config_name": "a", "model_type": "openai_chat","#.utf8) + [0x0A]
        bytes += Array(#" "api_key": "sk-"#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        do {
            try ModelManager(environment: [:]).loadModelConfigs(data: Data(bytes), source: "models.json")
            Issue.record("invalid UTF-8 loaded")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("models.json: invalid UTF-8 at line 2, column 17"), "\(error.message)")
        }
    }

    /// 1,200 randomly mutated config files: each loads or fails with a configuration error,
    /// and every one that loads serves a request over HTTP (127.0.0.1 only) without trapping.
    @Test func mutatedConfigsNeverTrap() async throws {
        try await withSimulator { simulator, _ in
            let base = """
                {"chat": [
                  {"config_name": "a", "model_type": "openai_chat", "model_name": "sim-chat", "api_key": "sk-x",
                   "client_args": {"base_url": "\(simulator.baseURL)", "timeout": 30, "max_retries": 0},
                   "rpm": 1000, "tpm": 100000, "max_concurrency": 8, "weight": 1, "cooldown_time": 1},
                  {"config_name": "b", "model_type": "vllm_chat", "model_name": "sim-chat",
                   "client_args": {"base_url": "\(simulator.baseURL)", "timeout": {"connect": 5, "read": 30, "total": 30}}},
                  {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "least_busy",
                   "max_retries": 1, "allowed_fails": 2, "cooldown_time": 1, "queue_timeout": 10}
                ]}
                """
            let original = try JSONCodec.parse(base)
            let mutations = Generator<UInt64, Shrink.None<UInt64>> { rng in rng.next() }
            var loaded = 0
            await propertyCheck(count: 1_200, input: mutations) { seed in
                var rng = OneSimModelsRouting.SplitMix64(seed: seed)
                let mutated = ConfigMutator.mutate(original, rng: &rng)
                let manager = ModelManager(environment: [:])
                do {
                    try manager.loadModelConfigs(data: Data(JSONCodec.encode(mutated)), source: "mutated.json")
                } catch let error as ModelError {
                    #expect(error.kind == .configuration, "\(error)")
                    await manager.shutdown()
                    return
                } catch {
                    Issue.record("unexpected error \(error)")
                    await manager.shutdown()
                    return
                }
                loaded += 1
                // Keep every request on the simulator: skip configs whose URL was mutated away.
                func onSimulator(_ name: String) -> Bool {
                    manager.getConfig(name)?.clientArgs.baseURL?.hasPrefix(simulator.baseURL) == true
                }
                for name in ["a", "b", "lb"] where name == "lb" ? onSimulator("a") && onSimulator("b") : onSimulator(name) {
                    guard let model = try? manager.getModel(configName: name), model.kind == .chat else { continue }
                    _ = try? await model.acall("hi", options: CallOptions(timeout: .seconds(30), maxRetries: 0))
                }
                await manager.shutdown()
            }
            #expect(loaded > 100, "too few mutations loaded (\(loaded)) for the property to mean much")
        }
    }
}

/// Random edits of a config tree: numbers replaced by hostile numbers, strings by odd
/// strings, keys dropped, values swapped for other types.
enum ConfigMutator {
    static let hostileNumbers: [JSONValue] = [
        .double(1e10), .double(9.3e15), .double(1e300), .double(.infinity), .double(-.infinity), .double(-1), .int(0),
        .int(-1), .int(.max), .int(.min), .double(1e-300), .double(0.5), .double(9.2e18), .double(-9.3e15), .int(99999),
    ]
    static let hostileStrings: [JSONValue] = [
        .string(""), .string("0x10"), .string("http://127.0.0.1:99999/v1"), .string("${UNSET_VAR}"), .string("inf"),
        .string(String(repeating: "x", count: 5000)), .string("least_busy"), .string("nope"), .string("http://[::1]:0"),
    ]

    static func mutate(_ value: JSONValue, rng: inout OneSimModelsRouting.SplitMix64) -> JSONValue {
        var value = value
        for _ in 0..<(1 + Int(rng.next() % 3)) { value = mutateOnce(value, rng: &rng, depth: 0) }
        return value
    }

    private static func mutateOnce(_ value: JSONValue, rng: inout OneSimModelsRouting.SplitMix64, depth: Int) -> JSONValue {
        switch value {
        case .object(var object) where !object.isEmpty:
            let keys = object.keys.sorted()
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            switch rng.next() % 8 {
            case 0: object[key] = nil
            case 1: object[key] = hostileNumbers[Int(rng.next() % UInt64(hostileNumbers.count))]
            case 2: object[key] = hostileStrings[Int(rng.next() % UInt64(hostileStrings.count))]
            default: object[key] = mutateOnce(object[key] ?? .null, rng: &rng, depth: depth + 1)
            }
            return .object(object)
        case .array(var items) where !items.isEmpty:
            let i = Int(rng.next() % UInt64(items.count))
            if rng.next() % 6 == 0 { items.remove(at: i) } else { items[i] = mutateOnce(items[i], rng: &rng, depth: depth + 1) }
            return .array(items)
        case .int, .double:
            return hostileNumbers[Int(rng.next() % UInt64(hostileNumbers.count))]
        case .string:
            return rng.next() % 2 == 0 ? hostileStrings[Int(rng.next() % UInt64(hostileStrings.count))] : .array([value])
        default:
            return hostileNumbers[Int(rng.next() % UInt64(hostileNumbers.count))]
        }
    }
}
