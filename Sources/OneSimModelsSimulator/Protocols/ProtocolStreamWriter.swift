import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Writes pre-rendered stream events, cut into network writes of `streamChunkBytes` (so events,
/// lines and UTF-8 characters can split anywhere) with `streamChunkDelay` between writes; counts
/// a client that goes away, and closes the connection early when `aborts`.
struct ProtocolStreamWriter {
    let simulator: Simulator
    let events: [String]
    let aborts: Bool
    /// Stall after the events (until the simulator stops) instead of ending the stream.
    var stalls = false

    func response(contentType: String, headers: [String: String]) -> Response {
        let bytes = Array(events.joined().utf8)
        let eventSizes = events.map(\.utf8.count)
        let chunkSize = simulator.configuration.streamChunkBytes
        let delay = simulator.configuration.streamChunkDelay
        let simulator = simulator
        let aborts = aborts
        let stalls = stalls
        var fields: HTTPFields = [.contentType: contentType, .cacheControl: "no-cache"]
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                var pieces: [ArraySlice<UInt8>] = []
                var start = 0
                if let chunkSize, chunkSize > 0 {
                    while start < bytes.count {
                        pieces.append(bytes[start..<min(bytes.count, start + chunkSize)])
                        start += chunkSize
                    }
                } else {
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
                if stalls {
                    try await simulator.stall()
                    throw SimulatorRequestError(status: 500, message: "simulated stalled stream")
                }
                if aborts {
                    // Let the client read what was sent before the connection goes away; closing at
                    // once can reset the socket and drop bytes the client has not read yet.
                    try await simulator.sleep(.milliseconds(100))
                    throw SimulatorRequestError(status: 500, message: "simulated early close")
                }
                try await writer.finish(nil)
            })
    }
}
