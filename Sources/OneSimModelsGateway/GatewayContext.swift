import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core storage plus the connection, so a handler can tell
/// when its client goes away.
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
