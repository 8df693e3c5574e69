extension Simulator {
    /// `http://127.0.0.1:<port>`: the `base_url` for the Anthropic (`/v1/messages`), Gemini
    /// (`/v1beta/models/...`), Ollama (`/api/chat`, `/api/embed`) and Azure OpenAI
    /// (`/openai/deployments/...`) endpoints, whose paths start at the server root.
    public var rootURL: String { "http://\(configuration.host):\(port)" }
}
