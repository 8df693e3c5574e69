import OneSimModelsCore
import Synchronization

/// The balancer's lock-protected state: the decision core plus the callers suspended on it.
struct ShellState: Sendable {
    /// The decisions.
    var core: BalancerCore
    /// Callers waiting for capacity, by waiter id.
    var continuations: [UInt64: CheckedContinuation<AdmissionOutcome, Never>] = [:]
    /// Outcomes that arrived before their caller suspended.
    var early: [UInt64: AdmissionOutcome] = [:]
    /// The one timer that ticks the core at its earliest wake time.
    var timer: ScheduledTick?
    /// Numbers timers, so a stale one is recognised.
    var timerGeneration: UInt64 = 0

    /// A scheduled tick.
    struct ScheduledTick: Sendable {
        let deadline: Duration
        let generation: UInt64
        let task: Task<Void, Never>
    }

    /// Hands `resolutions` to their callers: returns the continuations to resume (outside the
    /// lock), and keeps outcomes of callers that have not suspended yet.
    mutating func deliver(_ resolutions: [Resolution]) -> [(CheckedContinuation<AdmissionOutcome, Never>, AdmissionOutcome)] {
        var ready: [(CheckedContinuation<AdmissionOutcome, Never>, AdmissionOutcome)] = []
        for resolution in resolutions {
            if let continuation = continuations.removeValue(forKey: resolution.id) {
                ready.append((continuation, resolution.outcome))
            } else {
                early[resolution.id] = resolution.outcome
            }
        }
        return ready
    }
}

extension LoadBalancer {
    /// Runs `body` on the core under the lock at the current time, delivers the resolutions it
    /// returns, keeps the tick timer at the core's earliest wake, and returns `body`'s result.
    func mutate<R: Sendable>(firedGeneration: UInt64? = nil, _ body: (inout BalancerCore, Duration) -> (R, [Resolution])) -> R {
        let clock = self.clock
        let (result, ready, staleTimer, withdrawn) = state.withLock { s in
            if let firedGeneration, s.timer?.generation == firedGeneration { s.timer = nil }
            let now = clock.now()
            let (result, resolutions) = body(&s.core, now)
            let ready = s.deliver(resolutions)
            let withdrawn = s.core.refreshClaims(now: now)
            var stale: Task<Void, Never>?
            if let wake = s.core.nextWake() {
                if s.timer.map({ $0.deadline > wake }) ?? true {
                    stale = s.timer?.task
                    s.timerGeneration += 1
                    let generation = s.timerGeneration
                    let task = Task { [weak self] in
                        do { try await clock.sleepUntil(wake) } catch { if Task.isCancelled { return } }
                        self?.tick(generation: generation)
                    }
                    s.timer = ShellState.ScheduledTick(deadline: wake, generation: generation, task: task)
                }
            } else if let timer = s.timer {
                stale = timer.task
                s.timer = nil
            }
            return (result, ready, stale, withdrawn)
        }
        staleTimer?.cancel()
        for (continuation, outcome) in ready { continuation.resume(returning: outcome) }
        // Balancers that left capacity to a claim this one just withdrew must look again.
        for member in withdrawn { limiters[member].notify(except: self) }
        return result
    }

    /// The timer fired: lets the core re-evaluate waiters whose time has come.
    func tick(generation: UInt64) {
        mutate(firedGeneration: generation) { core, now in ((), core.tick(now: now)) }
    }

    /// Asks for a member not in `excluded`, waiting (FIFO, no polling) if none can take the
    /// request now; the wait counts against the call's `queueTimeout`. Out of line: it
    /// returns before the call waits on the network, so its frame is not kept meanwhile.
    @inline(never)
    func admit(excluding excluded: Set<Int>, tokens: Double, plan: inout CallPlan) async -> AdmissionOutcome {
        let start = clock.now()
        let deadline = plan.deadline(from: start)
        let retry = plan.round > 0
        let decision = mutate { core, now in
            core.acquire(excluding: excluded, tokens: tokens, deadline: deadline, now: now, retry: retry, fingerprint: plan.fingerprint)
        }
        switch decision {
        case .done(let outcome):
            return outcome
        case .wait(let id):
            let outcome = await suspend(waiter: id)
            plan.addWaited(clock.now() - start)
            return outcome
        }
    }

    /// Suspends until waiter `id` has an outcome; cancellation removes it from the queue.
    private func suspend(waiter id: UInt64) async -> AdmissionOutcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<AdmissionOutcome, Never>) in
                let ready = state.withLock { s -> AdmissionOutcome? in
                    if let outcome = s.early.removeValue(forKey: id) { return outcome }
                    s.continuations[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            mutate { core, now in
                let (wasWaiting, admitted) = core.cancel(id, now: now)
                return ((), wasWaiting ? [Resolution(id: id, outcome: .cancelled)] + admitted : admitted)
            }
        }
    }

    /// Ends the attempt holding `grant` with `result`: frees its slot (waking this balancer's
    /// waiters, then telling the other balancers that share the deployment) and records
    /// statistics and metrics.
    @inline(never)
    func finish(_ grant: Grant, _ result: AttemptResult) {
        let cooled = mutate { core, now in
            let (resolutions, cooled) = core.release(grant, result, now: now)
            return (cooled, resolutions)
        }
        limiters[grant.member].notify(except: self)
        if case .notSent = result { return }
        metrics[grant.member].ended(result, cooled: cooled)
    }

    /// Another balancer freed capacity on a deployment this one shares: serve the queue.
    func capacityFreed() {
        mutate { core, now in ((), core.capacityFreed(now: now)) }
    }
}
