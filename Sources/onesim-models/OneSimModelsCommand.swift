import ArgumentParser

/// `onesim-models`: the demo, one-off chat and embedding calls, and the mock server.
@main
struct OneSimModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onesim-models",
        abstract: "One interface to language and embedding models, with load balancing.",
        subcommands: [
            DemoCommand.self, ChatCommand.self, EmbedCommand.self, BenchCommand.self, ServeMockCommand.self, ServeCommand.self,
            FleetTableCommand.self, DispatchCostCommand.self,
        ],
        defaultSubcommand: DemoCommand.self)
}
