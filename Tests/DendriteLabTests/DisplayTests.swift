import Foundation
import Testing
@testable import DendriteLab

extension LabSuite {
    @Suite struct DisplayTests {
        @Test func noDisplayEnvironmentIsAClearError() {
            #expect(throws: LabError.self) { try LabApp.checkDisplay(environment: [:]) }
            #expect(throws: Never.self) { try LabApp.checkDisplay(environment: ["DISPLAY": ":0"]) }
            let message = LabError.noDisplay(reason: "x").description
            #expect(message.contains("xvfb-run -a dendrite-lab"))
            #expect(message.contains("dendrite-lab render --out lab.png"))
            #expect(!message.contains("\n"))
        }

        @Test func bogusVideoDriverFailsWithoutCrashing() {
            let old = ProcessInfo.processInfo.environment["SDL_VIDEODRIVER"]
            setenv("SDL_VIDEODRIVER", "bogus-driver", 1)
            defer { if let old { setenv("SDL_VIDEODRIVER", old, 1) } else { unsetenv("SDL_VIDEODRIVER") } }
            do {
                try LabApp(config: smallConfig()).run(frames: 1)
                Issue.record("a bogus video driver should not open a window")
            } catch let e as LabError {
                guard case .noDisplay = e else { Issue.record("expected noDisplay, got \(e)"); return }
                #expect(e.description.contains("xvfb-run"))
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }

        /// The small playground, playing, for `frames` frames under SDL's dummy video driver.
        func runPlaying(frames: Int) throws -> (LabApp, LabRunStats) {
            let old = ProcessInfo.processInfo.environment["SDL_VIDEODRIVER"]
            setenv("SDL_VIDEODRIVER", "dummy", 1)
            defer { if let old { setenv("SDL_VIDEODRIVER", old, 1) } else { unsetenv("SDL_VIDEODRIVER") } }
            var state = LabState()
            state.playing = true
            let app = LabApp(config: smallConfig(), state: state)
            app.targetFPS = 1000
            return (app, try app.run(frames: frames))
        }

        @Test func dummyDriverRunsFramesAndTrains() throws {
            let (app, stats) = try runPlaying(frames: 5)
            #expect(stats.frames == 5)
            #expect(stats.batches > 0)
            #expect(app.controller.session.batchesRun == stats.batches)
        }

        /// A --frames run presses C twice every 40 frames (curves off, then on again) and
        /// measures each press from its timestamp to the frame that shows it.
        @Test func framesRunsMeasureKeyPressesAndLeaveTheViewAsItWas() throws {
            let (app, stats) = try runPlaying(frames: 45)
            #expect(stats.inputLatency.count == 2)
            #expect(stats.inputLatency.maxMilliseconds < 1000)
            #expect(app.controller.state.showCurves)
            #expect(stats.sceneRedraws >= 1 && stats.sceneRedraws <= stats.frames)
        }
    }
}
