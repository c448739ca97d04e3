import Foundation
import ArgumentParser
import DendriteLab
import DendriteCore

/// Trains briefly without a window and writes the whole Lab as a PNG.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Train briefly headless and save the full Lab layout as a PNG (no display needed).",
        discussion: "With --lesson N or --lesson FILE.md: the lesson's first step (or --step K) with its panel open, trained to the moment the step describes (or --epochs).")

    @OptionGroup var options: LabOptions

    @Option(help: "Where to write the PNG.")
    var out: String

    @Option(help: "A lesson to render: its number (lessons/NN-*.md) or the path of a lesson .md file.")
    var lesson: String?

    @Option(help: "Epochs to train before rendering (default 30, or for a lesson step: up to the moment it describes).")
    var epochs: Int?

    @Option(help: "Image width in pixels.")
    var width: Int = 1280

    @Option(help: "Image height in pixels.")
    var height: Int = 800

    func validate() throws {
        if let epochs, epochs < 0 { throw ValidationError("--epochs must be 0 or more, got \(epochs)") }
        guard (640...4096).contains(width), (400...4096).contains(height) else {
            throw ValidationError("--width must be 640...4096 and --height 400...4096, got \(width)x\(height)")
        }
    }

    func run() throws {
        do {
            let c: LabController
            let epochs: Int
            if let lesson {
                let l = try LessonLocator.lesson(lesson, lessonsFolder: options.lessons)
                guard options.step <= l.steps.count else {
                    throw ValidationError("--step \(options.step): \(l.file) has \(l.steps.count) steps")
                }
                epochs = self.epochs ?? -1
                c = try renderLabPNG(lesson: l, step: options.step - 1, epochs: epochs, to: out, width: width, height: height)
            } else {
                epochs = self.epochs ?? 30
                c = try renderLabPNG(config: try options.makeConfig(), epochs: epochs, to: out, width: width, height: height)
            }
            let acc = c.session.history.last.map { String(format: "%.1f%%", Double($0.validationAccuracy * 100)) } ?? "–"
            let trained = c.session.trainer.epoch
            let asked = epochs < 0 ? "" : trained == epochs ? "" : " (finished early; asked \(epochs))"
            print("wrote \(out) after \(trained) epochs\(asked) (validation accuracy \(acc))")
        } catch let e as LabError {
            FileHandle.standardError.write(Data("dendrite-lab: \(e)\n".utf8))
            throw ExitCode(1)
        } catch let e as DataError {
            FileHandle.standardError.write(Data("dendrite-lab: \(e)\n".utf8))
            throw ExitCode(1)
        }
    }
}
