import ArgumentParser
import DendriteCore

@main
struct DendriteLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrite-lab",
        abstract: "Learn and run dendritic learning (Perforated Backpropagation).",
        subcommands: [Demo.self, DataCommand.self, TrainCommand.self, CompareCommand.self],
        defaultSubcommand: Demo.self)
}
