import Foundation
import Testing
@testable import DendriteCore

/// Inputs found by `dendrite-fuzz` (kept under Fixtures/) and the neighbouring damage
/// they pointed to: each once crashed or gave a multi-line error, and must now be
/// rejected with one line naming the file.
@Suite struct FuzzRegressionTests {
    static let fixtures = packageRoot().appendingPathComponent("Tests/DendriteCoreTests/Fixtures")

    /// The fuzzer's checkpoint seed: xor-neuron, mode none, 120 samples (see
    /// Tools/dendrite-fuzz/RunFileTargets.swift).
    func fuzzSeedSession() throws -> ExperimentSession {
        var e = try ExperimentLoader.load(contentsOf: packageRoot().appendingPathComponent("experiments/xor-neuron.yaml"))
        e.mode = .none
        e.dataset.count = 120
        e.epochs = 400
        return try ExperimentSession(e)
    }

    func expectRejected(_ file: String, mentioning words: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(file) was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix(file) && !text.contains("\n"), "\(text)")
            #expect(text.contains(words), "\(text)")
        }
    }

    /// checkpoint #6058 (seed 1): a NaN in trainer/order used to trap in Int(Float).
    @Test func sampleOrderWithNaNIsRejectedNotTrapped() throws {
        let url = Self.fixtures.appendingPathComponent("checkpoint-order-nan.safetensors")
        let ckpt = try Checkpoint.decode(Data(contentsOf: url), file: url.path)
        let order = try #require(ckpt["trainer/order"])
        #expect(order.storage.contains { $0.isNaN })
        let session = try fuzzSeedSession()
        expectRejected(url.path, mentioning: "tensor 'trainer/order' is corrupt") {
            try TrainingSnapshot.restore(ckpt, file: url.path, into: session.trainer)
        }
    }

    @Test func sampleOrderThatIsNoPermutationIsRejected() {
        #expect(TrainingSnapshot.permutation([2, 0, 1]) == [2, 0, 1])
        for bad: [Float] in [[0, 0, 1], [0, 1, 3], [0, 1.5, 2], [-1, 0, 1], [.infinity, 0, 1], [.nan, 0, 1]] {
            #expect(TrainingSnapshot.permutation(bad) == nil, "\(bad)")
        }
    }

    @Test func shapeWhoseSizeOverflowsIsRejected() throws {
        let header = #"{"w":{"dtype":"F32","shape":[1099511627776,1099511627776,16],"data_offsets":[0,0]}}"#
        var bytes = [UInt8](repeating: 0, count: 8)
        let h = [UInt8](header.utf8)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: h.count >> (8 * i)) }
        bytes += h
        expectRejected("huge.safetensors", mentioning: "larger than the file") {
            _ = try Checkpoint.decode(Data(bytes), file: "huge.safetensors")
        }
    }

    /// experiment #898749 (seed 1): a quoted value spanning two lines was quoted verbatim.
    @Test func valueWithALineBreakIsQuotedOnOneLine() {
        let text = "name: x\ndataset: xor\nnetwork:\n  layers: [dense 2]\nepochs: 3\nseed: '1\n\n  2'\n"
        expectRejected("nl.yaml:6:", mentioning: "seed is '1\\n2'") {
            _ = try ExperimentLoader.decode(yaml: text, file: "nl.yaml")
        }
    }

    @Test func controlCharacterInYAMLIsOneLineWithItsLine() {
        let text = "name: x\nepochs: 3\ndescription: a\u{01}b\n"
        expectRejected("ctl.yaml:3:", mentioning: "control characters") {
            _ = try ExperimentLoader.decode(yaml: text, file: "ctl.yaml")
        }
    }
}
