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

/// A file dropped on the window; the caller frees `event.drop.file`.
func dropEvent(_ path: String) -> SDL_Event {
    var e = SDL_Event()
    e.type = SDL_DROPFILE.rawValue
    e.drop.type = SDL_DROPFILE.rawValue
    e.drop.file = strdup(path)
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
    
        @Test func droppedFilesOpenCSVPointsOrCheckpoints() throws {
            let dir = tempFolder()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let good = (dir as NSString).appendingPathComponent("mine.csv")
            let bad = (dir as NSString).appendingPathComponent("broken.csv")
            var rows = "x,y,label\n"
            for i in 0..<40 { rows += "\(Float(i % 8) / 8),\(Float(i / 8) / 5),\(i % 2 == 0 ? 5 : 9)\n" }
            try rows.write(toFile: good, atomically: true, encoding: .utf8)
            try "0,0,0\n1,1,x\n".write(toFile: bad, atomically: true, encoding: .utf8)
            let c = LabController(config: smallConfig())
            c.saveDirectory = dir
            var e = dropEvent(good)
            defer { free(e.drop.file) }
            #expect(c.handle(e) == [.openFile(good)])
            #expect(c.session.config.experiment.dataset.name == .csv)
            #expect(c.session.config.datasetLabel == "mine")
            #expect(c.session.train.count + c.session.validation.count == 40)
            #expect(c.state.message?.hasPrefix("Playing \(good): 40 points") == true, "\(c.state.message ?? "")")
            c.perform(.stepEpoch)
            #expect(c.session.trainer.epoch == 1)
            // A broken file says where, and the points stay.
            var b = dropEvent(bad)
            defer { free(b.drop.file) }
            c.handle(b)
            #expect(c.state.message == "\(bad):2: label 'x' is not a whole number; expected x,y,label with numbers")
            #expect(c.session.config.datasetLabel == "mine")
            // A checkpoint dropped on the window loads like Ctrl+O.
            let saved = try #require(c.saveNetwork())
            let bitsSaved = bits(c.session)
            c.perform(.stepEpoch)
            free(e.drop.file)
            e = dropEvent(saved)
            c.handle(e)
            #expect(bits(c.session) == bitsSaved)
            #expect(c.session.config.datasetLabel == "mine")
            // Key 2 goes back to a toy set, leaving no trace of the file.
            c.handle(keyEvent(SDLK_2))
            #expect(c.session.config.experiment.dataset.name == .toy(.circle))
            #expect(c.session.config.experiment.dataset.file == nil)
            #expect(c.session.config.datasetLabel == "circle")
        }
    }
}
