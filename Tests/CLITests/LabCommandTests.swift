import Foundation
import Testing

/// `lab` (the default command) and `render`, run as a user would run them.
@Suite struct LabCommandTests {
    @Test func withoutADisplayTheDefaultCommandSaysHowToRunHeadless() throws {
        let r = try CLI.run([], environment: CLI.noDisplay)
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(r.stderr)")
        #expect(r.stderr.contains("xvfb-run -a dendrite-lab"))
        #expect(r.stderr.contains("dendrite-lab render --out lab.png"))
        #expect(r.stderr.contains("dendrite-lab demo"))
    }

    @Test func renderWritesAPNGHeadless() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lab-render-\(UInt32.random(in: 0...UInt32.max)).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["render", "--out", path, "--epochs", "2", "--hidden", "4"], environment: ["DISPLAY": ""])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(r.stdout.contains("after 2 epochs"))
    }

    @Test func badOptionsAreRejectedWithASentence() throws {
        let r = try CLI.run(["render", "--out", "/tmp/x.png", "--dataset", "spirals"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("The value 'spirals' is invalid for '--dataset <dataset>'"))
    }

    @Test func badCSVIsOneLineNamingFileAndLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lab-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.csv").path
        try "x,y,label\n0,0,0\n1,1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["lab", "--csv", bad])
        #expect(r.status == 2)
        #expect(r.stderr == "dendrite-lab: \(bad):3: 2 columns '1,1'; expected x,y,label with numbers\n")
    }

    @Test func badCheckpointIsOneLine() throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString).safetensors").path
        try "nope".write(toFile: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let r = try CLI.run(["lab", "--load", bad])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("dendrite-lab: \(bad): "), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func renderPlaysTheShippedCSV() throws {
        let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("assets/datasets/ring-and-blobs.csv").path
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lab-csv-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CLI.run(["render", "--csv", csv, "--out", path, "--epochs", "2"], environment: ["DISPLAY": ""])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("after 2 epochs"))
    }
}
