import ArgumentParser
import OneSimModels

/// Options shared by `chat` and `embed`: the config file and which model to use.
struct ModelSelectionOptions: ParsableArguments {
    @Option(name: .long, help: "Path to a JSON model config file.")
    var config: String

    @Option(name: .long, help: "Config or balancer name to use.")
    var model: String?

    @Option(name: .customLong("model-name"), help: "Use the balancer over every config with this model_name.")
    var modelName: String?

    @Option(name: .customLong("model-type"), help: "chat or embedding: use that type's default balancer.")
    var modelType: ModelKind?

    /// Loads the config file into `manager` and resolves the model.
    func resolve(in manager: ModelManager, defaultKind: ModelKind) throws -> any ModelAdapter {
        try manager.loadModelConfigs(path: config)
        if let model { return try manager.getModel(configName: model) }
        return try manager.getModel(modelType: modelType ?? (modelName == nil ? defaultKind : nil), modelName: modelName)
    }
}

extension ModelKind: ExpressibleByArgument {}

/// Prints `message` to standard error.
func printError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

/// Standard error as a text stream.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.writeToStandardError(string)
    }
}
