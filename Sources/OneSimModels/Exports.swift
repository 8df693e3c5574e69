// `import OneSimModels` is all a user writes: the umbrella re-exports every library module.
@_exported import OneSimModelsCore
@_exported import OneSimModelsParsers
@_exported import OneSimModelsProviders
@_exported import OneSimModelsRouting
@_exported import OneSimModelsUsage
