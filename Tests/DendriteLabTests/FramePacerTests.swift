import Testing
@testable import DendriteLab

/// The 60 Hz schedule, on a clock the test advances (work per frame, and the pacer's sleeps).
@Suite struct FramePacerTests {
    final class Clock { var t = 0.0 }

    /// Runs frames that each take the given seconds of work; returns the pacer and the end time.
    func run(_ work: [Double]) -> (FramePacer, Double) {
        let clock = Clock()
        var pacer = FramePacer(frameTime: 1.0 / 60) { clock.t += $0 }
        for w in work {
            clock.t += w
            pacer.endFrame { clock.t }
        }
        return (pacer, clock.t)
    }

    @Test func aRunThatKeepsTheScheduleIsSixtyAfterItsFirstFrame() {
        // A slow first frame (opening, first reading), then frames within their period.
        let work = [0.1] + (1..<600).map { $0 % 7 == 0 ? 0.012 : 0.005 }
        let (pacer, end) = run(work)
        #expect(pacer.framesBehind == 0)
        #expect(abs(pacer.steadyFPS(frames: 600, end: end) - 60) < 1e-6)
        // Over the whole run the first frame counts: below 60.
        #expect(Double(600) / end < 59.6)
        #expect(abs(pacer.firstFrame - 0.1) < 1e-12)
    }

    @Test func aFrameSlightlyLateIsMadeUpByTheNext() {
        var work = [Double](repeating: 0.005, count: 120)
        work[50] = 0.025  // 8 ms past its deadline: the next frame starts at once and catches up
        let (pacer, end) = run(work)
        #expect(pacer.framesBehind == 0)
        #expect(abs(pacer.steadyFPS(frames: 120, end: end) - 60) < 1e-6)
    }

    @Test func aFrameMoreThanAPeriodLateRestartsTheSchedule() {
        var work = [Double](repeating: 0.005, count: 120)
        work[50] = 0.040
        let (pacer, end) = run(work)
        #expect(pacer.framesBehind == 1)
        #expect(pacer.steadyFPS(frames: 120, end: end) < 59.9)
    }
}
