/// A request the simulator rejects, like OpenAI would.
struct SimulatorRequestError: Error {
    var status: Int
    var message: String
    var code: String? = nil
    var param: String? = nil
}
