import ArgumentParser
import DendriteCore
import DendriteLab

/// Options shared by `lab` and `render`: which toy problem and network the Lab starts with
/// (the playground), or where lessons are and which step to open.
struct LabOptions: ParsableArguments {
    @Option(help: "Toy dataset.")
    var dataset: ToyData.Kind = .xor

    @Option(help: "Your own points instead of a toy set: a CSV file of x,y,label rows (coordinates about -1...1).")
    var csv: String?

    @Option(help: "Gaussian noise on each point (data units, points span about -1...1).")
    var noise: Float = 0.05

    @Option(help: "Hidden layer widths, comma-separated (e.g. 8,8).")
    var hidden: String = "8,8"

    @Option(help: "Dendrite mode: none (plain), gd (dendrites trained by gradient descent) or pb (Perforated Backpropagation).")
    var mode: DendriteMode = .none

    @Option(help: "The dendrite branches' nonlinearity: sigmoid, tanh, relu, dcaap (a bump: fires for moderate input, falls silent for strong input, as human cortical dendrites do) or nmda (a high-threshold sigmoid).")
    var branchActivation: DendriteActivation = .sigmoid

    @Option(help: "Which inputs each dendrite branch sees: all (default), or 'local K', 'random K' or 'global K' (K inputs per branch, e.g. 'local 1': each branch of a first-layer neuron listens to x₁ or x₂ only; drawn as dotted lines).",
            transform: { text in
                guard let v = DendriteInputs.parse(text) else {
                    throw ValidationError("expected \(DendriteInputs.textForms)")
                }
                return v
            })
    var branchInputs: DendriteInputs = .all

    @Flag(name: .customLong("soma-inputs"), inversion: .prefixedNo,
          help: "--no-soma-inputs: neurons hear their inputs only through their dendrite branches (their own input weights held at 0); the first branch grows at once in gd and pb mode.")
    var somaInputs = true

    @Option(help: "Random seed (same seed, same weights and data).")
    var seed: UInt64 = 1

    @Option(help: "Folder of lesson files (default: lessons/ here, else the package's lessons/).")
    var lessons: String?

    @Option(help: "Lesson step to start at (1 = the first).")
    var step: Int = 1

    func validate() throws {
        guard step >= 1 else { throw ValidationError("--step counts from 1, got \(step)") }
        guard (0...1).contains(noise) else { throw ValidationError("--noise must be between 0 and 1, got \(noise)") }
        guard let h = widths, !h.isEmpty, h.allSatisfy({ (1...64).contains($0) }) else {
            throw ValidationError("--hidden expects comma-separated widths from 1 to 64 (e.g. 8,8), got '\(hidden)'")
        }
    }

    private var widths: [Int]? {
        let parts = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? nil : parts.compactMap { $0 }
    }

    /// The playground config; with --csv reads the points (a bad file throws a one-line `DataError`).
    func makeConfig() throws -> LabConfig {
        var c = config
        if let csv { try c.usePoints(file: csv) }
        return c
    }

    var config: LabConfig {
        var c = LabConfig()
        c.dataset = dataset
        c.noise = noise
        c.hidden = widths ?? c.hidden
        c.mode = mode
        c.branchActivation = branchActivation
        c.branchInputs = branchInputs
        c.somaInputs = somaInputs
        c.seed = seed
        return c
    }
}
