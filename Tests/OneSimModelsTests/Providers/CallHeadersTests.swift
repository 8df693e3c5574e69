import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsProviders

/// `CallOptions.headers`: a call's own HTTP headers, checked before they go on the wire.
@Suite("Per-call headers")
struct CallHeadersTests {
    @Test(
        "headers HTTP does not allow, and those carrying credentials or framing, are left out",
        arguments: [
            ("x-request-id", "abc-123", true), ("X-Trace", "a b\tc", true), ("authorization", "Bearer x", false),
            ("Content-Type", "text/plain", false), ("x-api-key", "k", false), ("x-id", "a\r\nx-evil: 1", false),
            ("bad name", "v", false), ("x:y", "v", false), ("", "v", false), ("x-nul", "a\u{0}b", false),
            ("x-long", String(repeating: "a", count: 9000), false), ("x-utf8", "café", false),
        ])
    func allowed(name: String, value: String, expected: Bool) {
        #expect(CallHeaders.allowed(name: name, value: value) == expected)
    }

    @Test("a call's headers are sent with its request, after the config's default headers")
    func sentUpstream() async throws {
        try await withSimulators(1) { sims, m in
            try m.loadModelConfigs(
                json: "[\(memberConfig("a", baseURL: sims[0].baseURL, extra: #", "client_args": {"base_url": "\#(sims[0].baseURL)", "default_headers": {"x-team": "a"}}"#))]")
            let model = try m.getModel(configName: "a")
            _ = try await model.acall(
                "hi", options: CallOptions(headers: ["x-request-id": "req-9", "x-team": "b", "authorization": "Bearer stolen"]))
            let seen = try #require(sims[0].requests.last?.headers)
            #expect(seen["x-request-id"] == "req-9")
            #expect(seen["x-team"] == "b")
            #expect(seen["authorization"] == "Bearer k", "the config's key, not the call's")
        }
    }
}
