import ArgumentParser
import DendriteCore

/// A headless first look: trains a small MLP on a toy set and prints each epoch.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a small network on a 2-D toy dataset and print its progress.")

    @Option(help: "Toy dataset: \(ToyData.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String = "spiral"

    @Option(help: "Number of epochs.")
    var epochs: Int = 30

    @Option(help: "Random seed (same seed, same run).")
    var seed: UInt64 = 1

    func validate() throws {
        guard ToyData.Kind(rawValue: dataset) != nil else {
            throw ValidationError("unknown dataset '\(dataset)'; expected one of \(ToyData.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
    }

    func run() throws {
        let kind = ToyData.Kind(rawValue: dataset)!
        var rng = RNG(seed: seed)
        let data = ToyData.make(kind, count: 600, noise: 0.02, seed: seed)
        let (train, val) = data.split(validationFraction: 0.2, rng: &rng)
        let net = Network(spec: .mlp(inputs: 2, hidden: [16, 16], outputs: 2, activation: .tanh), rng: &rng)
        let trainer = Trainer(network: net, optimizer: Adam(learningRate: 0.01), train: train,
                              validation: val, config: TrainingConfig(batchSize: 16, epochs: epochs, seed: seed))
        trainer.onEvent { event in
            if case .epochDone(let m) = event {
                print("epoch \(m.epoch)  loss \(fmt(m.trainLoss))  train acc \(fmt(m.trainAccuracy * 100))%  val acc \(fmt(m.validationAccuracy * 100))%")
            }
        }
        print("Training a 2-16-16-2 tanh MLP on \(dataset) (\(net.parameterCount) parameters).")
        trainer.run()
    }
}

func fmt(_ v: Float, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", Double(v))
}

import Foundation
