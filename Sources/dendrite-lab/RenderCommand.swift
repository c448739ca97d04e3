import Foundation
import ArgumentParser
import DendriteLab

/// Trains briefly without a window and writes the whole Lab as a PNG.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Train briefly headless and save the full Lab layout as a PNG (no display needed).")

    @OptionGroup var options: LabOptions

    @Option(help: "Where to write the PNG.")
    var out: String

    @Option(help: "Epochs to train before rendering.")
    var epochs: Int = 30

    @Option(help: "Image width in pixels.")
    var width: Int = 1280

    @Option(help: "Image height in pixels.")
    var height: Int = 800

    func validate() throws {
        guard epochs >= 0 else { throw ValidationError("--epochs must be 0 or more, got \(epochs)") }
        guard (640...4096).contains(width), (400...4096).contains(height) else {
            throw ValidationError("--width must be 640...4096 and --height 400...4096, got \(width)x\(height)")
        }
    }

    func run() throws {
        do {
            let c = try renderLabPNG(config: options.config, epochs: epochs, to: out, width: width, height: height)
            let acc = c.session.history.last.map { String(format: "%.1f%%", Double($0.validationAccuracy * 100)) } ?? "–"
            print("wrote \(out) after \(epochs) epochs (validation accuracy \(acc))")
        } catch let e as LabError {
            FileHandle.standardError.write(Data("dendrite-lab: \(e)\n".utf8))
            throw ExitCode(1)
        }
    }
}
