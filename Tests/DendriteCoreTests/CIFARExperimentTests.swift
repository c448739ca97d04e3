import Foundation
import Testing
@testable import DendriteCore

/// `experiments/cifar10-cnn.yaml` runs end to end on CIFAR-10 files generated in the
/// exact binary format (the real set cannot be fetched on these machines).
@Suite struct CIFARExperimentTests {
    /// Six batch files of `perFile` records whose class is readable from the pixels
    /// (a bright stripe at row 3 * label), so a CNN can learn something in one epoch.
    static func writeFakeCIFAR(to dir: URL, perFile: Int) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var rng = RNG(seed: 5)
        for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] {
            var pixels = [UInt8](), labels = [UInt8]()
            for _ in 0..<perFile {
                let label = UInt8(rng.int(below: 10))
                var image = (0..<CIFARReader.imageBytes).map { _ in UInt8(rng.int(below: 64)) }
                for c in 0..<3 { for x in 0..<32 { image[c * 1024 + Int(label) * 3 * 32 + x] = 255 } }
                pixels += image
                labels.append(label)
            }
            let bytes = CIFARReader.encode(pixels: pixels, labels: labels)
            try Data(bytes).write(to: dir.appendingPathComponent(name))
        }
    }

    @Test func cifarCNNExperimentTrainsOnGeneratedBatches() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cifar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.writeFakeCIFAR(to: dir, perFile: 40)
        var e = try ExperimentLoader.load(contentsOf: packageRoot().appendingPathComponent("experiments/cifar10-cnn.yaml"))
        e.dataset.directory = dir.path
        e.epochs = 3
        let session = try ExperimentSession(e)
        #expect(session.data.train.count + session.data.validation.count == 200)
        #expect(session.data.test.count == 40)
        #expect(session.data.train.sampleShape == [3, 32, 32])
        let before = session.trainer.evaluate(session.data.train).loss
        session.trainer.run()
        let after = session.trainer.evaluate(session.data.train)
        #expect(session.trainer.history.count == 3)
        #expect(after.loss < before, "training loss \(before) -> \(after.loss)")
        #expect(session.trainer.history.allSatisfy { $0.trainLoss.isFinite })
    }
}
