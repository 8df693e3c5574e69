import AsyncHTTPClient
import NIOHTTP1

/// The outcome of opening a streaming request.
package enum StreamingResult: Sendable {
    /// A 2xx head; the body arrives chunk by chunk.
    case streaming(status: Int, headers: HTTPHeaders, body: HTTPClientResponse.Body)
    /// A non-2xx response, collected whole.
    case failed(HTTPResult)
}
