import OneSimModels

import Hummingbird
import NIOCore

/// Relays a model stream to the client as OpenAI `chat.completion.chunk` events, one write per
/// delta: a write waits while the client is not reading (backpressure), so a slow reader never
/// makes the gateway buffer a reply, and a write that fails (the client went away) ends the
/// relay and drops the upstream stream, which cancels the upstream call.
enum SSERelay {
    static func relay(
        first: ModelDelta?, rest: StreamIteratorBox, to writer: inout any ResponseBodyWriter, id: String, model: String,
        created: Int, includeUsage: Bool, call: CallGuard, waited: Duration
    ) async throws {
        let relayStart = ContinuousClock.now
        var upstream = waited
        var usage: Usage?
        var info = first?.modelInfo
        var sawToolCalls = false
        var isFirst = true
        var status = 200
        defer {
            let total = ContinuousClock.now - call.start
            call.finishStream(status: status, usage: usage, modelInfo: info, upstream: upstream, overhead: max(.zero, total - upstream))
        }
        var next = first
        do {
            while let delta = next {
                if let u = delta.usage { usage = u }
                if info == nil { info = delta.modelInfo }
                if !delta.toolCalls.isEmpty { sawToolCalls = true }
                if let event = ResponseEncoding.chunk(
                    delta, id: id, model: model, created: created, first: isFirst, sawToolCalls: sawToolCalls)
                {
                    try await writer.write(event)
                    isFirst = false
                }
                let waitStart = ContinuousClock.now
                next = try await rest.next()
                upstream += ContinuousClock.now - waitStart
            }
            try Task.checkCancellation()
        } catch let error as ModelError {
            // The stream failed after it started: an error event, and no [DONE].
            status = GatewayError(error, secrets: []).status
            try? await writer.write(ResponseEncoding.errorEvent(GatewayError(error, secrets: [])))
            try await writer.finish(nil)
            return
        } catch {
            status = 499
            throw error
        }
        if includeUsage { try await writer.write(ResponseEncoding.usageChunk(usage ?? .zero, id: id, model: model, created: created)) }
        try await writer.write(ResponseEncoding.done)
        try await writer.finish(nil)
        _ = relayStart
    }
}
