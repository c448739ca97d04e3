import Foundation
@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

/// A key press with Ctrl held.
func ctrlKeyEvent(_ code: SDL_KeyCode) -> SDL_Event {
    var e = keyEvent(code)
    e.key.keysym.mod = UInt16(KMOD_LCTRL.rawValue)
    return e
}

extension LabSuite {
    @Suite struct LabSavingTests {
        func tempFolder() -> String {
            let p = (NSTemporaryDirectory() as NSString).appendingPathComponent("lab-save-tests-" + UUID().uuidString)
            try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
            return p
        }

        func bits(_ s: LabSession) -> [[UInt32]] { s.network.parameters.map { $0.value.storage.map(\.bitPattern) } }

        @Test func keysSaveLoadAndScreenshot() {
            let s = LabState()
            #expect(Controls.keyActions(sym: SDL_Keycode(SDLK_s.rawValue), mod: 0, state: s) == [.screenshot])
            #expect(Controls.keyActions(sym: SDL_Keycode(SDLK_s.rawValue), mod: UInt16(KMOD_RCTRL.rawValue), state: s) == [.saveNetwork])
            #expect(Controls.keyActions(sym: SDL_Keycode(SDLK_o.rawValue), mod: UInt16(KMOD_LCTRL.rawValue), state: s) == [.loadNetwork])
            #expect(Controls.keyActions(sym: SDL_Keycode(SDLK_o.rawValue), mod: 0, state: s) == [])
            let keys = HelpOverlay.lines.map(\.0)
            #expect(keys.contains("Ctrl+S / Ctrl+O") && keys.contains("U"))
        }

        @Test func savedNetworkLoadsBackBitForBitAndTrainsOnAsBefore() throws {
            let dir = tempFolder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var config = smallConfig()
            config.mode = .gd
            let c = LabController(config: config)
            c.saveDirectory = dir
            c.perform(.stepEpoch)
            _ = c.session.addDendritesNow()
            c.perform(.stepEpoch)
            for _ in 0..<3 { c.perform(.stepBatch) }   // mid-epoch: saving finishes it first
            #expect(c.handle(ctrlKeyEvent(SDLK_s)) == [.saveNetwork])
            let names = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(names.count == 1 && names[0].hasPrefix("lab-") && names[0].hasSuffix(".safetensors"), "\(names)")
            #expect(c.state.message?.hasPrefix("Saved ") == true, "\(c.state.message ?? "")")
            #expect(c.session.trainer.batchInEpoch == 0)
            let saved = bits(c.session), savedEpoch = c.session.trainer.epoch
            let savedHistory = c.session.history, savedSets = c.session.dendriteSets
            #expect(savedSets == 1)
            c.perform(.stepEpoch)
            let afterOneMore = bits(c.session)
            // Change the run: more training, another dendrite set, then a new seed.
            _ = c.session.addDendritesNow()
            c.perform(.stepEpoch)
            c.perform(.reseed)
            #expect(bits(c.session) != saved)
            #expect(c.handle(ctrlKeyEvent(SDLK_o)) == [.loadNetwork])
            #expect(c.state.message?.hasPrefix("Loaded ") == true, "\(c.state.message ?? "")")
            #expect(bits(c.session) == saved, "parameters differ from the saved ones")
            #expect(c.session.trainer.epoch == savedEpoch)
            #expect(c.session.history == savedHistory)
            #expect(c.session.dendriteSets == savedSets)
            #expect(c.session.config.seed == config.seed)
            // The Lab keeps stepping, exactly as the saved run did.
            c.perform(.stepEpoch)
            #expect(c.session.trainer.epoch == savedEpoch + 1)
            #expect(bits(c.session) == afterOneMore)
            c.perform(.togglePlay)
            #expect(c.tick(budget: 1) > 0)
        }

        @Test func dendritePhaseDeclinesToSave() throws {
            let dir = tempFolder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var config = smallConfig()
            config.mode = .pb
            let c = LabController(config: config)
            c.saveDirectory = dir
            c.perform(.stepEpoch)
            _ = c.session.addDendritesNow()
            #expect(c.session.phase == .dendrite)
            #expect(c.saveNetwork() == nil)
            #expect(c.state.message?.contains("dendrite phase") == true)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        }

        @Test func badFileIsOneLineAndKeepsTheRun() throws {
            let dir = tempFolder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let c = LabController(config: smallConfig())
            c.saveDirectory = dir
            c.perform(.stepEpoch)
            let before = bits(c.session)
            c.perform(.loadNetwork)
            #expect(c.state.message == "No lab-*.safetensors in \(dir): Ctrl+S saves one.")
            let bad = (dir as NSString).appendingPathComponent("lab-bad.safetensors")
            try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: bad))
            c.perform(.loadNetwork)
            let m = try #require(c.state.message)
            #expect(m.hasPrefix("Load failed: \(bad): "), "\(m)")
            #expect(!m.contains("\n"))
            #expect(bits(c.session) == before)
            #expect(throws: CheckpointError.self) { try c.loadNetwork(from: bad) }
            c.perform(.stepBatch)
            #expect(c.session.batchesRun > 0)
        }
    }
}
