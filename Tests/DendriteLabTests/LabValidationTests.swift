import Foundation
import Testing
import DendriteCore
@testable import DendriteLab

/// Issue 17, Lab side: every session the Lab builds (checkpoint metadata from
/// `--load`, Ctrl+O or a drop; a CSV rebuilt from disk) goes through
/// `Experiment.validate(against:)`; a refusal is one line in the status line and the
/// previous session stays. Each case here trapped before.
extension LabSuite {
    @Suite struct LabValidationTests {
        func tempFolder() -> URL {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("lab-validate-" + UUID().uuidString)
            try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }

        func bits(_ s: LabSession) -> [[UInt32]] { s.network.parameters.map { $0.value.storage.map(\.bitPattern) } }

        /// A saved Lab checkpoint with one metadata document changed by `edit`.
        func edited(_ ckpt: Checkpoint, _ key: String, in dir: URL, _ name: String,
                    _ edit: (inout [String: Any]) -> Void) throws -> String {
            var c = ckpt
            var doc = try #require(try JSONSerialization.jsonObject(with: Data(c.metadata[key]!.utf8)) as? [String: Any])
            edit(&doc)
            c.metadata[key] = String(decoding: try JSONSerialization.data(withJSONObject: doc), as: UTF8.self)
            let url = dir.appendingPathComponent(name + ".safetensors")
            try c.write(to: url)
            return url.path
        }

        /// Crash class 6: checkpoint metadata built a session without validation.
        @Test func checkpointMetadataIsValidatedBeforeBuilding() throws {
            let dir = tempFolder()
            defer { try? FileManager.default.removeItem(at: dir) }
            let c = LabController(config: smallConfig())
            c.saveDirectory = dir.path
            c.perform(.stepEpoch)
            let saved = try Checkpoint.read(from: URL(fileURLWithPath: try #require(c.saveNetwork())))
            let before = bits(c.session)
            let cases: [(String, String, (inout [String: Any]) -> Void)] = [
                ("batch0", "batch_size is 0", { $0["batchSize"] = 0 }),
                ("validation1", "dataset.validation is 1", { e in var d = e["dataset"] as! [String: Any]; d["validationFraction"] = 1.0; e["dataset"] = d }),
                ("countNegative", "dataset.count is -5", { e in var d = e["dataset"] as! [String: Any]; d["count"] = -5; e["dataset"] = d }),
                ("widthNegative", "out of range", { e in
                    var n = e["network"] as! [String: Any]
                    var layers = n["layers"] as! [[String: Any]]
                    layers[0] = ["dense": ["_0": -3]]
                    n["layers"] = layers
                    e["network"] = n
                }),
                ("mnist2d", "does not fit mnist samples", { e in var d = e["dataset"] as! [String: Any]; d["name"] = "mnist"; e["dataset"] = d }),
            ]
            for (name, words, edit) in cases {
                let path = try edited(saved, "experiment", in: dir, name, edit)
                c.openFile(path)
                let m = c.state.message ?? ""
                #expect(m.hasPrefix("Load failed: \(path)") && m.contains(words) && !m.contains("\n"), "\(name): \(m)")
                #expect(bits(c.session) == before, "\(name): the run is kept")
            }
            c.perform(.stepBatch)
            #expect(c.session.lastBatchLoss.isFinite)
        }

        /// Crash class 7: tracker state disagreeing with the trainer's phase trapped at
        /// SwitchTracker's precondition on the next epoch.
        @Test func trackerIsCheckedAgainstTheTrainerOnLoad() throws {
            let dir = tempFolder()
            defer { try? FileManager.default.removeItem(at: dir) }
            var config = smallConfig()
            config.mode = .gd
            let c = LabController(config: config)
            c.saveDirectory = dir.path
            c.perform(.stepEpoch)
            let saved = try Checkpoint.read(from: URL(fileURLWithPath: try #require(c.saveNetwork())))
            let phase = try edited(saved, "dendrites", in: dir, "phase") { d in
                var t = d["tracker"] as! [String: Any]; t["phase"] = "P"; d["tracker"] = t
            }
            let count = try edited(saved, "dendrites", in: dir, "count") { d in
                var t = d["tracker"] as! [String: Any]; t["dendrites"] = 2; d["tracker"] = t
            }
            for (path, words) in [(phase, "switch tracker is in phase"), (count, "switch tracker counts 2 dendrite sets")] {
                #expect(throws: CheckpointError.self) { try c.loadNetwork(from: path) }
                c.openFile(path)
                #expect(c.state.message?.contains(words) == true, "\(c.state.message ?? "")")
                c.perform(.stepEpoch)   // trapped here before
            }
            #expect(c.session.trainer.epoch == 3)
        }

        /// Crash class 8: the Lab rebuilt from a CSV that changed on disk: deleted or one
        /// class (precondition failure), more classes than outputs (out-of-bounds writes
        /// in SoftmaxCrossEntropy, negative loss, heap corruption at 50 classes).
        @Test func aChangedCSVIsRefusedAndThePreviousSessionStays() throws {
            let dir = tempFolder()
            defer { try? FileManager.default.removeItem(at: dir) }
            let file = dir.appendingPathComponent("points.csv")
            func write(classes: Int) throws {
                var rows = "x,y,label\n"
                for i in 0..<40 { rows += "\(Float(i % 8) / 8),\(Float(i / 8) / 5),\(i % classes)\n" }
                try rows.write(to: file, atomically: true, encoding: .utf8)
            }
            try write(classes: 2)
            let c = LabController(config: smallConfig())
            c.openFile(file.path)
            #expect(c.session.config.experiment.dataset.name == .csv)
            c.perform(.stepEpoch)
            let changes: [(String, () throws -> Void, String)] = [
                ("deleted", { try FileManager.default.removeItem(at: file) }, "cannot read the file"),
                ("one class", { try write(classes: 1) }, "every row has label 0"),
                ("3 classes", { try write(classes: 3) }, "label 2 but the network has 2 classes"),
                ("40 classes", { try write(classes: 40) }, "but the network has 2 classes"),
            ]
            for (what, change, words) in changes {
                let before = bits(c.session)
                try change()
                c.perform(.reset)
                let m = c.state.message ?? ""
                #expect(m.hasPrefix("Not applied: ") && m.contains(words) && !m.contains("\n"), "\(what): \(m)")
                #expect(bits(c.session) == before, "\(what): the previous session stays")
                c.perform(.stepBatch)
                #expect(c.session.lastBatchLoss.isFinite && c.session.lastBatchLoss >= 0, "\(what): loss \(c.session.lastBatchLoss)")
                try write(classes: 2)
                c.perform(.reset)
                #expect(c.state.message?.hasPrefix("Not applied") == false, "the restored file builds again")
            }
        }

        /// The fallback `LabSession` relies on: the default playground always validates.
        @Test func theDefaultPlaygroundValidates() throws {
            let e = LabConfig().trainingExperiment
            let s = try ExperimentSession(e)
            #expect(s.data.train.count > 0)
        }
    }
}
