@preconcurrency import CSDL2
import Foundation
import DendriteCore

/// What a run of the app measured (printed by `dendrite-lab lab --frames N`).
public struct LabRunStats: Sendable {
    public var frames: Int
    public var seconds: Double
    public var batches: Int
    /// Mean time per frame spent training and drawing, before waiting for the next frame.
    public var busyMillisecondsPerFrame: Double
    /// Mean milliseconds per frame on the render thread: training run there, reading the
    /// model, drawing, presenting (where a frame goes; printed by `--frames`).
    public var readMillisecondsPerFrame = 0.0, drawMillisecondsPerFrame = 0.0
    public var presentMillisecondsPerFrame = 0.0, trainMillisecondsPerFrame = 0.0
    /// Mean milliseconds per frame the render thread waited for the training thread's slice.
    public var waitMillisecondsPerFrame = 0.0
    /// Key press to the end of the frame that shows it.
    public var inputLatency = InputLatency()
    /// Frames whose picture was drawn anew (`SceneCache`); the others reused the last.
    public var sceneRedraws = 0
    /// Mean milliseconds drawing and presenting a frame that redrew the picture, and one that reused it.
    public var redrawnFrameMilliseconds = 0.0, reusedFrameMilliseconds = 0.0
    /// Readings of the model for the views and their mean cost (on the training thread
    /// while it trains).
    public var readings = 0, readingMilliseconds = 0.0
    public var fps: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    /// Seconds the first frame took (opening fonts, the first reading of the model).
    public var firstFrameSeconds = 0.0
    /// Frames that ended more than a frame behind the 60 Hz schedule (it then restarts).
    public var framesBehind = 0
    /// Frames per second after the first frame: the rate the Lab keeps while it runs.
    public var steadyFPS: Double {
        seconds > firstFrameSeconds && frames > 1 ? Double(frames - 1) / (seconds - firstFrameSeconds) : fps
    }
    public var batchesPerSecond: Double { seconds > 0 ? Double(batches) / seconds : 0 }
}

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
        try LabApp.checkDisplay(environment: ProcessInfo.processInfo.environment)
        guard SDL_Init(SDL_INIT_VIDEO) == 0 else { throw LabError.noDisplay(reason: sdlError()) }
        defer { SDL_Quit() }
        // Debian's SDL falls back to its invisible "offscreen" driver when no display
        // works; a window nobody sees is an error unless that driver was asked for.
        let driver = SDL_GetCurrentVideoDriver().map { String(cString: $0) } ?? "none"
        let requested = ProcessInfo.processInfo.environment["SDL_VIDEODRIVER"]?.lowercased()
        if ["offscreen", "dummy"].contains(driver.lowercased()) && requested != driver.lowercased() {
            throw LabError.noDisplay(reason: "no X11 or Wayland display; SDL fell back to '\(driver)'")
        }
        let centred = Int32(bitPattern: SDL_WINDOWPOS_CENTERED_MASK)
        let flags = SDL_WINDOW_RESIZABLE.rawValue | SDL_WINDOW_SHOWN.rawValue
        guard let window = SDL_CreateWindow("Dendrite Lab", centred, centred,
                                            Int32(controller.state.width), Int32(controller.state.height), flags) else {
            throw LabError.noDisplay(reason: sdlError())
        }
        defer { SDL_DestroyWindow(window) }
        SDL_SetWindowMinimumSize(window, 960, 600)
        guard let renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_ACCELERATED.rawValue)
                ?? SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE.rawValue) else {
            throw LabError.sdl(what: "SDL_CreateRenderer", reason: sdlError())
        }
        // The renderer must die before its window (deferred blocks run in reverse order).
        defer { SDL_DestroyRenderer(renderer) }
        let canvas = try Canvas(renderer: renderer)
        defer { canvas.release() }

        let start = DispatchTime.now().uptimeNanoseconds
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
        let frameTime = 1 / targetFPS
        var frameCount = 0, busy = 0.0
        var recent: [Double] = []
        var event = SDL_Event()
        var events: [SDL_Event] = []
        var timing = FrameTiming()
        // Lab networks are small: one core trains them (OpenBLAS and `Parallel` held to
        // one thread, whose helpers would otherwise spin on the drawing core), the other draws.
        let blasThreads = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = blasThreads }
        let scene = SceneCache(renderer: renderer)
        let trainer = TrainingThread(controller: controller)
        trainer.start()
        defer { trainer.stop() }
        var latency = InputLatency()
        let probeKeys = frames != nil ? InputLatency.probeKeys : []
        var fps = 0.0, maxScroll: Float?
        var deadline = now()
        var firstFrame = 0.0, framesBehind = 0
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
            let f = trainer.withModel { () -> FrameInput in
                timing.wait += now() - frameStart
                return frameInput(events: events, size: size, fps: fps, maxScroll: maxScroll, timing: &timing, now: now)
            }
            for e in events where e.type == SDL_DROPFILE.rawValue { if let file = e.drop.file { SDL_free(file) } }
            if f.quit { break }
            trainer.setActive(f.auto)
            canvas.time = frameStart
            let drawStart = now()
            let redrawsBefore = scene.redraws
            maxScroll = scene.draw(canvas, frame: f.frame, state: f.state, time: frameStart)
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
            busy += now() - frameStart
            if frameCount == 1 { firstFrame = now() }
            // Frames start on a fixed 60 Hz schedule, so a late wake-up is made up by the
            // next frame instead of adding up (at most one frame is made up).
            deadline += frameTime
            let wait = deadline - now()
            if wait > 0 {
                usleep(UInt32(wait * 1e6))
            } else if wait < -frameTime {
                deadline = now()
                framesBehind += 1
            }
            recent.append(now())
            if recent.count > 30 { recent.removeFirst() }
            // Invariant: recent has more than one element here.
            if recent.count > 1 { fps = Double(recent.count - 1) / (recent.last! - recent.first!) }
            if let frames, frameCount >= frames { break }
            if let stop, trainer.withModel({ stop(controller) }) { break }
        }
        trainer.setActive(false)
        let seconds = now()
        if let screenshot { try trainer.withModel { try controller.saveScreenshot(to: screenshot, time: seconds) } }
        let perFrame = 1000 / Double(max(frameCount, 1))
        var stats = LabRunStats(frames: frameCount, seconds: seconds, batches: controller.batchesTrained,
                                busyMillisecondsPerFrame: busy * perFrame)
        stats.waitMillisecondsPerFrame = timing.wait * perFrame
        stats.trainMillisecondsPerFrame = timing.train * perFrame
        stats.readMillisecondsPerFrame = timing.read * perFrame
        stats.drawMillisecondsPerFrame = timing.draw * perFrame
        stats.presentMillisecondsPerFrame = timing.present * perFrame
        stats.inputLatency = latency
        stats.sceneRedraws = scene.redraws
        stats.firstFrameSeconds = firstFrame
        stats.framesBehind = framesBehind
        stats.redrawnFrameMilliseconds = timing.redrawn * 1000 / Double(max(scene.redraws, 1))
        stats.reusedFrameMilliseconds = timing.reused * 1000 / Double(max(frameCount - scene.redraws, 1))
        (stats.readings, stats.readingMilliseconds) = trainer.withModel {
            (controller.readings, controller.readingSeconds * 1000 / Double(max(controller.readings, 1)))
        }
        return stats
    }

    /// Seconds the render thread spent on each part of its frames.
    private struct FrameTiming {
        var wait = 0.0, train = 0.0, read = 0.0, draw = 0.0, present = 0.0
        /// Drawing and presenting, in frames that redrew the picture and in frames that reused it.
        var redrawn = 0.0, reused = 0.0
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
