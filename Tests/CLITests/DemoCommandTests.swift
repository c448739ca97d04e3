import Foundation
import Testing
@testable import dendrite_lab
import DendriteCore

/// `dendrite-lab demo`: the same net plain and with dendrites, both accuracies, two
/// terminal decision maps and a PNG, headless.
@Suite struct DemoCommandTests {
    @Test func demoTrainsBothRunsPrintsMapsAndWritesAPNG() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("demo-\(UInt32.random(in: 0...UInt32.max)).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["demo", "--epochs", "100", "--out", path], environment: ["DISPLAY": ""])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("without dendrites: 22 parameters, 0 dendrite sets"), "\(r.stdout)")
        #expect(r.stdout.contains("with PB dendrites:"))
        #expect(r.stdout.components(separatedBy: "validation").count >= 3)
        // Two maps of 24 rows of '#' and '.' (and data points).
        let mapRows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.count == 66 }
        #expect(mapRows.count == 48, "\(mapRows.count) map rows")
        #expect(r.stdout.contains(path))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    /// The README's claim: the plain network stays near 68% on the spirals, the same
    /// network growing PB dendrites reaches 100% (lesson 7's settings, seed 2). Issue: the
    /// demo had kept the engine's MNIST-tuned dendrite defaults and reached 95%.
    @Test func demoShowsThePointTheReadmeMakes() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("demo-\(UInt32.random(in: 0...UInt32.max)).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["demo", "--out", path], environment: ["DISPLAY": ""])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        func validation(_ title: String) -> Double? {
            guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix(title + ":") }),
                  let v = line.components(separatedBy: "validation ").last?.split(separator: "%").first else { return nil }
            return Double(v)
        }
        let plain = try #require(validation("without dendrites"), "\(r.stdout)")
        let pb = try #require(validation("with PB dendrites"), "\(r.stdout)")
        #expect(plain < 75, "plain \(plain)%")
        #expect(pb >= 99, "PB \(pb)%")
    }

    /// The demo says it trains lesson 7's network and schedule; its experiment is a copy,
    /// which once missed keys the lesson gained (and reached 95%, not 100%). The copy
    /// must stay equal to the lesson's dendrite step.
    @Test func demoTrainsLessonSevensDendriteSettings() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let lesson = try LessonLoader.load(path: root.appendingPathComponent("lessons/07-cascading-spirals.md").path)
        let step = try #require(lesson.steps.first { $0.experiment.mode == .pb })
        let demo = try Demo.parse([]).experiment(mode: "pb")
        #expect(demo.dendrites == step.experiment.dendrites)
        #expect(demo.network == step.experiment.network)
        #expect(demo.optimizer == step.experiment.optimizer)
        #expect(demo.batchSize == step.experiment.batchSize)
    }

    @Test func demoRejectsAnUnknownDataset() throws {
        let r = try CLI.run(["demo", "--dataset", "moon"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("The value 'moon' is invalid for '--dataset <dataset>'"))
    }
}
