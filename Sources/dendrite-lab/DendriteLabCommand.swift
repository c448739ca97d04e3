import Foundation
import ArgumentParser
import DendriteCore

@main
struct DendriteLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dendrite-lab",
        abstract: "Learn and run dendritic learning (Perforated Backpropagation).",
        subcommands: [LabCommand.self, LessonsCommand.self, RenderCommand.self, TrainCommand.self, CompareCommand.self, SweepCommand.self,
                      DataCommand.self, Demo.self],
        defaultSubcommand: LabCommand.self)

    /// Like ArgumentParser's own `main`, but a mistake is reported in one line (the
    /// usage screen is one `--help` away), so scripts and logs get a single clear line.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let text = message(for: error)
            if code == .success || text.isEmpty { exit(withError: error) }
            let line = text.split(separator: "\n").first.map(String.init) ?? text
            FileHandle.standardError.write(Data("Error: \(line)\n".utf8))
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
