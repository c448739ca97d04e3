import Foundation
import Testing

@Suite struct DivergenceCLITests {
    /// Three dense layers without activations and SGD with momentum at lr 0.7: the weights'
    /// scale multiplies each step until it overflows, a few epochs in (seed 3).
    static let exploding = """
        name: diverge
        dataset: {name: spiral, count: 300, noise: 0.05}
        network:
          layers: [dense 16, dense 16, dense 2]
        optimizer: {kind: sgd, lr: 0.7, momentum: 0.9}
        epochs: 20
        batch_size: 16
        seed: 3
        """

    @Test func divergedRunExitsWithOneLineAndKeepsTheLastGoodCheckpoint() throws {
        let folder = CLI.temporaryFolder("diverge")
        let file = folder.appendingPathComponent("diverge.yaml")
        try RunFolder.write(DivergenceCLITests.exploding, to: file)
        let out = folder.appendingPathComponent("run")
        let r = try CLI.run(["train", file.path, "--out", out.path])
        #expect(r.status != 0)
        let message = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!message.contains("\n"), "not one line: \(message)")
        let pattern = /diverged at epoch (\d+), batch (\d+) in layer ([\w.]+); last good checkpoint: (\S+)/
        guard let m = message.firstMatch(of: pattern), let epoch = Int(m.1) else {
            Issue.record("unexpected message: \(message)"); return
        }
        #expect(epoch >= 2, "needs an earlier finished epoch to keep")
        #expect(String(m.4) == out.appendingPathComponent("checkpoint.safetensors").path)
        #expect(m.3 == "layers.0.weight" || m.3 == "layers.1.weight" || m.3 == "layers.2.weight" || m.3.hasSuffix(".bias") || m.3 == "loss")
        #expect(try RunFolder.lines(out.appendingPathComponent("events.jsonl")).last?.contains("\"event\":\"diverged\"") == true)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("summary.json").path))
        #expect(RunFolder.temporaries(out).isEmpty)

        // The checkpoint on disk is exactly that of a healthy run stopped at the last good epoch.
        let good = folder.appendingPathComponent("good")
        let g = try CLI.run(["train", file.path, "--out", good.path, "--epochs", "\(epoch - 1)"])
        #expect(g.status == 0, "stderr: \(g.stderr)")
        let kept = try RunFolder.tensors(out.appendingPathComponent("checkpoint.safetensors"))
        #expect(!kept.isEmpty && kept.values.allSatisfy { $0.allSatisfy { Float(bitPattern: $0).isFinite } })
        #expect(kept == (try RunFolder.tensors(good.appendingPathComponent("checkpoint.safetensors"))))
        #expect(try RunFolder.metrics(out) == RunFolder.metrics(good))
    }
}
