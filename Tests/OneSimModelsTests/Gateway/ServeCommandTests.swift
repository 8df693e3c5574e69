import Foundation
import Testing

/// `onesim-models serve` refuses what it must refuse, with a message and a non-zero exit
/// (SIGTERM's drain and exit 0 are checked by scripts/gateway-interop.sh on the real binary).
@Suite("Gateway: the serve command")
struct ServeCommandTests {
    static func configFile(_ text: String) throws -> URL {
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("models.json")
        try Data(text.utf8).write(to: file)
        return file
    }

    static let model = #"{"config_name": "chat", "model_type": "openai_chat", "api_key": "k", "client_args": {"base_url": "http://127.0.0.1:9/v1"}}"#

    @Test func aPublicAddressWithoutKeysIsRefused() async throws {
        let file = try Self.configFile("[\(Self.model)]")
        let outcome = try await CommandLineHardeningTests.run(["serve", "--config", file.path, "--host", "0.0.0.0", "--port", "0"])
        #expect(outcome.reason == .exit && outcome.status != 0)
        #expect(outcome.error.contains("without keys"), "\(outcome.error)")
    }

    @Test func aBadGatewaySectionOrAMissingFileIsAMessage() async throws {
        let file = try Self.configFile(#"[\#(Self.model), {"gateway": {"keys": [{"key": "sk-x", "rpm": "many"}]}}]"#)
        let bad = try await CommandLineHardeningTests.run(["serve", "--config", file.path, "--port", "0"])
        #expect(bad.reason == .exit && bad.status != 0)
        #expect(bad.error.contains("keys[0].rpm"), "\(bad.error)")
        #expect(!bad.error.contains("sk-x"))
        let missing = try await CommandLineHardeningTests.run(["serve", "--config", "/nonexistent/models.json"])
        #expect(missing.reason == .exit && missing.status != 0)
        #expect(missing.error.contains("does not exist"), "\(missing.error)")
    }

    @Test(arguments: [["--port", "70000"], ["--max-body-mib", "0"], ["--drain-timeout", "-1"], ["--port", "1e99"]])
    func outOfRangeFlagsAreUsageErrors(_ flags: [String]) async throws {
        let file = try Self.configFile("[\(Self.model)]")
        let outcome = try await CommandLineHardeningTests.run(["serve", "--config", file.path] + flags)
        #expect(outcome.reason == .exit && outcome.status != 0, "\(flags)")
    }
}
