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
final class DeploymentLimiter: Sendable {
    /// The deployment's config name.
    let name: String
    private let limits: Mutex<DeploymentLimits>
    private let listeners = Mutex<[WeakListener]>([])

    private struct WeakListener: Sendable {
        weak var value: (any CapacityListener)?
    }

    /// A limiter with full budgets for `settings` at `now` (in the time base of the clock every
    /// user of this limiter shares).
    init(name: String, settings: DeploymentSettings, now: Duration) {
        self.name = name
        limits = Mutex(DeploymentLimits(settings, now: now))
    }

    /// Runs `body` on the limits under the lock.
    func withLimits<R: Sendable>(_ body: (inout DeploymentLimits) -> R) -> R {
        limits.withLock { body(&$0) }
    }

    /// A copy of the limits.
    var snapshot: DeploymentLimits { limits.withLock { $0 } }

    /// Applies reloaded settings; requests in flight stay counted.
    func update(_ settings: DeploymentSettings, now: Duration) {
        limits.withLock { $0.update(settings, now: now) }
    }

    /// Registers `listener` (held weakly) to hear about capacity freed by others.
    func addListener(_ listener: any CapacityListener) {
        listeners.withLock { list in
            list.removeAll { $0.value == nil }
            list.append(WeakListener(value: listener))
        }
    }

    /// Tells every listener but `sender` that capacity was freed. Call without holding a lock.
    /// With one listener (the usual case) it costs one uncontended lock and no allocation.
    func notify(except sender: AnyObject) {
        let others = listeners.withLock { list -> [any CapacityListener] in
            if list.count <= 1 && (list.first.map { $0.value === sender } ?? true) { return [] }
            return list.compactMap { $0.value }.filter { $0 !== sender }
        }
        for listener in others { listener.capacityFreed() }
    }
}
