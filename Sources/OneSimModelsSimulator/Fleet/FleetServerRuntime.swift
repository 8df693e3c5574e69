import Synchronization

/// The real-time shell around one ``FleetServerModel``: model time is the time since the
/// runtime was created; a chat request is submitted and its client waits (on a continuation)
/// until the model completes it. One timer task sleeps until the model's next event and is
/// cancelled and replaced whenever a request changes that event.
///
/// A client that goes away (its task is cancelled) is removed from the model, freeing its slot;
/// ``shutdown()`` answers every waiting client with nil. No wait is unbounded: every waiter
/// ends at its completion, its cancellation or the shutdown.
final class FleetServerRuntime: Sendable {
    struct State: Sendable {
        var model: FleetServerModel
        var waiters: [UInt64: CheckedContinuation<FleetCompletion?, Never>] = [:]
        /// Ids handed out whose request is not submitted yet (bounded by the callers in flight).
        var unsubmitted: Set<UInt64> = []
        /// Of those, the ones cancelled before their request was submitted.
        var cancelledEarly: Set<UInt64> = []
        var nextID: UInt64 = 0
        var timer: Task<Void, Never>?
        var timerAt: Duration?
        var stopped = false
    }

    let config: FleetServerConfig
    private let start = ContinuousClock.now
    private let state: Mutex<State>

    init(config: FleetServerConfig) throws(FleetConfigError) {
        self.config = config
        state = Mutex(State(model: try FleetServerModel(config: config)))
    }

    /// Model time now.
    private var now: Duration { ContinuousClock.now - start }

    /// Runs a request through the model; nil when the server's queue is full, the server stops,
    /// or the calling task is cancelled.
    func run(blocks: [UInt64], promptTokens: Int, outputTokens: Int) async -> FleetCompletion? {
        let id: UInt64 = state.withLock { s in
            s.nextID &+= 1
            s.unsubmitted.insert(s.nextID)
            return s.nextID
        }
        let request = FleetRequest(id: id, promptBlocks: blocks, promptTokens: promptTokens, outputTokens: outputTokens)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<FleetCompletion?, Never>) in
                let resumed: [(CheckedContinuation<FleetCompletion?, Never>, FleetCompletion?)] = state.withLock { s in
                    s.unsubmitted.remove(id)
                    if s.cancelledEarly.remove(id) != nil || s.stopped { return [(continuation, nil)] }
                    let time = now
                    var ready = settle(&s, at: time)
                    if s.model.submit(request, at: time) {
                        s.waiters[id] = continuation
                        ready.append(contentsOf: settle(&s, at: time))
                    } else {
                        ready.append((continuation, nil))
                    }
                    reschedule(&s)
                    return ready
                }
                for (c, value) in resumed { c.resume(returning: value) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<FleetCompletion?, Never>? = state.withLock { s in
                guard let waiter = s.waiters.removeValue(forKey: id) else {
                    // Not submitted yet: remember, so it is not. Already answered: nothing to do.
                    if s.unsubmitted.contains(id) { s.cancelledEarly.insert(id) }
                    return nil
                }
                s.model.cancel(id: id, at: now)
                reschedule(&s)
                return waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// The model's metrics text, after catching up with time.
    func metricsText(modelName: String) -> String {
        let (text, ready) = state.withLock { s in
            let ready = settle(&s, at: now)
            reschedule(&s)
            return (s.model.metricsText(modelName: modelName), ready)
        }
        for (c, value) in ready { c.resume(returning: value) }
        return text
    }

    /// The model's counters now, after catching up with time (for the dashboard).
    func status() -> FleetServerStatus {
        let (status, ready) = state.withLock { s in
            let ready = settle(&s, at: now)
            reschedule(&s)
            return (FleetServerStatus(s.model), ready)
        }
        for (c, value) in ready { c.resume(returning: value) }
        return status
    }

    /// A copy of the model (for tests and reports).
    var model: FleetServerModel { state.withLock { $0.model } }

    /// Stops the timer and answers every waiting client with nil.
    func shutdown() {
        let (waiters, timer) = state.withLock { s in
            s.stopped = true
            let w = Array(s.waiters.values)
            s.waiters.removeAll()
            let t = s.timer
            s.timer = nil
            s.timerAt = nil
            return (w, t)
        }
        timer?.cancel()
        for w in waiters { w.resume(returning: nil) }
    }

    /// Advances the model to `time` and pairs each completion with its waiter (resumed by the
    /// caller outside the lock). Completions of cancelled requests have no waiter.
    private func settle(_ s: inout State, at time: Duration) -> [(CheckedContinuation<FleetCompletion?, Never>, FleetCompletion?)] {
        var ready: [(CheckedContinuation<FleetCompletion?, Never>, FleetCompletion?)] = []
        for completion in s.model.advance(to: time) {
            if let waiter = s.waiters.removeValue(forKey: completion.id) { ready.append((waiter, completion)) }
        }
        return ready
    }

    /// Makes the timer fire at the model's next event (replacing a timer set for another time).
    private func reschedule(_ s: inout State) {
        guard !s.stopped else { return }
        let next = s.model.nextEventTime()
        guard next != s.timerAt else { return }
        s.timer?.cancel()
        s.timerAt = next
        guard let next else {
            s.timer = nil
            return
        }
        let deadline = start + next
        s.timer = Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            guard !Task.isCancelled else { return }
            self?.tick()
        }
    }

    /// The timer fired: advance to now, answer the finished requests, set the next timer.
    private func tick() {
        let ready = state.withLock { s in
            s.timer = nil
            s.timerAt = nil
            let ready = settle(&s, at: now)
            reschedule(&s)
            return ready
        }
        for (c, value) in ready { c.resume(returning: value) }
    }
}
