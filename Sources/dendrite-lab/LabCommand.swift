import Foundation
import ArgumentParser
import DendriteLab
import DendriteCore

/// Opens the interactive Lab window; with --frames, runs that many frames and reports speed.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Open the Lab: watch a network (and its dendrites) learn a 2-D toy problem.",
        discussion: """
            With LESSON (a number such as 3, or a path to a lesson .md file) the Lab plays that lesson:
            its text in a side panel, PageDown / PageUp (or the panel's buttons) for the next / previous
            step, each step training its own settings from the start. Without arguments the Lab opens
            the first lesson when a lessons/ folder exists, else the free playground.
            Keys: Space play/pause, → step a batch, E step an epoch, +/- speed, R reset, N new seed,
            M mode, D add dendrites, 1-7 dataset, [ ] noise, S screenshot, U update rule, H help, Q quit,
            PageDown / PageUp next / previous lesson step, Ctrl+S save the network
            (lab-<timestamp>.safetensors), Ctrl+O load the newest saved one; drop a .safetensors
            or .csv file on the window to open it.
            --csv FILE plays your own x,y,label points; --load FILE resumes a saved network.
            Without a display: xvfb-run -a dendrite-lab, or dendrite-lab render --out lab.png.
            """)

    @Argument(help: "A lesson: its number (lessons/NN-*.md) or the path of a lesson .md file.")
    var lesson: String?

    @OptionGroup var options: LabOptions

    @Option(help: "Run this many frames with training playing, then exit (for checks and benchmarks).")
    var frames: Int?

    @Flag(help: "With a lesson and --frames: play until the step's moment, print the seconds it took and whether its goals hold there (scripts/lesson-timings.sh).")
    var untilMoment = false

    @Option(help: "Save a PNG of the last frame here (with --frames).")
    var screenshot: String?

    @Option(help: "Training speed in batches per frame: one of \(LabState.speeds.dropLast().map { $0 >= 1 ? String(Int($0)) : String($0) }.joined(separator: ", ")) (default: auto, as many as the frame allows).")
    var speed: Double?

    @Option(help: "Start from a saved network (a .safetensors checkpoint from Ctrl+S or dendrite-lab train).")
    var load: String?

    @Option(help: "Folder where Ctrl+S saves and Ctrl+O looks for lab-*.safetensors (default: the current folder).")
    var saveDir: String = "."

    func validate() throws {
        if let speed, !LabState.speeds.contains(speed) {
            throw ValidationError("--speed must be one of \(LabState.speeds.map { String($0) }.joined(separator: ", ")), got \(speed)")
        }
        if let frames, frames <= 0 { throw ValidationError("--frames must be positive, got \(frames)") }
        if screenshot != nil && frames == nil { throw ValidationError("--screenshot needs --frames (press S in the window instead)") }
    }

    func run() throws {
        var state = LabState()
        state.playing = frames != nil
        state.speedLevel = speed.flatMap { LabState.speeds.firstIndex(of: $0) } ?? LabState.autoSpeedLevel
        let app: LabApp
        if let name = lesson ?? (CommandLine.arguments.count <= 1 ? LessonLocator.firstLesson(lessonsFolder: options.lessons) : nil) {
            let l = try LessonLocator.lesson(name, lessonsFolder: options.lessons)
            guard options.step <= l.steps.count else {
                throw ValidationError("--step \(options.step): \(l.file) has \(l.steps.count) steps")
            }
            app = LabApp(lesson: l, step: options.step - 1, state: state)
        } else {
            do {
                app = LabApp(config: try options.makeConfig(), state: state)
            } catch let e as DataError {
                FileHandle.standardError.write(Data("dendrite-lab: \(e)\n".utf8))
                throw ExitCode(2)
            }
        }
        app.controller.saveDirectory = saveDir
        if let load {
            do {
                try app.controller.loadNetwork(from: load)
            } catch {
                FileHandle.standardError.write(Data("dendrite-lab: \(error)\n".utf8))
                throw ExitCode(2)
            }
            app.controller.restore({ var s = app.controller.state; s.playing = state.playing; return s }())
        }
        do {
            let stats = try app.run(frames: frames, screenshot: screenshot,
                                    until: untilMoment ? { $0.momentReached } : nil)
            if untilMoment {
                let c = app.controller
                let step = c.lesson.map { $0.steps[c.state.stepIndex] }
                let measured = c.lessonMeasurements()
                let failed = (step?.expectations ?? []).compactMap { LessonRunner.failure($0, measured[$0.metric]) }
                let verdict = !c.momentReached ? "moment not reached" : failed.isEmpty ? "goals hold" : "goals fail: " + failed.joined(separator: "; ")
                print(String(format: "moment %@ after %.2f s (%d frames, %.1f fps, %.1f after the first frame, %d behind, epoch %d): %@",
                             c.momentReached ? "reached" : "missed", stats.seconds, stats.frames, stats.fps, stats.steadyFPS,
                             stats.framesBehind, c.session.trainer.epoch, verdict))
            } else if frames != nil {
                print(String(format: "%d frames in %.2f s: %.1f fps (%.1f fps after the first frame, which took %.0f ms; %d frames fell a frame behind), %.0f training steps/s, %.2f ms busy per frame",
                             stats.frames, stats.seconds, stats.fps, stats.steadyFPS, stats.firstFrameSeconds * 1000, stats.framesBehind,
                             stats.batchesPerSecond, stats.busyMillisecondsPerFrame))
                print(String(format: "render thread, ms per frame: waiting for the model %.2f, training %.2f, reading the model %.2f, drawing %.2f, presenting %.2f",
                             stats.waitMillisecondsPerFrame, stats.trainMillisecondsPerFrame, stats.readMillisecondsPerFrame,
                             stats.drawMillisecondsPerFrame, stats.presentMillisecondsPerFrame))
                print(String(format: "picture redrawn in %d of %d frames (%.2f ms to draw and present, %.2f ms when reused); model read %d times, %.2f ms each",
                             stats.sceneRedraws, stats.frames, stats.redrawnFrameMilliseconds, stats.reusedFrameMilliseconds,
                             stats.readings, stats.readingMilliseconds))
                let l = stats.inputLatency
                if l.count > 0 {
                    print(String(format: "input latency (key press to the frame that shows it, %d presses): mean %.1f ms, max %.1f ms",
                                 l.count, l.meanMilliseconds, l.maxMilliseconds))
                }
                if let screenshot { print("wrote \(screenshot)") }
            }
        } catch let e as LabError {
            FileHandle.standardError.write(Data("dendrite-lab: \(e)\n".utf8))
            throw ExitCode(2)
        }
    }
}
