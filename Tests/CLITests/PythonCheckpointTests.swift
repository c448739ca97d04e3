import Foundation
import Testing
import DendriteCore

/// `examples/load_checkpoint.py` (numpy + safetensors, nothing of this program) reproduces
/// a run's test accuracy from its `best.safetensors` exactly, for a plain, a GD and a PB
/// run, and a GD run with soma inputs off (its held W stored as zeros): the checkpoint's
/// `model` metadata and docs/checkpoints.md are enough to use it.
@Suite struct PythonCheckpointTests {
    /// python3 with numpy and safetensors (`scripts/setup.sh --cluster` installs them; CI has them).
    static let python: Bool = {
        (try? ChildProcess.run("/usr/bin/env", ["python3", "-c", "import numpy, safetensors"]))?.status == 0
    }()

    /// 28x28 images whose class sets a bright 7x7 block in one of ten places, with noise:
    /// an MNIST-format set a small net learns to about 90% in a few epochs.
    static func writeDigits(to folder: URL) throws {
        var rng = RNG(seed: 5)
        func set(_ n: Int, _ images: String, _ labels: String) throws {
            var px = [UInt8](), ys = [UInt8]()
            for _ in 0..<n {
                let y = Int(rng.next() % 10)
                ys.append(UInt8(y))
                let (r0, c0) = (3 + (y / 5) * 12, 1 + (y % 5) * 5)
                for r in 0..<28 {
                    for c in 0..<28 {
                        let inBlock = (r0..<r0 + 7).contains(r) && (c0..<c0 + 7).contains(c)
                        px.append(UInt8((inBlock ? 150 : 0) + Int(rng.next() % 100)))
                    }
                }
            }
            try IDXWriter.write(IDXArray(dims: [n, 28, 28], bytes: px), to: folder.appendingPathComponent(images).path)
            try IDXWriter.write(IDXArray(dims: [n], bytes: ys), to: folder.appendingPathComponent(labels).path)
        }
        try set(600, "train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        try set(300, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    }

    @Test(.enabled(if: python || ProcessInfo.processInfo.environment["CI"] != nil,
                   "needs python3 with numpy and safetensors (scripts/setup.sh --cluster installs them)"),
          arguments: ["none", "gd", "pb", "gd soma_inputs false", "pb inputs local 16"])
    func pythonReproducesTheTestAccuracy(variant: String) throws {
        let mode = String(variant.prefix { $0 != " " }), somaOff = variant.hasSuffix("soma_inputs false")
        let sampled = variant.hasSuffix("inputs local 16")
        let dir = CLI.temporaryFolder("python-ckpt-\(mode)\(somaOff ? "-soma-off" : "")\(sampled ? "-local" : "")")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Self.writeDigits(to: data)
        let yaml = """
            name: py-\(mode)
            dataset: {name: mnist, directory: "\(data.path)", validation: 0.2, normalization: published}
            network: {input: [1, 28, 28], layers: [conv 3 3x3 pad 1, relu, maxpool 2, flatten, dense 6, tanh, dense 10]}
            mode: \(mode)
            dendrites: {switch: fixed, fixed_interval: 2, max_dendrites: 2, max_p_epochs: 2\(somaOff ? ", layers: [4], soma_inputs: false" : "")\(sampled ? ", layers: [4], inputs: local 16" : "")}
            optimizer: {kind: adam, lr: 0.005}
            epochs: 6
            batch_size: 32
            seed: 2
            """
        let file = dir.appendingPathComponent("py.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run")
        let train = try CLI.run(["train", file.path, "--out", run.path, "--threads", "1"])
        #expect(train.status == 0, "stderr: \(train.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json"))) as? [String: Any]
        let accuracy = try #require(summary?["test_accuracy"] as? Double)
        let sets = try #require(summary?["dendrite_sets"] as? Int)
        #expect(mode == "none" ? sets == 0 : sets > 0, "\(mode) run grew \(sets) dendrite sets")
        // With soma inputs off the dense 6 layer's signal all passes through A, which starts
        // at 0: six epochs reach about 40% (measured 42%), far above chance (10%).
        #expect(accuracy > (somaOff ? 0.25 : 0.5), "the net did not learn the digits: \(accuracy)")

        let p = try ChildProcess.run("/usr/bin/env", ["python3", CLI.packageRoot.appendingPathComponent("examples/load_checkpoint.py").path, run.path])
        let printed = p.stdout
        #expect(p.status == 0, "\(p.stderr)")
        #expect(printed.contains("holds the best model"), "\(printed)")
        #expect(printed.contains(String(format: "test accuracy %.6f", accuracy)), "summary.json says \(accuracy); python printed \(printed)")
    }
}
