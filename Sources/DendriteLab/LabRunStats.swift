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
    /// Frames per second after the first frame: the rate the Lab keeps while it runs
    /// (`FramePacer.steadyFPS`).
    public var steadyFPS = 0.0
    public var batchesPerSecond: Double { seconds > 0 ? Double(batches) / seconds : 0 }
}

/// Seconds the render thread spent on each part of its frames, summed over a run.
struct FrameTiming {
    var wait = 0.0, train = 0.0, read = 0.0, draw = 0.0, present = 0.0
    /// Drawing and presenting, in frames that redrew the picture and in frames that reused it.
    var redrawn = 0.0, reused = 0.0
    /// Frames whose busy time (everything before waiting for the next one) was summed in `busy`.
    var busy = 0.0

    /// The run's figures per frame.
    func stats(frames: Int, seconds: Double, batches: Int, redraws: Int) -> LabRunStats {
        let perFrame = 1000 / Double(max(frames, 1))
        var s = LabRunStats(frames: frames, seconds: seconds, batches: batches, busyMillisecondsPerFrame: busy * perFrame)
        s.waitMillisecondsPerFrame = wait * perFrame
        s.trainMillisecondsPerFrame = train * perFrame
        s.readMillisecondsPerFrame = read * perFrame
        s.drawMillisecondsPerFrame = draw * perFrame
        s.presentMillisecondsPerFrame = present * perFrame
        s.sceneRedraws = redraws
        s.redrawnFrameMilliseconds = redrawn * 1000 / Double(max(redraws, 1))
        s.reusedFrameMilliseconds = reused * 1000 / Double(max(frames - redraws, 1))
        return s
    }
}
