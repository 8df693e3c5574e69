import NIOCore
import Synchronization

/// Tells a request that its client closed the connection, so its upstream call is cancelled
/// and its slot freed.
///
/// One close callback per connection (not per request: a keep-alive connection serving a
/// million requests registers one), and per request a waiter removed when the request ends.
final class DisconnectWatcher: Sendable {
    struct Connection {
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

    /// Calls `onClose` when `channel` closes (at once when it is closed already). `nil` when
    /// it was closed: then `onClose` already ran.
    func register(_ channel: any Channel, onClose: @escaping @Sendable () -> Void) -> Token? {
        guard channel.isActive else {
            onClose()
            return nil
        }
        let key = ObjectIdentifier(channel)
        let (token, isNew) = state.withLock { state -> (Token, Bool) in
            state.next &+= 1
            let isNew = state.connections[key] == nil
            state.connections[key, default: Connection()].waiters[state.next] = onClose
            return (Token(connection: key, id: state.next), isNew)
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

    private func closed(_ key: ObjectIdentifier) {
        let waiters = state.withLock { $0.connections.removeValue(forKey: key)?.waiters } ?? [:]
        for waiter in waiters.values { waiter() }
    }

    /// Connections being watched (for tests).
    var watchedConnections: Int { state.withLock { $0.connections.count } }
}
