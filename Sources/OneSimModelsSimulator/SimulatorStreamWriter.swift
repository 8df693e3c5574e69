import Foundation
import Hummingbird

/// Renders an OpenAI chat reply as Server-Sent Events (`data: {chunk}` events, then
/// `data: [DONE]`), playing stream faults; `ProtocolStreamWriter` does the chunked writing.
struct SimulatorStreamWriter {
    let simulator: Simulator
    let reply: SimulatorReply
    let includeUsage: Bool
    let fault: SimulatorFault?

    func response() -> Response {
        var events = reply.chunks(includeUsage: includeUsage).map { "data: " + SimulatorSchema.json($0) + "\n\n" }
        var aborts = false
        var stalls = false
        switch fault {
        case .streamError(let after, let message, let code)?:
            events = Array(events.prefix(after + 1))
            let error: [String: Any] = ["error": ["message": message, "type": "server_error", "code": code ?? NSNull()] as [String: Any]]
            events.append("data: " + SimulatorSchema.json(error) + "\n\n")
        case .closeStreamEarly(let after)?:
            events = Array(events.prefix(after + 1))
            aborts = true
        case .stallBody(let after)?:
            events = Array(events.prefix(after + 1))
            stalls = true
        default:
            events.append(": end of stream\n\ndata: [DONE]\n\n")
        }
        return ProtocolStreamWriter(simulator: simulator, events: events, aborts: aborts, stalls: stalls)
            .response(contentType: "text/event-stream", headers: ["x-request-id": "req_sim_stream"])
    }
}
