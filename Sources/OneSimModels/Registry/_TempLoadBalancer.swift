// TEMPORARY scaffold until Routing/LoadBalancer.swift lands. Never committed.
public struct BalancerMember: Sendable { public var adapter: any ModelAdapter; public var deployment: DeploymentSettings
  public init(adapter: any ModelAdapter, deployment: DeploymentSettings = .init()) { self.adapter = adapter; self.deployment = deployment } }
public struct DeploymentSettings: Sendable { public var weight: Double = 1; public var rpm: Int?; public var tpm: Int?; public var maxConcurrency: Int?; public var cooldownTime: Duration?
  public static let `default` = DeploymentSettings(); public init() {}; func validate(member: String) throws(ModelError) {} }
public enum BalancerStrategy: Sendable { case x; init(parsing: String) throws(ModelError) { self = .x } }
public struct StrategyName { init(parsing: String) throws(ModelError) {} }
public struct BalancerSettings: Sendable { var strategy = BalancerStrategy.x; var maxRetries = 2; var allowedFails = 3; var cooldownTime = Duration.seconds(5); var queueTimeout = Duration.seconds(60)
  func validate(balancer: String) throws(ModelError) {} }
public final class LoadBalancer: ModelAdapter {
  public let configName: String; let members: [BalancerMember]
  init(configName: String, kind: ModelKind, members: [BalancerMember], settings: BalancerSettings, fallbacks: [any ModelAdapter]) { self.configName = configName; self.members = members }
  public func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse { var r = try await members[0].adapter.acall(prompt, options: options); r.modelInfo.balancer = configName; r.modelInfo.member = members[0].adapter.configName; return r }
}
