import Foundation
import Testing

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

    @Test func demoRejectsAnUnknownDataset() throws {
        let r = try CLI.run(["demo", "--dataset", "moon"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("The value 'moon' is invalid for '--dataset <dataset>'"))
    }
}
