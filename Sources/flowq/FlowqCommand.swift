import ArgumentParser

@main
struct FlowqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flowq")
}
