import Foundation
import Testing
@testable import DendriteCore

/// Issue 13's must-show, trained: on the Lab's binary XOR (`corners`) one neuron whose
/// inputs reach it only through one branch (soma inputs off) computes XOR with a dcaap
/// branch and cannot with a sigmoid branch (Gidon et al., Science 367:83, 2020).
@Suite struct SomaInputsTrainingTests {
    /// Lesson 10's settings (front matter and the soma-inputs step): 400 points, one
    /// `dense 1` neuron, GD, one branch started at weights of size about 1.
    static func train(_ activation: DendriteActivation, seed: UInt64) throws -> (accuracy: Float, threeCorners: Float) {
        let yaml = """
            name: soma-xor
            dataset: {name: corners, count: 400, noise: 0.1}
            network: {input: [2], layers: [dense 1]}
            mode: gd
            dendrites: {max_dendrites: 1, n_epochs_to_switch: 20, score: loss, candidate_init_scale: 1.0,
                        activation: \(activation.rawValue), soma_inputs: false}
            optimizer: {kind: adam, lr: 0.05}
            epochs: 300
            batch_size: 16
            seed: \(seed)
            """
        let s = try ExperimentSession(try ExperimentLoader.decode(yaml: yaml, file: "soma-xor.yaml"))
        s.trainer.run()
        #expect(s.network.dendriteCount == 1)
        #expect(s.network.perforatedLayers[0].neuron.weight.value.storage == [0, 0], "soma weights stay out")
        // The most a straight boundary can get: all but the smallest of the four corners.
        var x = Tensor.empty, y: [Int32] = []
        s.data.train.fill(indices: Array(0..<s.data.train.count)[...], into: &x, labels: &y)
        var perCorner = [Int](repeating: 0, count: 4)
        for i in 0..<y.count { perCorner[(x[2 * i] > 0 ? 1 : 0) + (x[2 * i + 1] > 0 ? 2 : 0)] += 1 }
        let threeCorners = Float(y.count - perCorner.min()!) / Float(y.count)
        return (Trainer.evaluate(s.network, on: s.data.train).accuracy, threeCorners)
    }

    /// The neuron's output is b + A f(u . x + c); with a monotonic f it is monotonic in
    /// u . x, so its decision is a half-plane, and no half-plane holds exactly the two
    /// class-1 corners: at most three corners of four (75%, or a little more when the
    /// fourth cloud is the smallest). A dcaap bump can fire between two thresholds.
    /// Measured: dcaap 100% with seeds 3, 4, 5 and 6 (about half, as with seeds 9-24).
    @Test func oneDcaapBranchSolvesCornersWhereOneSigmoidBranchCannot() throws {
        var solved = 0
        for seed: UInt64 in 1...8 {
            let bump = try Self.train(.dcaap, seed: seed), sigmoid = try Self.train(.sigmoid, seed: seed)
            print(String(format: "corners, soma inputs off, one branch, seed %d: dcaap %.2f%%  sigmoid %.2f%%  (three corners %.2f%%)",
                         seed, bump.accuracy * 100, sigmoid.accuracy * 100, sigmoid.threeCorners * 100))
            if bump.accuracy == 1 { solved += 1 }
            #expect(sigmoid.accuracy <= sigmoid.threeCorners, "seed \(seed): one sigmoid branch reached \(sigmoid.accuracy)")
            #expect(sigmoid.accuracy <= 0.77, "seed \(seed)")
        }
        #expect(solved >= 4, "one dcaap branch solved corners on \(solved) of 8 seeds")
    }
}
