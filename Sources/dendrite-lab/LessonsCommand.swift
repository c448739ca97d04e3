import ArgumentParser
import DendriteCore
import DendriteLab
import Foundation

/// `dendrite-lab lessons`: list the lessons, or check that they are well-formed (and,
/// with `--run`, that what they promise is what the engine does).
struct LessonsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lessons",
        abstract: "List the lessons, or validate lesson files.",
        discussion: """
            Lessons are Markdown files with YAML front matter (see lessons/README.md).
            Examples:
              dendrite-lab lessons
              dendrite-lab lessons --check
              dendrite-lab lessons --check --run lessons/02-dendrite-xor.md
              dendrite-lab lessons --pictures docs/lessons
            """)

    @Flag(help: "Validate the lessons: exit non-zero on the first file with an error (printed as FILE:LINE: problem).")
    var check = false

    @Flag(name: .customLong("run"), help: "With --check: also train every step that states an expectation and check it.")
    var train = false

    @Option(help: "Render every lesson's picture (its picture step, trained to the moment it describes) as DIR/NAME.png.")
    var pictures: String?

    @Option(help: "Folder of lesson files.")
    var lessons: String = "lessons"

    @Argument(help: "Lesson files to check (default: every .md file in --lessons).")
    var files: [String] = []

    func run() throws {
        let paths = try files.isEmpty ? LessonLoader.lessonFiles(in: lessons) : files
        if paths.isEmpty { throw ValidationError("no lesson files in \(lessons)") }
        var bad = 0
        for path in paths {
            do {
                let lesson = try LessonLoader.load(path: path)
                let checks = lesson.steps.reduce(0) { $0 + $1.expectations.count }
                if let pictures {
                    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                    let out = (pictures as NSString).appendingPathComponent(name + ".png")
                    let step = lesson.pictureStep
                    let c = try renderLabPNG(lesson: lesson, step: step, epochs: -1, to: out)
                    print("wrote \(out): step \(step + 1) '\(lesson.steps[step].title)' at epoch \(c.session.trainer.epoch)")
                    continue
                }
                if !check {
                    print(String(format: "%2d  %@  (%d steps)", lesson.number, lesson.title, lesson.steps.count))
                    continue
                }
                guard train else {
                    print("ok  \(path): \(lesson.steps.count) steps, \(checks) expectations")
                    continue
                }
                for outcome in try LessonRunner.check(lesson) {
                    let shown = outcome.measured.sorted { $0.key.rawValue < $1.key.rawValue }
                        .map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
                    if outcome.failures.isEmpty {
                        print("ok  \(path) step \(outcome.step): \(shown), parameters \(outcome.parameters), epochs \(outcome.epochs)")
                    } else {
                        bad += 1
                        outcome.failures.forEach { printError($0) }
                    }
                }
            } catch {
                bad += 1
                printError("\(error)")
            }
        }
        if bad > 0 { throw ExitCode(1) }
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data(("error: " + line + "\n").utf8))
}
