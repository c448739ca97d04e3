import ArgumentParser
import DendriteCore

@main
struct DendriteLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrite-lab",
        abstract: "Learn and run dendritic learning (Perforated Backpropagation).",
        subcommands: [LabCommand.self, LessonsCommand.self, RenderCommand.self, TrainCommand.self, CompareCommand.self,
                      DataCommand.self, Demo.self],
        defaultSubcommand: LabCommand.self)
}
