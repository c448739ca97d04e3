import Foundation
@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    @Suite struct ControlsTests {
        @Test func rightArrowStepsExactlyOneBatch() {
            let c = LabController(config: smallConfig())
            #expect(c.handle(keyEvent(SDLK_RIGHT)) == [.stepBatch])
            #expect(c.session.batchesRun == 1)
            #expect(c.session.trainer.batchInEpoch == 1)
            for _ in 0..<5 { c.tick() }
            #expect(c.session.batchesRun == 1, "a paused Lab must not train between frames")
        }

        @Test func shiftRightAndEStepOneEpoch() {
            let c = LabController(config: smallConfig())
            c.handle(keyEvent(SDLK_RIGHT, shift: true))
            #expect(c.session.trainer.epoch == 1)
            #expect(c.session.trainer.batchInEpoch == 0)
            #expect(c.session.batchesRun == c.session.trainer.batchesPerEpoch)
            c.handle(keyEvent(SDLK_e))
            #expect(c.session.trainer.epoch == 2)
            #expect(c.session.history.count == 2)
        }

        @Test func spacePlaysAndPauseStopsTraining() {
            let c = LabController(config: smallConfig())
            c.restore({ var s = c.state; s.speedLevel = 5; return s }())   // 2 batches per frame
            c.handle(keyEvent(SDLK_SPACE))
            #expect(c.state.playing)
            for _ in 0..<4 { c.tick(budget: 1) }
            let trained = c.session.batchesRun
            #expect(trained == 8)
            c.handle(keyEvent(SDLK_SPACE))
            #expect(!c.state.playing)
            for _ in 0..<4 { c.tick(budget: 1) }
            #expect(c.session.batchesRun == trained)
        }

        /// Auto speed (the default) plays a lesson step's whole budget in about
        /// `autoSeconds` at the measured frame rate: a short step is still watchable.
        @Test func autoSpeedPlaysAStepInAFewSeconds() throws {
            let yaml = "---\ntitle: T\ndataset: {name: xor, count: 400}\nnetwork: {layers: [dense 1]}\nepochs: 40\nbatch_size: 16\n---\n## S\ntext\n"
            let c = LabController(lesson: try LessonLoader.parse(yaml, file: "t.md"))
            #expect(c.state.batchesPerFrame.isInfinite)
            #expect(c.session.trainer.batchesPerEpoch == 20)        // 320 training points, batches of 16
            #expect(c.autoBatchesPerFrame == 3)                    // 40 * 20 batches / (6 s * 60 frames), rounded up
            c.perform(.togglePlay)
            var frames = 0
            while c.state.playing && frames < 2000 { c.tick(budget: 1); frames += 1 }
            #expect(c.session.trainer.epoch == 40)
            #expect((200...360).contains(frames), "\(frames) frames")
            c.fps = 30                                             // a slower machine: twice the batches per frame
            #expect(c.autoBatchesPerFrame == 5)
        }

        @Test func speedKeysChangeBatchesPerFrame() {
            let c = LabController(config: smallConfig())
            c.handle(keyEvent(SDLK_PLUS))                     // auto is the fastest level already
            #expect(c.state.batchesPerFrame.isInfinite)
            c.handle(keyEvent(SDLK_MINUS))                    // below auto: fixed speeds
            c.handle(keyEvent(SDLK_MINUS))
            let before = c.state.batchesPerFrame
            #expect(before == 32)
            c.handle(keyEvent(SDLK_PLUS))
            #expect(c.state.batchesPerFrame == 2 * before)
            c.handle(keyEvent(SDLK_MINUS))
            c.handle(keyEvent(SDLK_MINUS))
            #expect(c.state.batchesPerFrame == before / 2)
        }

        @Test func resetRestoresTheInitialWeights() {
            let c = LabController(config: smallConfig())
            let initial = c.session.network.parameters.map(\.value)
            c.handle(keyEvent(SDLK_e))
            #expect(c.session.network.parameters.map(\.value) != initial, "training must change the weights")
            c.handle(keyEvent(SDLK_r))
            #expect(c.session.network.parameters.map(\.value) == initial)
            #expect(c.session.history.isEmpty)
            #expect(c.session.batchesRun == 0)
            // And training again from there retraces the first run exactly.
            let fresh = LabController(config: smallConfig())
            fresh.handle(keyEvent(SDLK_e))
            c.handle(keyEvent(SDLK_e))
            #expect(c.session.network.parameters.map(\.value) == fresh.session.network.parameters.map(\.value))
        }

        @Test func reseedGivesNewWeights() {
            let c = LabController(config: smallConfig())
            let initial = c.session.network.parameters.map(\.value)
            c.handle(keyEvent(SDLK_n))
            #expect(c.session.config.seed == smallConfig().seed + 1)
            #expect(c.session.network.parameters.map(\.value) != initial)
        }

        @Test func modeDatasetNoiseHelpAndQuitKeys() {
            let c = LabController(config: smallConfig())
            c.handle(keyEvent(SDLK_m))
            #expect(c.session.config.mode == .gd)
            c.handle(keyEvent(SDLK_m)); c.handle(keyEvent(SDLK_m))
            #expect(c.session.config.mode == .none)
            c.handle(keyEvent(SDLK_4))
            #expect(c.session.config.dataset == .spiral)
            #expect(c.session.train.name.hasPrefix("spiral"))
            let noise = c.session.config.noise
            c.handle(keyEvent(SDLK_RIGHTBRACKET))
            #expect(abs(c.session.config.noise - (noise + 0.05)) < 1e-6)
            c.handle(keyEvent(SDLK_h))
            #expect(c.state.showHelp)
            c.handle(keyEvent(SDLK_ESCAPE))
            #expect(!c.state.showHelp && !c.quitRequested, "Esc first closes the help")
            c.handle(keyEvent(SDLK_ESCAPE))
            #expect(c.quitRequested)
        }

        @Test func addingDendritesWithoutAModeExplainsWhy() {
            let c = LabController(config: smallConfig())
            c.handle(keyEvent(SDLK_d))
            #expect(c.state.message?.contains("press M") == true)
            #expect(c.session.dendriteSets == 0)
        }

        @Test func clickingANeuronSelectsItAndClickingAgainClears() {
            let c = LabController(config: smallConfig())
            let layout = LabLayout(width: c.state.width, height: c.state.height)
            let geo = NetworkGeometry(shape: c.networkShape, in: layout.network)
            let target = geo.centres[1][2]
            c.handle(clickEvent(at: target))
            #expect(c.state.selected == NeuronRef(column: 1, unit: 2))
            c.handle(clickEvent(at: target))
            #expect(c.state.selected == nil)
        }

        @Test func hoveringTheDataViewShowsThatInput() {
            let c = LabController(config: smallConfig())
            let layout = LabLayout(width: c.state.width, height: c.state.height)
            let plot = DataView.plotRect(in: layout.data)
            c.handle(motionEvent(at: plot.center))
            guard case .input(let x, let y) = c.state.hovered else {
                Issue.record("expected an input hover, got \(String(describing: c.state.hovered))")
                return
            }
            #expect(abs(x) < 0.05 && abs(y) < 0.05)
            let frame = c.frame()
            #expect(frame.picture.showsOneInput)
            #expect(frame.prediction != nil)
        }

        @Test func hidingTheCurvesGivesTheNetworkRoomAndClicksFollow() {
            let c = LabController(config: smallConfig())
            let before = c.state.layout.network.h
            c.handle(keyEvent(SDLK_c))
            #expect(!c.state.showCurves)
            #expect(c.state.layout.network.h > before + 100)
            let geo = NetworkGeometry(shape: c.networkShape, in: c.state.layout.network)
            c.handle(clickEvent(at: geo.centres[2][3]))
            #expect(c.state.selected == NeuronRef(column: 2, unit: 3))
            c.handle(keyEvent(SDLK_i))
            #expect(!c.state.showInspector)
        }

        @Test func toolbarStepButtonStepsOneBatch() {
            let c = LabController(config: smallConfig())
            let buttons = Toolbar.buttons(width: c.state.width, state: c.state, config: c.session.config)
            let step = buttons.first { $0.action == .stepBatch }!
            c.handle(clickEvent(at: step.rect.center))
            #expect(c.session.batchesRun == 1)
        }
    }
}

extension LabSuite {
    @Suite struct LabStateTests {
        @Test func viewStateRoundTripsThroughJSON() throws {
            var s = LabState()
            s.selected = NeuronRef(column: 1, unit: 3)
            s.hovered = .input(0.25, -0.5)
            s.speedLevel = 7
            s.playing = true
            s.mouse = Vec2(12, 34)
            let data = try JSONEncoder().encode(s)
            #expect(try JSONDecoder().decode(LabState.self, from: data) == s)
        }
    }
}
