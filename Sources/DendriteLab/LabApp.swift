@preconcurrency import CSDL2
import Foundation
import DendriteCore

/// The interactive Lab: one resizable window, an event loop at 60 frames per second, and
/// training on its own thread at auto speed (`TrainingThread`), in bounded slices inside
/// each frame at the slow speeds, so the window never freezes.
public final class LabApp {
    public let controller: LabController
    public var targetFPS: Double = 60
    /// Seconds of training allowed per frame at the slow speeds (auto speed trains on
    /// its own thread).
    public var trainingBudget: Double = 0.010

    public init(config: LabConfig = LabConfig(), state: LabState = LabState()) {
        controller = LabController(config: config, state: state)
    }

    /// Plays `lesson` from `step` (0-based) with the lesson panel open.
    public init(lesson: Lesson, step: Int = 0, state: LabState = LabState()) {
        controller = LabController(lesson: lesson, step: step, state: state)
    }

    /// Fails early, before SDL prints anything, when Linux has no display to open and no
    /// SDL video driver was requested.
    static func checkDisplay(environment env: [String: String]) throws {
        #if os(Linux)
        func set(_ k: String) -> Bool { !(env[k] ?? "").isEmpty }
        if !set("SDL_VIDEODRIVER") && !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            throw LabError.noDisplay(reason: "neither DISPLAY nor WAYLAND_DISPLAY is set")
        }
        #endif
    }

    /// Opens the window and runs until quit, or for `frames` frames when given, or until
    /// `stop` says so after a frame (then saves `screenshot` if given). Throws `LabError.noDisplay` when no window can open.
    @discardableResult
    public func run(frames: Int? = nil, screenshot: String? = nil, until stop: ((LabController) -> Bool)? = nil) throws -> LabRunStats {
        let window = try LabWindow(width: controller.state.width, height: controller.state.height)
        // Deferred blocks run last to first: the window (renderer, SDL) outlives everything below.
        defer { withExtendedLifetime(window) {} }
        let canvas = window.canvas, renderer = window.renderer

        let start = DispatchTime.now().uptimeNanoseconds
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        var pacer = FramePacer(frameTime: 1 / targetFPS)
        var frameCount = 0
        var event = SDL_Event()
        var events: [SDL_Event] = []
        var timing = FrameTiming()
        // Lab networks are small: one core trains them (OpenBLAS and `Parallel` held to
        // one thread, whose helpers would otherwise spin on the drawing core), the other draws.
        let blasThreads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = blasThreads }
        let scene = SceneCache(renderer: renderer)
        defer { scene.release() }
        let trainer = TrainingThread(controller: controller)
        trainer.start()
        defer { trainer.stop() }
        var latency = InputLatency()
        let probeKeys = frames != nil ? InputLatency.probeKeys : []
        var maxScroll: Float?
        while true {
            let frameStart = now()
            if let key = probeKeys.first(where: { $0.frame == frameCount % InputLatency.probePeriod }) {
                InputLatency.push(key: key.key)
            }
            events.removeAll(keepingCapacity: true)
            while SDL_PollEvent(&event) != 0 { events.append(event) }
            // The model is held once a frame: input, the slow speeds' training, and a copy
            // of what to draw. Auto speed trains on `TrainingThread` meanwhile.
            let size = canvas.outputSize
            let f = trainer.withModel(frameCopy: true) { () -> FrameInput in
                timing.wait += now() - frameStart
                return frameInput(events: events, size: size, fps: pacer.fps, maxScroll: maxScroll, timing: &timing, now: now)
            }
            for e in events where e.type == SDL_DROPFILE.rawValue { if let file = e.drop.file { SDL_free(file) } }
            if f.quit { break }
            trainer.setActive(f.auto)
            canvas.time = frameStart
            let drawStart = now()
            let redrawsBefore = scene.redraws
            maxScroll = scene.draw(canvas, frame: f.frame, state: f.state)
            let drawEnd = now()
            SDL_RenderPresent(renderer)
            timing.draw += drawEnd - drawStart
            timing.present += now() - drawEnd
            if scene.redraws > redrawsBefore { timing.redrawn += now() - drawStart } else { timing.reused += now() - drawStart }
            for e in events where e.type == SDL_KEYDOWN.rawValue {
                latency.record(milliseconds: Double(SDL_GetTicks() &- e.key.timestamp))
            }
            if f.screenshot { trainer.withModel { saveScreenshot(time: frameStart) } }
            frameCount += 1
            timing.busy += now() - frameStart
            pacer.endFrame(now: now)
            if let frames, frameCount >= frames { break }
            if let stop, trainer.withModel({ stop(controller) }) { break }
        }
        // The run's time ends with its last frame: stopping the training thread (which
        // first ends its slice, or a reading of the model) belongs to no frame. The
        // batches are counted at the same moment.
        let seconds = now()
        let batches = trainer.withModel { controller.batchesTrained }
        trainer.stop()
        for key in probeKeys.isEmpty ? [] : InputLatency.owedPresses(after: frameCount) {
            _ = trainer.withModel { controller.handle(InputLatency.keyDown(key)) }
        }
        if let screenshot { try trainer.withModel { try controller.saveScreenshot(to: screenshot, time: seconds) } }
        var stats = timing.stats(frames: frameCount, seconds: seconds, batches: batches, redraws: scene.redraws)
        stats.inputLatency = latency
        stats.firstFrameSeconds = pacer.firstFrame
        stats.steadyFPS = pacer.steadyFPS(frames: frameCount, end: seconds)
        stats.framesBehind = pacer.framesBehind
        (stats.readings, stats.readingMilliseconds) = trainer.withModel {
            (controller.readings, controller.readingSeconds * 1000 / Double(max(controller.readings, 1)))
        }
        return stats
    }

    /// What a frame takes from the model while holding it.
    private struct FrameInput {
        var frame: LabFrame
        var state: LabState
        /// Auto speed and playing: `TrainingThread` trains.
        var auto: Bool
        var quit: Bool
        var screenshot: Bool
    }

    /// With the model held: handles the frame's events, trains at the slow speeds, and
    /// copies what the frame draws.
    private func frameInput(events: [SDL_Event], size: (w: Int, h: Int), fps: Double, maxScroll: Float?,
                            timing: inout FrameTiming, now: () -> Double) -> FrameInput {
        if let maxScroll { controller.setLessonMaxScroll(maxScroll) }
        for e in events { controller.handle(e) }
        controller.fps = fps
        let auto = controller.state.playing && controller.state.batchesPerFrame.isInfinite
        controller.trainsOnOwnThread = auto
        let trainStart = now()
        if auto { controller.state.frame += 1 } else { controller.tick(budget: trainingBudget) }
        if size.w != controller.state.width || size.h != controller.state.height { controller.perform(.resize(size.w, size.h)) }
        let readStart = now()
        let frame = controller.frame()
        timing.train += readStart - trainStart
        timing.read += now() - readStart
        let shot = controller.screenshotRequested
        controller.screenshotRequested = false
        return FrameInput(frame: frame, state: controller.state, auto: auto, quit: controller.quitRequested, screenshot: shot)
    }

    /// S: saves the current frame as a PNG in the current folder and says where.
    private func saveScreenshot(time: Double) {
        let path = "dendrite-lab-\(Int(Date().timeIntervalSince1970)).png"
        do {
            try controller.saveScreenshot(to: path, time: time)
            controller.say("Saved \(path)")
        } catch {
            controller.say("\(error)")
        }
    }
}
