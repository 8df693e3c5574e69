import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Runs a task's jobs on one NIO event loop: a `TaskExecutor` over `EventLoop.execute`.
///
/// Installed as the executor preference of a connection's task (see `EventLoopPinnedChannel`),
/// it keeps a gateway request on the thread that owns its connection from the first byte read
/// to the last byte written: reads resumed by the channel, the upstream call (AsyncHTTPClient
/// prefers the calling event loop, and shares the same group) and its reply all continue on that
/// thread without waking another one. A job enqueued from the loop's own thread runs in the
/// loop's next turn.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A server child channel whose connections are each handled on their own event loop: the
/// wrapped channel's `handle` runs with an `EventLoopTaskExecutor` preference for the
/// connection's loop (one hop when the connection starts, none per request after that).
struct EventLoopPinnedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with every connection pinned to its event loop (see `EventLoopPinnedChannel`).
    static func pinnedHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EventLoopPinnedChannel(base: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
