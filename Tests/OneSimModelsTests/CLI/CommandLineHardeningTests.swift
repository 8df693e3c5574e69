import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage
@testable import onesim_models

/// The `onesim-models` binary, run as a user would: bad flags and bad config files end with a
/// message and a non-zero exit, never a crash (a signal); values that mean "never" work.
@Suite("Command line against hostile input")
struct CommandLineHardeningTests {
    /// The binary beside the test bundle (`swift test` builds every product first).
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("onesim-models")
    }

    struct Outcome {
        var status: Int32
        var reason: Process.TerminationReason
        var output: String
        var error: String
    }

    /// Runs the binary on a dispatch thread, so waiting for it never holds a thread of the
    /// concurrency pool (the simulator's handlers need those).
    static func run(_ arguments: [String]) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(arguments) })
            }
        }
    }

    static func runBlocking(_ arguments: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read standard error on another thread, so neither pipe can fill up and block the child.
        let errorData = LockedData()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let error = errorData.get()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, reason: process.terminationReason,
            output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self))
    }

    @Test func theBinaryIsBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "\(Self.binary.path)")
    }

    @Test(arguments: [
        ["serve-mock", "--port", "99999"], ["serve-mock", "--port", "-1"], ["serve-mock", "--latency-ms", "9223372036854775807"],
        ["serve-mock", "--dimensions", "0"], ["bench", "--requests", "0"], ["bench", "--concurrency", "99999999999"],
        ["bench", "--max-connections", "0"], ["bench", "--in-memory", "--latency-ms", "-5"],
        ["bench", "--requests", "99999999999999999999999"], ["bench", "--members", "0", "--in-memory"],
        ["bench", "--members", "257", "--in-memory"], ["bench", "--members", "3", "--config", "x.json"],
        ["dispatch-cost", "--members", "0"], ["dispatch-cost", "--members", "2,x"], ["dispatch-cost", "--waiters", "-1"],
        ["dispatch-cost", "--decisions", "5"], ["dispatch-cost", "--strategies", "nope"], ["dispatch-cost", "--repeats", "0"],
        ["dispatch-cost", "--personas", "99999999999999999999"],
    ])
    func badFlagsAreUsageErrors(_ arguments: [String]) async throws {
        let outcome = try await Self.run(arguments)
        #expect(outcome.reason == .exit, "\(arguments) died of a signal: \(outcome.error)")
        #expect(outcome.status != 0)
        let flag = try #require(arguments.first { $0.hasPrefix("--") })
        #expect(outcome.error.contains(flag), "\(outcome.error)")
    }

    @Test func theBuiltInBalancerTakesManyMembers() async throws {
        let outcome = try await Self.run([
            "bench", "--in-memory", "--members", "64", "--requests", "640", "--concurrency", "64", "--no-progress",
        ])
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("ok                640"), "\(outcome.output)")
        #expect(outcome.output.contains("errors            0"), "\(outcome.output)")
    }

    @Test func memberNamesRunFromAToZThenByNumber() {
        #expect(BenchCommand.memberNames(2) == ["bench-a", "bench-b"])
        let many = BenchCommand.memberNames(28)
        #expect(many[25] == "bench-z" && many[26] == "bench-27" && many[27] == "bench-28")
    }

    @Test func badConfigFilesAreMessagesNotCrashes() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = [
            "[]", #"{"chat": []}"#, #"{"config_name": "a", "model_type": "openai_chat", "rpm": 1e309}"#,
            #"{"config_name": "a", "model_type": "openai_chat", "client_args": {"timeout": 9.3e15}, "cooldown_time": -1}"#,
            #"{"config_name": "a", "model_type": "openai_chat", "client_args": {"base_url": "http://127.0.0.1:99999/v1"}}"#,
        ]
        for (i, json) in cases.enumerated() {
            let file = directory.appendingPathComponent("config-\(i).json")
            try Data(json.utf8).write(to: file)
            let outcome = try await Self.run(["chat", "--config", file.path, "--model", "a", "hi"])
            #expect(outcome.reason == .exit, "\(json) died of a signal: \(outcome.error)")
            #expect(outcome.status != 0, "\(json)")
            #expect(outcome.error.contains(file.path), "\(json): \(outcome.error)")
        }
    }

    /// `"timeout": 1e10` ("never") used to load and then crash on the first request.
    @Test func foreverTimeoutsServeTheFirstRequest() async throws {
        let simulator = Simulator()
        try await simulator.start()
        defer { Task { await simulator.stop() } }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("models.json")
        try Data(
            """
            {"config_name": "a", "model_type": "openai_chat", "model_name": "sim-chat", "api_key": "sk-x",
             "client_args": {"base_url": "\(simulator.baseURL)", "timeout": 1e10}, "cooldown_time": 1e300}
            """.utf8
        ).write(to: file)
        let outcome = try await Self.run(["chat", "--config", file.path, "--model", "a", "hello there"])
        #expect(outcome.reason == .exit, "died of a signal: \(outcome.error)")
        #expect(outcome.status == 0, "\(outcome.error)")
        #expect(outcome.output.contains("hello there"), "\(outcome.output)")
    }
}

/// Bytes handed from one thread to another.
final class LockedData: @unchecked Sendable {  // every access holds `lock`
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
}
