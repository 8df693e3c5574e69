import ArgumentParser
import OneSimModels

/// `onesim-models embed`: embeds texts, printing one JSON array per text.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Embed texts and print one JSON array per text.")

    @OptionGroup var selection: ModelSelectionOptions

    @Argument(help: "Texts to embed.")
    var texts: [String]

    func validate() throws {
        if texts.isEmpty { throw ValidationError("give at least one text to embed") }
    }

    func run() async throws {
        let manager = ModelManager()
        do {
            let model = try selection.resolve(in: manager, defaultKind: .embedding)
            let response = try await model.acall(texts: texts)
            for vector in response.embeddings {
                print(JSONValue.array(vector.map { .double(Double($0)) }).description)
            }
            await manager.shutdown()
        } catch {
            await manager.shutdown()
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}
