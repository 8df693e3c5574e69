import ArgumentParser
import Foundation
import OneSimModels

/// `onesim-models chat`: one chat call, the reply on standard output.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chat", abstract: "Send one prompt and print the reply.")

    @OptionGroup var selection: ModelSelectionOptions

    @Option(name: .long, help: "A system message sent before the prompt.")
    var system: String?

    @Flag(name: .long, help: "Print the reply as it arrives.")
    var stream = false

    @Argument(help: "The user message.")
    var prompt: String

    func run() async throws {
        let manager = ModelManager()
        do {
            let model = try selection.resolve(in: manager, defaultKind: .chat)
            let formatted = model.format(system.map { SystemMessage($0) }, UserMessage(prompt))
            if stream {
                for try await delta in try await model.stream(formatted) {
                    print(delta.text, terminator: "")
                    fflush(nil)
                }
                print()
            } else {
                let response = try await model.acall(formatted)
                print(response.text ?? "")
            }
            await manager.shutdown()
        } catch {
            await manager.shutdown()
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}
