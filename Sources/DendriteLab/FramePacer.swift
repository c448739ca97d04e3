import Foundation

/// Frames on a fixed schedule (60 Hz): each frame sleeps until its deadline, so a late
/// wake-up is made up by the next frame instead of adding up; a frame more than one
/// period late restarts the schedule (counted in `framesBehind`). Also the frame rate
/// over the last 30 frames, shown in the status line.
struct FramePacer {
    let frameTime: Double
    private var deadline: Double?
    private var recent: [Double] = []
    private(set) var framesBehind = 0
    /// When the first frame ended (it reads the model and draws everything once).
    private(set) var firstFrame = 0.0
    private(set) var fps = 0.0

    init(frameTime: Double) { self.frameTime = frameTime }

    /// Ends a frame: waits for the next deadline. `now` gives seconds since the run began.
    mutating func endFrame(now: () -> Double) {
        if deadline == nil { firstFrame = now() }
        let next = (deadline ?? firstFrame) + frameTime
        deadline = next
        let wait = next - now()
        if wait > 0 {
            usleep(UInt32(wait * 1e6))
        } else if wait < -frameTime {
            deadline = now()
            framesBehind += 1
        }
        recent.append(now())
        if recent.count > 30 { recent.removeFirst() }
        if let first = recent.first, let last = recent.last, recent.count > 1 {
            fps = Double(recent.count - 1) / (last - first)
        }
    }
}
