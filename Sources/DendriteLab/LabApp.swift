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
    public var fps: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    public var batchesPerSecond: Double { seconds > 0 ? Double(batches) / seconds : 0 }
}

/// The interactive Lab: one resizable window, an event loop at 60 frames per second, and
/// training in bounded slices inside each frame so the window never freezes.
public final class LabApp {
    public let controller: LabController
    public var targetFPS: Double = 60
    /// Seconds of training allowed per frame; at auto speed the budget is what the last
    /// frames' drawing left of the frame time (at least 2 ms, and half the drawing time).
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
        var drawCost = 0.0
        var trainTime = 0.0, readTime = 0.0, drawTime = 0.0, presentTime = 0.0
        while !controller.quitRequested {
            let frameStart = now()
            while SDL_PollEvent(&event) != 0 {
                controller.handle(event)
                if event.type == SDL_DROPFILE.rawValue, let file = event.drop.file { SDL_free(file) }
            }
            // Auto speed: what drawing leaves of the frame; when drawing alone overruns the
            // frame (a slow or busy machine), training still gets a third of each frame.
            let budget = controller.state.batchesPerFrame.isInfinite
                ? min(0.05, max(0.002, frameTime - drawCost - 0.002, 0.5 * drawCost)) : trainingBudget
            let tickStart = now()
            controller.tick(budget: budget)
            trainTime += now() - tickStart
            let (w, h) = canvas.outputSize
            if w != controller.state.width || h != controller.state.height { controller.perform(.resize(w, h)) }
            canvas.time = frameStart
            let drawStart = now()
            let frame = controller.frame()
            let readEnd = now()
            controller.draw(canvas, frame: frame)
            let drawEnd = now()
            SDL_RenderPresent(renderer)
            readTime += readEnd - drawStart
            drawTime += drawEnd - readEnd
            presentTime += now() - drawEnd
            drawCost = 0.8 * drawCost + 0.2 * (now() - drawStart)
            if controller.screenshotRequested {
                controller.screenshotRequested = false
                let path = "dendrite-lab-\(Int(Date().timeIntervalSince1970)).png"
                do {
                    try controller.saveScreenshot(to: path, time: frameStart)
                    controller.say("Saved \(path)")
                } catch {
                    controller.say("\(error)")
                }
            }
            frameCount += 1
            busy += now() - frameStart
            let elapsed = now() - frameStart
            if elapsed < frameTime { SDL_Delay(UInt32((frameTime - elapsed) * 1000)) }
            recent.append(now())
            if recent.count > 30 { recent.removeFirst() }
            if recent.count > 1 { controller.fps = Double(recent.count - 1) / (recent.last! - recent.first!) }
            if let frames, frameCount >= frames { break }
            if let stop, stop(controller) { break }
        }
        let seconds = now()
        if let screenshot { try controller.saveScreenshot(to: screenshot, time: seconds) }
        let perFrame = 1000 / Double(max(frameCount, 1))
        var stats = LabRunStats(frames: frameCount, seconds: seconds, batches: controller.batchesTrained,
                                busyMillisecondsPerFrame: busy * perFrame)
        stats.trainMillisecondsPerFrame = trainTime * perFrame
        stats.readMillisecondsPerFrame = readTime * perFrame
        stats.drawMillisecondsPerFrame = drawTime * perFrame
        stats.presentMillisecondsPerFrame = presentTime * perFrame
        return stats
    }
}
