import Foundation
import ArgumentParser
import DendriteCore
import DendriteLab

/// A headless first look that shows the product's point in under a minute: the same
/// small network trained twice on a toy set, plain and with PB dendrites, each run's
/// accuracy, its decision map drawn in the terminal, and a PNG of the Lab.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train one small network on two spirals with and without dendrites; print both runs' accuracy and decision maps, save a PNG.")

    @Option(help: "Toy dataset.")
    var dataset: ToyData.Kind = .spiral

    @Option(help: "Epochs for each run.")
    var epochs: Int = 1500

    @Option(help: "Random seed (same seed, same runs).")
    var seed: UInt64 = 2

    @Option(help: "Where to write the PNG of the dendrite run in the Lab.")
    var out: String = "dendrite-demo.png"

    func validate() throws {
        guard (1...100_000).contains(epochs) else { throw ValidationError("--epochs must be 1...100000, got \(epochs)") }
    }

    /// Lesson 7's network and schedule: 2-4-2 tanh, a dendrite phase every 40 epochs, and
    /// the toy lessons' single-candidate P phases measured on training samples (the
    /// engine's defaults are tuned on MNIST; with them this run reached 85% training
    /// accuracy instead of 100%: docs/pb-tuning.md).
    func experiment(mode: String) throws -> Experiment {
        try ExperimentLoader.decode(yaml: """
            name: demo-\(mode)
            dataset: {name: \(dataset.rawValue), count: 300, noise: 0, validation: 0.2}
            network: {input: [2], layers: [dense 4, tanh, dense 2]}
            mode: \(mode)
            dendrites: {candidate_pool: 1, lr_trial_epochs: 0, p_min_improvement: 0, correlation_subset: train, switch: fixed, fixed_interval: 40, max_dendrites: 14, p_epochs_to_switch: 10, max_p_epochs: 60, candidate_lr: 0.2, statistics_rate: 0.1}
            optimizer: {kind: adam, lr: 0.02}
            batch_size: 16
            epochs: \(epochs)
            seed: \(seed)
            """, file: "demo")
    }

    func run() throws {
        print("Two spirals, 300 points (20% held out for validation). One network, 2 inputs -> 4 tanh neurons -> 2 classes,")
        print("trained twice for up to \(epochs) epochs: plain, and growing PB dendrites every 40 epochs.\n")
        var last: LabController?
        for mode in ["none", "pb"] {
            let start = Date()
            let c = LabController(config: LabConfig(experiment: try experiment(mode: mode)))
            // The Lab trains without an end; the demo stops at its epochs (or when PB's rule stops).
            while !c.session.isFinished && c.session.trainer.epoch < epochs { c.session.stepEpoch() }
            let s = c.session
            let train = Trainer.evaluate(s.network, on: s.train).accuracy, val = Trainer.evaluate(s.network, on: s.validation).accuracy
            let title = mode == "none" ? "without dendrites" : "with PB dendrites"
            print(String(format: "%@: %d parameters, %d dendrite sets, train %.1f%%, validation %.1f%% (%d epochs, %.1f s)",
                         title, s.parameterCount, s.dendriteSets, Double(train) * 100, Double(val) * 100, s.trainer.epoch,
                         Date().timeIntervalSince(start)))
            print(Demo.asciiMap(s.network, train: s.train))
            last = c
        }
        if let c = last {
            var state = c.state
            state.width = 1280
            state.height = 800
            c.restore(state)
            do {
                try c.saveScreenshot(to: out)
                print("The dendrite run in the Lab: \(out)   (open it live: dendrite-lab lab 7)")
            } catch {
                print("(no PNG: \(error))")
            }
        }
    }

    /// The decision map as characters: '#' class 1, '.' class 0, 'X' / 'o' training
    /// points of class 1 / 0 (upper case where the map disagrees with the point).
    static func asciiMap(_ network: Network, train: Dataset, columns: Int = 64, rows: Int = 24, extent: Float = 1.3) -> String {
        var grid: [Float] = []
        for r in 0..<rows {
            for c in 0..<columns {
                grid.append(-extent + (Float(c) + 0.5) * 2 * extent / Float(columns))
                grid.append(extent - (Float(r) + 0.5) * 2 * extent / Float(rows))
            }
        }
        let (p, k) = NeuronProbe.classProbabilities(logits: network.forward(Tensor(shape: [rows * columns, 2], grid), training: false))
        var chars = (0..<(rows * columns)).map { p[$0 * k + 1] >= 0.5 ? Character("#") : Character(".") }
        if case .float(let f) = train.features, train.sampleSize == 2 {
            for i in 0..<train.count {
                let c = Int((f[2 * i] + extent) / (2 * extent) * Float(columns)), r = Int((extent - f[2 * i + 1]) / (2 * extent) * Float(rows))
                guard (0..<columns).contains(c), (0..<rows).contains(r) else { continue }
                let predicted = p[(r * columns + c) * k + 1] >= 0.5
                let one = train.labels[i] == 1
                chars[r * columns + c] = one ? (predicted ? "x" : "X") : (predicted ? "O" : "o")
            }
        }
        return (0..<rows).map { "  " + String(chars[($0 * columns)..<(($0 + 1) * columns)]) }.joined(separator: "\n")
            + "\n  # / . : the network says class 1 / 0;  x / o : training points of class 1 / 0 (X, O: misclassified)\n"
    }
}

func fmt(_ v: Float, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", Double(v))
}
