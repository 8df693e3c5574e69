import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Writes a chat reply as Server-Sent Events: `data: {chunk}` events then `data: [DONE]`,
/// split into network writes of `streamChunkBytes` (so events, lines and UTF-8 characters can
/// be cut anywhere), with `streamChunkDelay` between writes. Plays stream faults, and counts a
/// client that goes away mid-stream.
struct SimulatorStreamWriter {
    let simulator: Simulator
    let reply: SimulatorReply
    let includeUsage: Bool
    let fault: SimulatorFault?

    func response() -> Response {
        var events = reply.chunks(includeUsage: includeUsage).map { "data: " + SimulatorSchema.json($0) + "\n\n" }
        var abortAfter: Int?
        switch fault {
        case .streamError(let after, let message, let code)?:
            events = Array(events.prefix(after + 1))
            let error: [String: Any] = ["error": ["message": message, "type": "server_error", "code": code ?? NSNull()] as [String: Any]]
            events.append("data: " + SimulatorSchema.json(error) + "\n\n")
        case .closeStreamEarly(let after)?:
            events = Array(events.prefix(after + 1))
            abortAfter = events.count
        default:
            events.append(": end of stream\n\ndata: [DONE]\n\n")
        }
        let bytes = Array(events.joined().utf8)
        let eventSizes = events.map(\.utf8.count)
        let aborts = abortAfter != nil
        let chunkSize = simulator.configuration.streamChunkBytes
        let delay = simulator.configuration.streamChunkDelay
        let simulator = simulator
        var fields: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        fields[HTTPField.Name("x-request-id")!] = "req_sim_stream"
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                var pieces: [ArraySlice<UInt8>] = []
                if let chunkSize, chunkSize > 0 {
                    var start = 0
                    while start < bytes.count {
                        pieces.append(bytes[start..<min(bytes.count, start + chunkSize)])
                        start += chunkSize
                    }
                } else {
                    var start = 0
                    for count in eventSizes {
                        pieces.append(bytes[start..<start + count])
                        start += count
                    }
                }
                do {
                    for (i, piece) in pieces.enumerated() {
                        if i > 0, delay > .zero { try await simulator.sleep(delay) }
                        try await writer.write(ByteBuffer(bytes: piece))
                    }
                } catch {
                    simulator.streamAborted()
                    throw error
                }
                if aborts {
                    throw SimulatorRequestError(status: 500, message: "simulated early close")
                }
                try await writer.finish(nil)
            })
    }
}
