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

    /// Runs `body` on the render thread with the model to itself.
    func withModel<T>(_ body: () throws -> T) rethrows -> T {
        waiting.add(1, ordering: .sequentiallyConsistent)
        controller.modelLock.lock()
        waiting.subtract(1, ordering: .sequentiallyConsistent)
        defer { controller.modelLock.unlock() }
        return try body()
    }

    private func yieldToRenderThread() {
        while waiting.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
    }

    private func loop() {
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
            if controller.readingDue {
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
