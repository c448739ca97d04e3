import Foundation

/// Frames on a fixed schedule (60 Hz): each frame sleeps until its deadline, so a late
/// wake-up is made up by the next frame instead of adding up; a frame more than one
/// period late restarts the schedule (counted in `framesBehind`). Also the frame rate
/// over the last 30 frames, shown in the status line.
struct FramePacer {
    let frameTime: Double
    /// Waits the given seconds (a test passes a clock of its own).
    private let sleep: (Double) -> Void
    private var deadline: Double?
    private var recent: [Double] = []
    private(set) var framesBehind = 0
    /// When the first frame's work ended (it reads the model and draws everything once),
    /// and when its period on screen ended: the steady rate counts from there.
    private(set) var firstFrame = 0.0, firstPeriodEnd = 0.0
    private(set) var fps = 0.0

    init(frameTime: Double, sleep: @escaping (Double) -> Void = { usleep(UInt32($0 * 1e6)) }) {
        self.frameTime = frameTime
        self.sleep = sleep
    }

    /// Ends a frame: waits for the next deadline. `now` gives seconds since the run began.
    mutating func endFrame(now: () -> Double) {
        let first = deadline == nil
        if first { firstFrame = now() }
        let next = (deadline ?? firstFrame) + frameTime
        deadline = next
        let wait = next - now()
        if wait > 0 {
            sleep(wait)
        } else if wait < -frameTime {
            deadline = now()
            framesBehind += 1
        }
        if first { firstPeriodEnd = now() }
        recent.append(now())
        if recent.count > 30 { recent.removeFirst() }
        if let first = recent.first, let last = recent.last, recent.count > 1 {
            fps = Double(recent.count - 1) / (last - first)
        }
    }

    /// Frames per second after the first frame, for a run of `frames` frames that ended
    /// at `end`: the frames after the first over the time from the end of its period (a
    /// run that keeps the schedule gives exactly the target rate).
    func steadyFPS(frames: Int, end: Double) -> Double {
        frames > 1 && end > firstPeriodEnd ? Double(frames - 1) / (end - firstPeriodEnd) : 0
    }
}
