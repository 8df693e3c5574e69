import OneSimModelsCore
import Synchronization

/// Something that queues requests for a deployment and must hear when capacity there was
/// freed by another sender (a load balancer).
protocol CapacityListener: AnyObject, Sendable {
    /// Capacity was freed on a deployment this listener sends to; re-check the queue.
    func capacityFreed()
}

/// The one limiter of a deployment (`max_concurrency`, `rpm`, `tpm`), shared by every balancer
/// that sends to it, so the server sees the configured limits however many balancers
/// (`getModel()`, `getModel(modelName:)`, declared ones, rebuilt ones after a reload) use it.
///
/// The counters are a `DeploymentLimits` value behind a `Mutex`; a balancer reads and changes
/// it while holding its own lock (the order is always balancer, then limiter; the limiter never
/// calls out while locked). After a balancer frees capacity it calls `notify(except:)` outside
/// its lock, so the other balancers hand the capacity to their waiters: no wake-up is missed
/// because every release notifies, and each balancer decides for its queue under its own lock.
package final class DeploymentLimiter: Sendable {
    /// The deployment's config name.
    let name: String
    private let limits: Mutex<DeploymentLimits>
    private let listeners = Mutex<[WeakListener]>([])
    /// How many balancers listen (more than one: the deployment is shared).
    private let listenerCount = Atomic<Int>(0)
    /// Each sharing balancer's oldest waiter that could use this deployment, by owner.
    private let claims = Mutex<[UInt64: Claim]>([:])

    /// A balancer's oldest waiting request that could use this deployment: when the deployment
    /// has room, a request of another balancer that arrived later leaves it to that one, so
    /// balancers sharing a saturated deployment are served in one FIFO order by arrival.
    struct Claim: Sendable, Hashable {
        /// When the request started waiting.
        var arrival: Duration
        /// When it gives up; a claim past it counts as gone.
        var deadline: Duration
    }

    private struct WeakListener: Sendable {
        weak var value: (any CapacityListener)?
    }

    /// A limiter with full budgets for `settings` at `now` (in the time base of the clock every
    /// user of this limiter shares).
    package init(name: String, settings: DeploymentSettings, now: Duration) {
        self.name = name
        limits = Mutex(DeploymentLimits(settings, now: now))
    }

    /// Runs `body` on the limits under the lock.
    func withLimits<R: Sendable>(_ body: (inout DeploymentLimits) -> R) -> R {
        limits.withLock { body(&$0) }
    }

    /// A copy of the limits.
    package var snapshot: DeploymentLimits { limits.withLock { $0 } }

    /// Applies reloaded settings; requests in flight stay counted.
    package func update(_ settings: DeploymentSettings, now: Duration) {
        limits.withLock { $0.update(settings, now: now) }
    }

    /// The server reported `load` at `now`: the learned limit follows it, and every balancer
    /// hears of it (the limit may have grown). `asked` is `progress` when the report was asked
    /// for: the server took its snapshot between then and now, so it can have seen at most the
    /// requests in flight then plus those started since, and no more of them is taken for other
    /// clients' load. Call without holding a lock.
    package func observe(_ load: ServerLoad, at now: Duration, asked: DeploymentLimits.Progress? = nil) {
        limits.withLock { $0.observe(load, at: now, asked: asked) }
        notifyAll()
    }

    /// Starts learning a concurrency limit for the fleet dispatch (idempotent).
    func enableLearning() {
        limits.withLock { $0.enableLearning() }
    }

    /// Tells every listener that capacity may have changed. Call without holding a lock.
    func notifyAll() {
        let all = listeners.withLock { list -> [any CapacityListener] in
            list.removeAll { $0.value == nil }
            return list.compactMap { $0.value }
        }
        for listener in all { listener.capacityFreed() }
    }

    /// Registers `listener` (held weakly) to hear about capacity freed by others.
    func addListener(_ listener: any CapacityListener) {
        let count = listeners.withLock { list -> Int in
            list.removeAll { $0.value == nil }
            list.append(WeakListener(value: listener))
            return list.count
        }
        listenerCount.store(count, ordering: .relaxed)
    }

    /// Whether more than one balancer sends here (only then do claims matter).
    var isShared: Bool { listenerCount.load(ordering: .relaxed) > 1 }

    /// Sets (or, with `nil`, removes) `owner`'s claim.
    func setClaim(_ claim: Claim?, owner: UInt64) {
        claims.withLock { $0[owner] = claim }
    }

    /// Whether another owner's claim, still within its deadline at `now`, arrived before
    /// `arrival`.
    func hasOlderClaim(than arrival: Duration, except owner: UInt64, now: Duration) -> Bool {
        claims.withLock { claims in
            claims.contains { $0.key != owner && $0.value.arrival < arrival && $0.value.deadline > now }
        }
    }

    /// Tells every listener but `sender` that capacity was freed. Call without holding a lock.
    /// With one listener (the usual case) it costs one uncontended lock and no allocation.
    func notify(except sender: AnyObject) {
        let others = listeners.withLock { list -> [any CapacityListener] in
            if list.count <= 1 && (list.first.map { $0.value === sender } ?? true) { return [] }
            // Balancers dropped by a reload leave: the deployment may stop counting as shared.
            list.removeAll { $0.value == nil }
            listenerCount.store(list.count, ordering: .relaxed)
            return list.compactMap { $0.value }.filter { $0 !== sender }
        }
        for listener in others { listener.capacityFreed() }
    }
}
