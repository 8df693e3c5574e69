import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Balancer lookup rules")
struct BalancerLookupTests {
    let configs = """
        [{"config_name": "gpt-4-a", "model_type": "openai_chat", "model_name": "gpt-4"},
         {"config_name": "gpt-4-b", "model_type": "openai_chat", "model_name": "gpt-4"},
         {"config_name": "mini", "model_type": "openai_chat", "model_name": "gpt-4o-mini"},
         {"config_name": "emb", "model_type": "openai_embedding", "model_name": "text-embedding-3-small"}]
        """

    func members(_ model: any ModelAdapter) -> [String] { (model as! LoadBalancer).memberNames }

    @Test func defaultsAreTheKindBalancersOverEveryConfigOfThatKind() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        let chat = try m.getModel()
        #expect(chat.configName == "chat_load_balancer")
        #expect(members(chat) == ["gpt-4-a", "gpt-4-b", "mini"])
        #expect(try m.getModel() as AnyObject === chat as AnyObject)
        let emb = try m.getModel(modelType: .embedding)
        #expect(emb.configName == "embedding_load_balancer")
        #expect(emb.kind == .embedding)
        #expect(try m.getEmbeddingModel() as AnyObject === emb as AnyObject)
    }

    @Test func modelNameLookupRoundTripsThroughItsName() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        let lb = try m.getModel(modelName: "gpt-4")
        #expect(lb.configName == "gpt-4_load_balancer")
        #expect(lb.modelName == "gpt-4")
        #expect(members(lb) == ["gpt-4-a", "gpt-4-b"])
        #expect(try m.getModel(configName: "gpt-4_load_balancer") as AnyObject === lb as AnyObject)
    }

    @Test func providerBalancersKeepChatAndEmbeddingApart() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        try m.loadModelConfigs(json: #"{"config_name": "local", "model_type": "vllm_chat", "model_name": "qwen"}"#)
        let openai = try m.getModel(provider: "openai")
        #expect(openai.configName == "openai_load_balancer")
        #expect(members(openai) == ["gpt-4-a", "gpt-4-b", "mini"])
        #expect(members(try m.getModel(provider: "openai", modelType: .embedding)) == ["emb"])
        #expect(members(try m.getModel(provider: "vllm")) == ["local"])
        #expect(try m.getModel(configName: "vllm_load_balancer") as AnyObject === m.getModel(provider: "vllm") as AnyObject)
        #expect(throws: ModelError.self) { try m.getModel(provider: "vllm", modelType: .embedding) }
    }

    @Test func aFailedAutomaticLookupIsNotRemembered() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        #expect(throws: ModelError.self) { try m.getModel(modelName: "claude") }
        try m.loadModelConfigs(json: #"{"config_name": "c1", "model_type": "openai_chat", "model_name": "claude"}"#)
        #expect(members(try m.getModel(modelName: "claude")) == ["c1"])
    }

    @Test func loadingConfigsRebuildsAffectedBalancersOnly() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        try m.configureLoadBalancer(modelConfigs: ["gpt-4-a", "gpt-4-b"], configName: "pair")
        try m.configureLoadBalancer(modelConfigs: ["mini"], configName: "solo")
        let pair = try m.getModel(configName: "pair")
        let solo = try m.getModel(configName: "solo")
        let chat = try m.getModel()
        try m.loadModelConfigs(json: #"{"config_name": "gpt-4-b", "model_type": "openai_chat", "model_name": "gpt-4", "generate_args": {"temperature": 0}}"#)
        #expect(try m.getModel(configName: "pair") as AnyObject !== pair as AnyObject)
        #expect(try m.getModel(configName: "solo") as AnyObject === solo as AnyObject)
        #expect(try m.getModel() as AnyObject !== chat as AnyObject)  // automatic membership
        try m.loadModelConfigs(json: #"{"config_name": "new", "model_type": "openai_chat"}"#)
        #expect(members(try m.getModel()).contains("new"))
    }

    @Test func reconfiguringReplacesTheCachedBalancer() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        try m.configureLoadBalancer(modelConfigs: ["gpt-4-a", "gpt-4-b"], strategy: "round_robin", configName: "llm_balancer")
        let first = try m.getModel(configName: "llm_balancer") as! LoadBalancer
        #expect(try m.getModel(configName: "llm_balancer") as AnyObject === first)
        try m.configureLoadBalancer(modelConfigs: ["mini"], strategy: "random", configName: "llm_balancer")
        let second = try m.getModel(configName: "llm_balancer") as! LoadBalancer
        #expect(second !== first)
        #expect(second.strategyName == "random")
        #expect(first.strategyName == "round_robin")
    }

    @Test func balancersDeclaredInConfigFilesAndNesting() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        try m.loadModelConfigs(json: """
            [{"config_name": "inner", "model_type": "load_balancer", "models": ["gpt-4-a", "gpt-4-b"], "strategy": "least_busy"},
             {"config_name": "outer", "model_type": "load_balancer", "models": ["inner", "mini"], "strategy": "weighted",
              "max_retries": 1, "cooldown_time": 2, "fallbacks": ["gpt-4-a"]}]
            """)
        let outer = try m.getModel(configName: "outer") as! LoadBalancer
        #expect(outer.memberNames == ["inner", "mini"])
        #expect(outer.strategyName == "weighted")
        #expect(outer.settings.retryPolicy.maxRetries == 1)
        #expect(outer.settings.cooldownTime == .seconds(2))
        #expect(outer.fallbacks.map(\.configName) == ["gpt-4-a"])
        #expect((try m.getModel(configName: "inner") as! LoadBalancer).strategyName == "least_busy")
        // Declared balancers are not members of the automatic chat balancer.
        #expect(!members(try m.getModel()).contains("inner"))
    }

    @Test func cyclesAreConfigurationErrors() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        try m.loadModelConfigs(json: """
            [{"config_name": "x", "model_type": "load_balancer", "models": ["y"]},
             {"config_name": "y", "model_type": "load_balancer", "models": ["mini", "x"]}]
            """)
        let error = #expect(throws: ModelError.self) { try m.getModel(configName: "x") }
        #expect(error?.message.contains("cycle: x → y → x") == true)
    }

    @Test func badBalancerConfigurations() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: configs)
        let strategy = #expect(throws: ModelError.self) {
            try m.configureLoadBalancer(modelConfigs: ["mini"], strategy: "fastest", configName: "lb")
        }
        #expect(strategy?.message.contains("round_robin") == true)
        #expect(strategy?.message.contains("least_busy") == true)
        let unknown = #expect(throws: ModelError.self) {
            try m.configureLoadBalancer(modelConfigs: ["gpt4-a"], configName: "lb")
        }
        #expect(unknown?.message.contains("did you mean 'gpt-4-a'") == true)
        let mixed = #expect(throws: ModelError.self) {
            try m.configureLoadBalancer(modelConfigs: ["mini", "emb"], configName: "mixed")
            _ = try m.getModel(configName: "mixed")
        }
        #expect(mixed?.message.contains("mixes chat and embedding") == true)
        let shadow = #expect(throws: ModelError.self) {
            try m.configureLoadBalancer(modelConfigs: ["mini"], configName: "gpt-4-a")
        }
        #expect(shadow?.message.contains("already a model config") == true)
        let fileError = #expect(throws: ModelError.self) {
            try m.loadModelConfigs(json: #"{"config_name": "lb2", "model_type": "load_balancer", "models": ["mini"], "stratgy": "random"}"#)
        }
        #expect(fileError?.message.contains("did you mean 'strategy'") == true)
        let declaredBadStrategy = #expect(throws: ModelError.self) {
            try m.loadModelConfigs(json: #"{"config_name": "lb3", "model_type": "load_balancer", "models": ["mini"], "strategy": "nope"}"#)
            _ = try m.getModel(configName: "lb3")
        }
        #expect(declaredBadStrategy?.message.contains("lb3") == true)
    }

    @Test func memberDeploymentKeysReachTheBalancer() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: """
            [{"config_name": "a", "model_type": "openai_chat", "weight": 3, "rpm": 100, "tpm": 5000, "max_concurrency": 4, "cooldown_time": 1.5},
             {"config_name": "b", "model_type": "openai_chat"}]
            """)
        let lb = try m.getModel() as! LoadBalancer
        let a = lb.members[0].deployment
        #expect(a == DeploymentSettings(weight: 3, rpm: 100, tpm: 5000, maxConcurrency: 4, cooldownTime: .milliseconds(1500)))
        #expect(lb.members[1].deployment == .default)
        let bad = #expect(throws: ModelError.self) {
            try m.loadModelConfigs(json: #"{"config_name": "c", "model_type": "openai_chat", "rpm": -1}"#)
        }
        #expect(bad?.message.contains("'rpm'") == true)
    }
}
