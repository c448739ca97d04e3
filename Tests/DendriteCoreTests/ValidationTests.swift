import Foundation
import Testing
@testable import DendriteCore

/// Issue 17, core side: honest checkpoints (a checksum per tensor, corrupt values
/// called corrupt), CRLF CSV, YAML depth counted on the text, and the validation every
/// session goes through.
@Suite struct ValidationTests {
    func xor(_ change: (inout Experiment) -> Void = { _ in }) -> Experiment {
        var e = Experiment(name: "v", dataset: .init(name: .toy(.xor), count: 40),
                           network: .mlp(inputs: 2, hidden: [4], outputs: 2, activation: .tanh), epochs: 2, batchSize: 8)
        change(&e)
        return e
    }

    func trainedCheckpoint() throws -> (Experiment, Checkpoint) {
        let e = xor()
        let s = try ExperimentSession(e)
        s.trainer.runEpoch()
        return (e, try TrainingSnapshot.capture(experiment: e, trainer: s.trainer))
    }

    /// Bit flips in tensor data used to load silently: now the CRC32 names the tensor.
    @Test func aFlippedBitInTensorDataNamesTheTensor() throws {
        let (_, ckpt) = try trainedCheckpoint()
        var bytes = [UInt8](try ckpt.encoded())
        bytes[bytes.count - 1] ^= 0x01   // last byte: inside trainer/order, the last tensor
        let name = ckpt.tensors.last!.name
        #expect(throws: CheckpointError.self) { _ = try Checkpoint.decode(Data(bytes), file: "flip.safetensors") }
        do {
            _ = try Checkpoint.decode(Data(bytes), file: "flip.safetensors")
        } catch {
            #expect("\(error)".hasPrefix("flip.safetensors: tensor '\(name)' is corrupt: its data has CRC32"), "\(error)")
        }
        // Untouched, it round-trips (the checksum table is not part of `metadata`).
        #expect(try Checkpoint.decode(try ckpt.encoded(), file: "ok") == ckpt)
    }

    /// A NaN weight or a negative Adam second moment is damage, not divergence: the
    /// restore refuses, calling it corrupt, before any training could "diverge".
    @Test func corruptValuesAreCalledCorruptNotDiverged() throws {
        let (e, ckpt) = try trainedCheckpoint()
        for (prefix, value) in [("layers.0.weight", Float.nan), ("optimizer/v/", -1)] {
            var c = ckpt
            let i = try #require(c.tensors.firstIndex { $0.name.hasPrefix(prefix) })
            c.tensors[i].tensor.storage[0] = value
            let fresh = try ExperimentSession(e)
            do {
                try TrainingSnapshot.restore(c, file: "bad.safetensors", into: fresh.trainer)
                Issue.record("\(prefix) = \(value) was restored")
            } catch {
                #expect("\(error)".contains("tensor '\(c.tensors[i].name)' is corrupt"), "\(error)")
                #expect(!"\(error)".contains("diverge"))
            }
        }
    }

    /// Windows line endings: "\r\n" is one Character in Swift, so the file was one line.
    @Test func csvWithCRLFLineEndingsReads() throws {
        let d = try CSVPoints.parse("x,y,label\r\n0,0,0\r\n1,1,1\r\n0.5,0.2,1\r\n", file: "crlf.csv")
        #expect(d.count == 3 && d.classCount == 2)
        do {
            _ = try CSVPoints.parse("x,y,label\r\n0,0,0\r\n1,1,z\r\n", file: "crlf.csv")
        } catch {
            #expect("\(error)".hasPrefix("crlf.csv:3:"), "line numbers count CRLF lines: \(error)")
        }
    }

    /// The checks every session goes through, one per kind of mistake.
    @Test func validationRefusesWhatWouldTrap() throws {
        let cases: [(String, (inout Experiment) -> Void)] = [
            ("batch_size is 0", { $0.batchSize = 0 }),
            ("epochs is -1", { $0.epochs = -1 }),
            ("dataset.count is -5", { $0.dataset.count = -5 }),
            ("dataset.validation is 1.0", { $0.dataset.validationFraction = 1 }),
            ("'dense -3' is out of range", { $0.network.layers[0] = .dense(-3) }),
            ("network.input [1, 1, 3]", { $0.network.inputShape = [1, 1, 3] }),
            ("ends with 2 outputs but csv has 3 classes", { $0.dataset = .init(name: .csv, file: "/nonexistent.csv", classes: 3) }),
            ("dendrites.layers names layer 1", { $0.dendrites.layers = [1] }),
            ("max_dendrites is 1000", { $0.dendrites.maxDendrites = 1000 }),
            ("improvement_thresholds is []", { $0.dendrites.improvementThresholds = [] }),
        ]
        for (words, change) in cases {
            let e = xor(change)
            do {
                _ = try ExperimentSession(e)
                Issue.record("accepted: \(words)")
            } catch {
                #expect("\(error)".contains(words) && !"\(error)".contains("\n"), "\(words): \(error)")
            }
        }
        // Labels past the outputs (a csv with more classes than the network has).
        let data = try ExperimentData.load(xor().dataset, seed: 1)
        var three = data
        three.train.labels[0] = 2
        #expect(throws: ConfigError.self) { _ = try ExperimentSession(xor(), data: three) }
        // A good experiment still builds, with samples shaped as network.input declares.
        var conv = xor()
        conv.network = NetworkSpec(inputShape: [1, 1, 2], layers: [.conv2d(filters: 2, kernel: 1, stride: 1, padding: 0), .flatten, .dense(2)])
        let s = try ExperimentSession(conv, data: data)
        #expect(s.data.train.sampleShape == [1, 1, 2])
        s.trainer.runEpoch()
        #expect(s.trainer.history.count == 1)
    }
}

extension ValidationTests {
    /// Found by the semantic experiment fuzzer: a maxpool before the first layer with
    /// parameters receives no gradient (`.empty`) and trapped on its shape check.
    @Test func maxpoolAtTheInputTrains() throws {
        var e = xor()
        e.network = NetworkSpec(inputShape: [1, 1, 2], layers: [.maxPool(1), .flatten, .dense(2)])
        let s = try ExperimentSession(e)
        s.trainer.runEpoch()
        #expect(s.trainer.history.count == 1)
    }

    /// Found by the semantic checkpoint fuzzer: an RNG state of fewer than four words
    /// trapped (index out of range) on the next shuffle.
    @Test func aShortRNGStateIsRefusedOnRestore() throws {
        let (e, ckpt) = try trainedCheckpoint()
        var c = ckpt
        var trainer = try #require(try JSONSerialization.jsonObject(with: Data(c.metadata["trainer"]!.utf8)) as? [String: Any])
        var rng = try #require(trainer["rng"] as? [String: Any])
        rng["state"] = [1, 2]
        trainer["rng"] = rng
        c.metadata["trainer"] = String(decoding: try JSONSerialization.data(withJSONObject: trainer), as: UTF8.self)
        let fresh = try ExperimentSession(e)
        #expect(throws: CheckpointError.self) { try TrainingSnapshot.restore(c, file: "rng.safetensors", into: fresh.trainer) }
    }
}

extension ValidationTests {
    /// A lesson saved with Windows line endings reads like the original.
    @Test func lessonWithCRLFLineEndingsReads() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("lessons/01-point-neuron.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let lf = try LessonLoader.parse(text, file: "l.md")
        let crlf = try LessonLoader.parse(text.replacingOccurrences(of: "\n", with: "\r\n"), file: "l.md")
        #expect(crlf.steps.count == lf.steps.count && crlf.steps.map(\.experiment) == lf.steps.map(\.experiment))
    }
}

extension ValidationTests {
    /// The limits leave room for every shipped experiment and lesson step.
    @Test func everyShippedExperimentAndLessonStepValidates() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let fm = FileManager.default
        var checked = 0
        for name in try fm.contentsOfDirectory(atPath: root.appendingPathComponent("experiments").path) where name.hasSuffix(".yaml") {
            let url = root.appendingPathComponent("experiments/" + name)
            try ExperimentLoader.load(contentsOf: url).validate(source: url.path)
            checked += 1
        }
        for path in try LessonLoader.lessonFiles(in: root.appendingPathComponent("lessons").path) {
            for step in try LessonLoader.load(path: path).steps { try step.experiment.validate(source: path); checked += 1 }
        }
        #expect(checked > 20)
    }
}

extension ValidationTests {
    /// Lesson settings accumulate; a step whose combined experiment is invalid is
    /// reported when the lesson loads, at that step's settings block.
    @Test func aLessonStepIsValidatedWithItsLine() throws {
        let text = """
        ---
        title: T
        dataset: {name: xor, count: 40}
        network: {layers: [dense 4, tanh, dense 2]}
        epochs: 1
        ---
        ## One

        ```yaml lab
        dendrites: {layers: [2]}
        ```

        ## Two

        ```yaml lab
        network: {layers: [dense 4, tanh, tanh, dense 2]}
        ```
        """
        do {
            _ = try LessonLoader.parse(text, file: "l.md")
            Issue.record("accepted a step whose dendrites.layers names tanh")
        } catch {
            #expect("\(error)".hasPrefix("l.md:15: dendrites.layers names layer 2"), "\(error)")
        }
    }
}
