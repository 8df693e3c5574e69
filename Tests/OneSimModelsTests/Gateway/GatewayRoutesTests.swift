import Foundation
import NIOHTTP1
import OneSimModels
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

@Suite("Gateway: embeddings, models, health and metrics")
struct GatewayRoutesTests {
    @Test func embedsStringsAndArraysAsFloatsOrBase64() async throws {
        try await withGateway(.init(embeddingDimensions: 4), config: { basicGatewayConfig($0) }) { h in
            let one = try await h.post("/v1/embeddings", #"{"model": "embed", "input": "hello"}"#)
            #expect(one.status == 200, "\(one.body)")
            #expect(one.json?["object"]?.stringValue == "list")
            let floats = try #require(one.json?["data"]?[0]?["embedding"]?.arrayValue)
            #expect(floats.count == 4)
            #expect(one.headers.first(name: "x-onesim-member") == "embed")

            let many = try await h.post("/v1/embeddings", #"{"model": "embed", "input": ["a", "b", "c"], "encoding_format": "base64", "dimensions": 4}"#)
            #expect(many.status == 200, "\(many.body)")
            let data = try #require(many.json?["data"]?.arrayValue)
            #expect(data.count == 3)
            #expect(data.map { $0["index"]?.intValue } == [0, 1, 2])
            let encoded = try #require(data[0]["embedding"]?.stringValue)
            let bytes = try #require(Data(base64Encoded: encoded))
            #expect(bytes.count == 4 * 4)
            #expect(lastUpstreamBody(h.simulators[0])?["dimensions"]?.intValue == 4)
            #expect(lastUpstreamBody(h.simulators[0])?["encoding_format"]?.stringValue != "base64")
        }
    }

    @Test func base64AndFloatsCarryTheSameVector() async throws {
        try await withGateway(.init(embeddingDimensions: 3), config: { basicGatewayConfig($0) }) { h in
            let floats = try await h.post("/v1/embeddings", #"{"model": "embed", "input": "same"}"#)
            let packed = try await h.post("/v1/embeddings", #"{"model": "embed", "input": "same", "encoding_format": "base64"}"#)
            let values = try #require(floats.json?["data"]?[0]?["embedding"]?.arrayValue)
            let expected = values.compactMap { $0.doubleValue }
            let encoded = try #require(packed.json?["data"]?[0]?["embedding"]?.stringValue)
            let data = try #require(Data(base64Encoded: encoded))
            let bytes = [UInt8](data)
            var decoded: [Double] = []
            for i in stride(from: 0, to: bytes.count, by: 4) {
                var bits = UInt32(bytes[i])
                bits |= UInt32(bytes[i + 1]) << 8
                bits |= UInt32(bytes[i + 2]) << 16
                bits |= UInt32(bytes[i + 3]) << 24
                decoded.append(Double(Float(bitPattern: bits)))
            }
            #expect(decoded.count == expected.count)
            for (a, b) in zip(decoded, expected) { #expect(abs(a - b) < 1e-6) }
        }
    }

    @Test func listsModelsAndReportsHealth() async throws {
        try await withGateway(
            simulators: 2,
            config: { sims in
                """
                {"chat": [\(memberConfig("a", baseURL: sims[0].baseURL, model: "shared")), \(memberConfig("b", baseURL: sims[1].baseURL, model: "shared")),
                          {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"]}],
                 "embedding": [{"config_name": "embed", "model_type": "openai_embedding", "api_key": "k", "client_args": {"base_url": "\(sims[0].baseURL)"}}]}
                """
            }
        ) { h in
            let models = try await h.get("/v1/models")
            #expect(models.status == 200)
            let ids = Set(models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
            #expect(ids == ["a", "b", "lb", "shared", "embed"])
            #expect(try await h.get("/health/live").status == 200)
            let ready = try await h.get("/health/ready")
            #expect(ready.status == 200, "\(ready.body)")
            #expect(ready.json?["status"]?.stringValue == "ready")
            let members = ready.json?["balancers"]?["lb"]?["members"]?.arrayValue ?? []
            #expect(members.compactMap { $0["name"]?.stringValue } == ["a", "b"])
            #expect(members.allSatisfy { $0["in_flight"]?.intValue == 0 && $0["cooling_down"]?.boolValue == false })
        }
    }

    @Test func readinessFailsWhenEveryMemberOfABalancerCoolsDown() async throws {
        try await withGateway(
            config: { sims in
                """
                [\(memberConfig("a", baseURL: sims[0].baseURL)),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], "allowed_fails": 0, "cooldown_time": 600, "max_retries": 0}]
                """
            }
        ) { h in
            h.simulators[0].setFaultRate(SimulatorFaultRate(rate: 1, fault: .status(401, message: "upstream key revoked", type: "invalid_request_error", code: "invalid_api_key")))
            _ = try await h.post("/v1/chat/completions", #"{"model": "lb", "messages": [{"role": "user", "content": "hi"}]}"#)
            let ready = try await h.get("/health/ready")
            #expect(ready.status == 503, "\(ready.body)")
            #expect(ready.json?["balancers"]?["lb"]?["members"]?[0]?["cooling_down"]?.boolValue == true)
        }
    }

    @Test func metricsCountRequestsPerRoute() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            _ = try await h.post("/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#)
            _ = try await h.get("/nope")
            let metrics = try await h.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain") == true)
            #expect(metrics.body.contains(#"onesim_gateway_requests_total{route="/v1/chat/completions",method="POST",status="200"} 1"#), "\(metrics.body)")
            #expect(metrics.body.contains(#"route="unknown""#))
            #expect(metrics.body.contains("onesim_gateway_request_duration_seconds_bucket"))
        }
    }

    /// A client picks the method: methods outside the standard ones (the HTTP parser knows
    /// dozens, WebDAV's among them) share one label, so clients cannot add series at will.
    @Test func unknownMethodsShareOneLabel() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            for method in [HTTPMethod.PROPFIND, .MKCOL, .LOCK] { _ = try await h.send(method, "/v1/models") }
            _ = try await h.post("/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#)
            _ = try await h.post("/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#)
            let metrics = try await h.get("/metrics").body
            #expect(!metrics.contains("PROPFIND") && !metrics.contains("MKCOL"), "\(metrics)")
            #expect(metrics.contains(#"route="/v1/models",method="other",status="405"} 3"#), "\(metrics)")
            #expect(metrics.contains(#"onesim_gateway_requests_total{route="/v1/chat/completions",method="POST",status="200"} 2"#))
        }
    }
}
