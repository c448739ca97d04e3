import Foundation
import Testing

/// `lab` (the default command) and `render`, run as a user would run them.
@Suite struct LabCommandTests {
    static func run(_ args: [String], environment change: (inout [String: String]) -> Void = { _ in })
        throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = DataCommandTests.binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        change(&env)
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func withoutADisplayTheDefaultCommandSaysHowToRunHeadless() throws {
        let r = try Self.run([]) { env in
            env["DISPLAY"] = nil
            env["WAYLAND_DISPLAY"] = nil
            env["SDL_VIDEODRIVER"] = nil
        }
        #expect(r.status != 0)
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(r.err)")
        #expect(r.err.contains("xvfb-run -a dendrite-lab"))
        #expect(r.err.contains("dendrite-lab render --out lab.png"))
        #expect(r.err.contains("dendrite-lab demo"))
    }

    @Test func renderWritesAPNGHeadless() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lab-render-\(UInt32.random(in: 0...UInt32.max)).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Self.run(["render", "--out", path, "--epochs", "2", "--hidden", "4"]) { env in
            env["DISPLAY"] = nil
        }
        #expect(r.status == 0, "stderr: \(r.err)")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(r.out.contains("after 2 epochs"))
    }

    @Test func badOptionsAreRejectedWithASentence() throws {
        let r = try Self.run(["render", "--out", "/tmp/x.png", "--dataset", "spirals"])
        #expect(r.status != 0)
        #expect(r.err.contains("unknown dataset 'spirals'"))
    }

    @Test func badCSVIsOneLineNamingFileAndLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lab-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.csv").path
        try "x,y,label\n0,0,0\n1,1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try Self.run(["lab", "--csv", bad])
        #expect(r.status == 2)
        #expect(r.err == "dendrite-lab: \(bad):3: 2 columns '1,1'; expected x,y,label with numbers\n")
    }

    @Test func badCheckpointIsOneLine() throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString).safetensors").path
        try "nope".write(toFile: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let r = try Self.run(["lab", "--load", bad])
        #expect(r.status == 2)
        #expect(r.err.hasPrefix("dendrite-lab: \(bad): "), "\(r.err)")
        #expect(r.err.split(separator: "\n").count == 1)
    }

    @Test func renderPlaysTheShippedCSV() throws {
        let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("assets/datasets/ring-and-blobs.csv").path
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lab-csv-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try Self.run(["render", "--csv", csv, "--out", path, "--epochs", "2"]) { env in env["DISPLAY"] = nil }
        #expect(r.status == 0, "stderr: \(r.err)")
        #expect(r.out.contains("after 2 epochs"))
    }
}
