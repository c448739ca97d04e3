import Foundation
import Synchronization

/// Trains the Lab's session on a thread of its own while the window draws, so a larger
/// network's batches and the views' readings of the model (grid probes: a forward and a
/// backward pass over 4096 inputs) never hold up a frame (design.md 4).
///
/// The two threads share the session through `LabController.modelLock`. This thread takes
/// it for slices of a few milliseconds of batches, paced as auto speed asks
/// (`LabController.trainSlice`), and re-reads the model for the views when that is due;
/// the render thread takes it (`withModel`) to handle input and to copy what a frame
/// shows, then draws without it. Only auto speed trains here: the slow speeds, for
/// watching single batches, train in the frame as before.
final class TrainingThread: @unchecked Sendable {
    private let controller: LabController
    private let signal = NSCondition()
    private var active = false
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    /// Render-thread calls waiting for the lock: this thread lets them in first, so input
    /// never waits behind more than one slice.
    private let waiting = Atomic<Int>(0)
    /// Seconds of batches per slice: an upper bound on how long input waits for the model.
    static let slice = 0.002
    /// When the render thread last copied a frame (uptime nanoseconds; `ReadingTiming`).
    private let lastFrameCopy = Atomic<UInt64>(0)
    private var readingTiming = ReadingTiming()
    /// This thread's nice value: below the render thread and the rasteriser's threads.
    static let nice: Int32 = 10

    init(controller: LabController) { self.controller = controller }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "dendrite-lab training"
        thread.start()
    }

    /// Ends the thread after its current slice and waits for it.
    /// Once it returns, no batch runs any more; calling it again does nothing.
    func stop() {
        signal.lock()
        let first = !stopping
        stopping = true
        signal.signal()
        signal.unlock()
        if first { finished.wait() }
    }

    /// Whether this thread should train now (auto speed and playing); set every frame.
    func setActive(_ on: Bool) {
        signal.lock()
        if active != on {
            active = on
            signal.signal()
        }
        signal.unlock()
    }

    /// Runs `body` on the render thread with the model to itself. `frameCopy`: the
    /// frame's one copy of what it draws (readings are timed after it).
    func withModel<T>(frameCopy: Bool = false, _ body: () throws -> T) rethrows -> T {
        waiting.add(1, ordering: .sequentiallyConsistent)
        controller.modelLock.lock()
        waiting.subtract(1, ordering: .sequentiallyConsistent)
        defer {
            if frameCopy { lastFrameCopy.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }
            controller.modelLock.unlock()
        }
        return try body()
    }

    /// Sets the calling thread's nice value to `nice`. On Linux the nice value belongs to
    /// each thread, and `who` 0 names the calling one, so the render thread keeps its own.
    /// Returns whether the system agreed.
    @discardableResult
    static func lowerPriority() -> Bool {
        #if os(Linux)
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
        #else
        return false
        #endif
    }

    private func yieldToRenderThread() {
        while waiting.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
    }

    private func loop() {
        // Training takes the CPU the window leaves: when both want a core (a redraw, which
        // a software OpenGL shades on every core), the drawing goes first, so frames keep
        // their schedule; auto speed's pacing makes up the batches afterwards. (If the
        // system refuses, the thread trains at normal priority.)
        Self.lowerPriority()
        var last = DispatchTime.now().uptimeNanoseconds
        while true {
            signal.lock()
            while !active && !stopping {
                signal.wait()
                last = DispatchTime.now().uptimeNanoseconds
            }
            let stop = stopping
            signal.unlock()
            if stop { break }
            let now = DispatchTime.now().uptimeNanoseconds
            let elapsed = Double(now &- last) * 1e-9
            last = now
            controller.modelLock.lock()
            let done = controller.trainSlice(elapsed: elapsed, budget: Self.slice)
            var toDraw: (picture: NetworkPicture, rect: Rect)?
            if !controller.readingDue {
                readingTiming.notDue()
            } else if readingTiming.starts(now: DispatchTime.now().uptimeNanoseconds,
                                           lastFrameCopy: lastFrameCopy.load(ordering: .relaxed)) {
                controller.refreshReading()
                toDraw = controller.connectionsToDraw
            }
            controller.modelLock.unlock()
            yieldToRenderThread()
            if let (picture, rect) = toDraw {
                // Rasterising the connections needs only the picture: no lock, so
                // the frame goes on meanwhile.
                let image = ConnectionImage(picture: picture, rect: rect, theme: .standard)
                controller.modelLock.lock()
                controller.attach(image)
                controller.modelLock.unlock()
                yieldToRenderThread()
            }
            // Nothing owed yet (auto speed is paced): come back in a millisecond.
            if done == 0 { usleep(1000) }
        }
        finished.signal()
    }
}

/// When a due reading of the model starts. A reading holds the model lock for several
/// milliseconds, and the render thread takes the lock once a frame to copy what it
/// draws: a reading that starts just after that copy ends long before the next one, so
/// no frame waits behind it.
struct ReadingTiming {
    /// How soon after a frame's copy a reading may start (seconds).
    static let window = 0.004
    /// How long a due reading waits for a copy before it goes ahead anyway (a frame that
    /// runs long, or a window that draws no frames).
    static let patience = 0.05
    /// When the pending reading first came due (uptime nanoseconds).
    private var dueSince: UInt64?

    /// Whether the reading due at `now` starts now, given when the last frame copy ended.
    mutating func starts(now: UInt64, lastFrameCopy: UInt64) -> Bool {
        let due = dueSince ?? now
        let afterCopy = now >= lastFrameCopy && Double(now - lastFrameCopy) * 1e-9 < Self.window
        if afterCopy || Double(now &- due) * 1e-9 >= Self.patience {
            dueSince = nil
            return true
        }
        dueSince = due
        return false
    }

    /// No reading is due (the render thread made one itself, or nothing changed): the
    /// next one waits its own patience.
    mutating func notDue() { dueSince = nil }
}
