import Foundation
import Testing
@testable import DendriteCore

func temporaryFolder(_ label: String) -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("dendrite-\(label)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct CheckpointTests {
    func sample() -> Checkpoint {
        var rng = RNG(seed: 5)
        var a = Tensor(shape: [3, 4])
        for i in 0..<a.count { a[i] = rng.normal() }
        // Values that a lossy encoding would change: signed zero, subnormal, infinities, NaN payload.
        let special = Tensor(shape: [6], [-0.0, Float.leastNonzeroMagnitude, .infinity, -.infinity,
                                          Float(bitPattern: 0x7FC0_1234), 1.0 / 3.0])
        return Checkpoint(tensors: [("layers.0.weight", a), ("weird/name é", special), ("empty", Tensor(shape: [0]))],
                          metadata: ["note": "quotes \" and \\ and\nnewline", "json": "{\"a\": [1, 2]}"])
    }

    @Test func roundTripIsBitExact() throws {
        let folder = temporaryFolder("ckpt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("c.safetensors")
        let c = sample()
        try c.write(to: url)
        let back = try Checkpoint.read(from: url)
        #expect(back == c)
        #expect(back.tensors.map(\.name) == c.tensors.map(\.name))
        // No temporary file is left next to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["c.safetensors"])
    }

    @Test func layoutFollowsSafetensors() throws {
        let data = try sample().encoded()
        var n = 0
        for i in 0..<8 { n |= Int(data[i]) << (8 * i) }
        #expect(n % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: data[8..<(8 + n)]) as! [String: Any]
        let w = header["layers.0.weight"] as! [String: Any]
        #expect(w["dtype"] as? String == "F32")
        #expect(w["shape"] as? [Int] == [3, 4])
        #expect(w["data_offsets"] as? [Int] == [0, 48])
        #expect((header["__metadata__"] as? [String: String])?["note"] != nil)
        #expect(data.count == 8 + n + (12 + 6) * 4)
    }

    @Test func truncatedFileNamesTheFileAndTheProblem() throws {
        let data = try sample().encoded()
        for cut in [4, 20, data.count - 3] {
            do {
                _ = try Checkpoint.decode(data.prefix(cut), file: "run/checkpoint.safetensors")
                Issue.record("a file cut at \(cut) bytes was accepted")
            } catch let e as CheckpointError {
                #expect(e.description.hasPrefix("run/checkpoint.safetensors: "))
                #expect(e.problem.contains("truncated"), "\(e)")
            }
        }
    }

    @Test func corruptHeadersAreRejectedClearly() throws {
        func header(_ json: String, dataBytes: Int) -> Data {
            var d = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { d.append(contentsOf: $0) }
            d.append(Data(json.utf8))
            d.append(Data(repeating: 0, count: dataBytes))
            return d
        }
        let cases: [(Data, String)] = [
            (header("{\"w\": {\"dtype\": \"F16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", dataBytes: 4), "dtype F16; only F32"),
            (header("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", dataBytes: 4), "needs 8 bytes"),
            (header("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}, \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", dataBytes: 4), "overlapping"),
            (header("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", dataBytes: 12), "stray bytes"),
            (header("{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", dataBytes: 4), "valid shape"),
            (header("not json at all", dataBytes: 0), "not valid JSON"),
        ]
        for (data, phrase) in cases {
            do {
                _ = try Checkpoint.decode(data, file: "x.safetensors")
                Issue.record("accepted a file that should fail with '\(phrase)'")
            } catch let e as CheckpointError {
                #expect(e.description.contains(phrase), "\(e)")
            }
        }
    }

    static let toyYAML = """
        name: resume-toy
        dataset: {name: spiral, count: 300, noise: 0.05}
        network:
          layers: [dense 12, tanh, dense 12, relu, dense 2]
        optimizer: {kind: KIND, lr: 0.01MOMENTUM}
        schedule: {kind: plateau, patience: 1, factor: 0.5}
        epochs: 6
        batch_size: 16
        seed: 3
        """

    /// metrics.csv without the wall-clock `seconds` column.
    func metricsWithoutSeconds(_ folder: URL) throws -> [String] {
        try String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
    }

    @Test(arguments: ["adam", "sgd"])
    func interruptedAndResumedRunMatchesAnUninterruptedOne(optimizer: String) throws {
        let yaml = Self.toyYAML.replacingOccurrences(of: "KIND", with: optimizer)
            .replacingOccurrences(of: "MOMENTUM", with: optimizer == "sgd" ? ", momentum: 0.9" : "")
        let experiment = try ExperimentLoader.decode(yaml: yaml, file: "resume.yaml")
        let straight = temporaryFolder("straight"), interrupted = temporaryFolder("interrupted")
        defer { for f in [straight, interrupted] { try? FileManager.default.removeItem(at: f) } }

        guard case .finished(let a) = try ExperimentRun(experiment: experiment, folder: straight).run() else {
            Issue.record("uninterrupted run did not finish"); return
        }
        let first = try ExperimentRun(experiment: experiment, folder: interrupted)
        var epochsSeen = 0
        first.onEvent = { if case .epochDone = $0 { epochsSeen += 1 } }
        first.shouldStop = { epochsSeen >= 2 }
        #expect(try first.run() == .stopped(epoch: 2, checkpointEpoch: 2))
        #expect(!FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("summary.json").path))

        let resumed = try ExperimentRun(experiment: experiment, folder: interrupted, resume: true)
        #expect(resumed.resumedAtEpoch == 2)
        guard case .finished(let b) = try resumed.run() else { Issue.record("resumed run did not finish"); return }

        let ma = try metricsWithoutSeconds(straight), mb = try metricsWithoutSeconds(interrupted)
        #expect(ma.count == 7)
        #expect(ma == mb)
        #expect(a.testAccuracy == b.testAccuracy && a.bestEpoch == b.bestEpoch)
        let ca = try Checkpoint.read(from: straight.appendingPathComponent("checkpoint.safetensors"))
        let cb = try Checkpoint.read(from: interrupted.appendingPathComponent("checkpoint.safetensors"))
        let sameBits = ca.tensors.map { $0.tensor.storage.map(\.bitPattern) } == cb.tensors.map { $0.tensor.storage.map(\.bitPattern) }
        #expect(sameBits, "final parameters and optimizer state differ")
        let events = try String(contentsOf: interrupted.appendingPathComponent("events.jsonl"), encoding: .utf8)
        #expect(events.contains("\"event\":\"stopped\"") && events.contains("\"event\":\"resumed\""))
    }

    @Test func resumingWithAnotherSeedIsRefused() throws {
        let yaml = Self.toyYAML.replacingOccurrences(of: "KIND", with: "adam").replacingOccurrences(of: "MOMENTUM", with: "")
        var experiment = try ExperimentLoader.decode(yaml: yaml, file: "resume.yaml")
        experiment.epochs = 1
        let folder = temporaryFolder("reseed")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try ExperimentRun(experiment: experiment, folder: folder).run()
        experiment.seed = 4
        #expect(throws: CheckpointError.self) { try ExperimentRun(experiment: experiment, folder: folder, resume: true) }
        // and a fresh start into the same folder is refused too
        #expect(throws: FileError.self) { try ExperimentRun(experiment: experiment, folder: folder) }
    }

    static let dendriteYAML = """
        name: resume-dendrites
        dataset: {name: xor, count: 240, noise: 0.05}
        network:
          layers: [dense 3, tanh, dense 1]
        mode: MODE
        dendrites: {max_dendrites: 3, n_epochs_to_switch: 3, p_epochs_to_switch: 2, max_p_epochs: 4,
                    candidate_lr: 0.05, statistics_rate: 0.1}
        optimizer: {kind: adam, lr: 0.05}
        epochs: 40
        batch_size: 16
        seed: 6
        """

    /// Runs `experiment` stopping after `stopAfter` epochs, resumes it, and returns the
    /// stop outcome and both folders' metrics for comparison with `reference`.
    func stopAndResume(_ experiment: Experiment, after stopAfter: Int) throws -> (ExperimentRun.Outcome, [String]) {
        let folder = temporaryFolder("dstop")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try ExperimentRun(experiment: experiment, folder: folder)
        var epochs = 0
        first.onEvent = { if case .epochDone = $0 { epochs += 1 } }
        first.shouldStop = { epochs >= stopAfter }
        let outcome = try first.run()
        _ = try ExperimentRun(experiment: experiment, folder: folder, resume: true).run()
        return (outcome, try metricsWithoutSeconds(folder))
    }

    @Test(arguments: ["gd", "pb"])
    func dendriteRunsResumeExactlyEvenFromInsideADendritePhase(mode: String) throws {
        let experiment = try ExperimentLoader.decode(yaml: Self.dendriteYAML.replacingOccurrences(of: "MODE", with: mode),
                                                     file: "resume-dendrites.yaml")
        let straight = temporaryFolder("dstraight")
        defer { try? FileManager.default.removeItem(at: straight) }
        _ = try ExperimentRun(experiment: experiment, folder: straight).run()
        let reference = try metricsWithoutSeconds(straight)
        // The run ends on the trainer's best model, which best.safetensors holds.
        let best = try Checkpoint.read(from: straight.appendingPathComponent("best.safetensors"))
        let last = try Checkpoint.read(from: straight.appendingPathComponent("checkpoint.safetensors"))
        let parameters = last.tensors.filter { !$0.name.contains("/") }
        #expect(best.tensors.count == parameters.count)
        #expect(best.tensors.allSatisfy { b in last[b.name].map { $0.storage.map(\.bitPattern) == b.tensor.storage.map(\.bitPattern) } ?? false },
                "\(mode): best.safetensors differs from the final model")
        let rows = reference.dropFirst().map { $0.split(separator: ",").map(String.init) }
        // Stop points: just after the first dendrite set exists, and (PB) inside a P phase.
        guard let grown = rows.first(where: { Int($0[2])! > 0 }).map({ Int($0[0])! }) else {
            Issue.record("\(mode): no dendrite was added; the test needs a run that grows"); return
        }
        var stops = [grown, grown + 2]
        if mode == "pb" {
            let inside = try #require(rows.first { $0[1] == "P" }.map { Int($0[0])! })
            stops.append(inside)
        }
        for stop in stops where stop < reference.count - 1 {
            let (outcome, resumed) = try stopAndResume(experiment, after: stop)
            guard case .stopped(let epoch, let checkpointEpoch) = outcome else {
                Issue.record("\(mode): run did not stop after epoch \(stop)"); continue
            }
            #expect(epoch == stop)
            if mode == "pb" && rows[stop - 1][1] == "P" { #expect(checkpointEpoch < epoch) }
            #expect(resumed == reference, "\(mode): stopped after epoch \(stop), resumed from \(checkpointEpoch)")
        }
    }
}
