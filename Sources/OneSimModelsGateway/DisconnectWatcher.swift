import NIOCore
import Synchronization

/// Tells a request that its client went away (the connection's input closed, or the
/// connection closed), so its upstream call is cancelled and its slot freed.
///
/// Hummingbird keeps a connection open after the client's side closes (half-closure), so
/// `DisconnectHandler` in each connection's pipeline reports the input closing; the close of
/// the whole connection is watched with one callback per connection (not per request: a
/// keep-alive connection serving a million requests registers one). Each request adds a waiter
/// and removes it when it ends.
final class DisconnectWatcher: Sendable {
    struct Connection {
        var gone = false
        var waiters: [UInt64: @Sendable () -> Void] = [:]
    }

    struct State {
        var next: UInt64 = 0
        var connections: [ObjectIdentifier: Connection] = [:]
    }

    struct Token: Sendable {
        let connection: ObjectIdentifier
        let id: UInt64
    }

    private let state = Mutex(State())

    /// Calls `onClose` when the client of `channel` goes away (at once when it is gone
    /// already). `nil` when it was gone: then `onClose` already ran.
    func register(_ channel: any Channel, onClose: @escaping @Sendable () -> Void) -> Token? {
        let key = ObjectIdentifier(channel)
        let (token, isNew) = state.withLock { state -> (Token?, Bool) in
            if state.connections[key]?.gone == true || !channel.isActive { return (nil, false) }
            state.next &+= 1
            let isNew = state.connections[key] == nil
            state.connections[key, default: Connection()].waiters[state.next] = onClose
            return (Token(connection: key, id: state.next), isNew)
        }
        guard let token else {
            onClose()
            return nil
        }
        if isNew {
            channel.closeFuture.whenComplete { [weak self] _ in self?.closed(key) }
        }
        return token
    }

    /// Removes a waiter whose request ended.
    func unregister(_ token: Token?) {
        guard let token else { return }
        state.withLock { state in
            _ = state.connections[token.connection]?.waiters.removeValue(forKey: token.id)
        }
    }

    /// The client closed its side: every request on the connection is told.
    func inputClosed(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        let waiters = state.withLock { state -> [UInt64: @Sendable () -> Void] in
            guard var connection = state.connections[key] else { return [:] }
            connection.gone = true
            let waiters = connection.waiters
            connection.waiters = [:]
            state.connections[key] = connection
            return waiters
        }
        for waiter in waiters.values { waiter() }
    }

    private func closed(_ key: ObjectIdentifier) {
        let waiters = state.withLock { $0.connections.removeValue(forKey: key)?.waiters } ?? [:]
        for waiter in waiters.values { waiter() }
    }

    /// Connections being watched (for tests).
    var watchedConnections: Int { state.withLock { $0.connections.count } }
}

/// In each connection's pipeline: reports the client closing its side to the watcher.
final class DisconnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let watcher: DisconnectWatcher

    init(watcher: DisconnectWatcher) { self.watcher = watcher }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { watcher.inputClosed(context.channel) }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Cancels the task that made it, from any thread, until it is disarmed: what a request
/// registers with the `DisconnectWatcher` so a client going away cancels its upstream call
/// without a second task per request.
///
/// Safe because the task is alive for as long as the canceller is armed: the task disarms it
/// (under the lock) before it goes on, and `cancel()` touches the task only under that lock.
final class TaskCanceller: @unchecked Sendable {
    private let armed = Mutex(true)
    private let task: UnsafeCurrentTask?

    /// A canceller for the current task (inert outside a task).
    init() { task = withUnsafeCurrentTask { $0 } }

    /// Cancels the task if it is still armed.
    func cancel() { armed.withLock { if $0 { task?.cancel() } } }

    /// From the task itself, before it goes on: no later `cancel()` touches it.
    func disarm() { armed.withLock { $0 = false } }
}
