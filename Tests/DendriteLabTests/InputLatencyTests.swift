@preconcurrency import CSDL2
import Testing
@testable import DendriteLab

extension LabSuite {
    @Suite struct InputLatencyTests {
        /// A `--frames` run presses C twice a period to measure input; wherever it stops,
        /// the presses still owed bring the curves back, so its screenshot shows the Lab as
        /// a learner would see it (lesson 7's run stopped at 331 frames with them hidden).
        @Test(arguments: [0, 10, 11, 30, 31, 331, 345, 600])
        func aRunLeavesTheCurvesAsTheyWere(frames: Int) {
            let c = LabController(config: smallConfig())
            let shown = c.state.showCurves
            for f in 0..<frames {
                for probe in InputLatency.probeKeys where probe.frame == f % InputLatency.probePeriod {
                    c.handle(InputLatency.keyDown(probe.key))
                }
            }
            for key in InputLatency.owedPresses(after: frames) { c.handle(InputLatency.keyDown(key)) }
            #expect(c.state.showCurves == shown, "after \(frames) frames")
        }

        @Test func aPressIsOwedOnlyBetweenTheTwoOfAPair() {
            #expect(InputLatency.owedPresses(after: 331) == [SDLK_c])
            #expect(InputLatency.owedPresses(after: 330).isEmpty)
            #expect(InputLatency.owedPresses(after: 351).isEmpty)
        }
    }
}
