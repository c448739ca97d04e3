import Foundation
import Testing

/// Runs the built `dendrite-lab` binary on routes that need neither network nor pip.
@Suite struct DataCommandTests {
    /// The executable sits next to the test bundle in SwiftPM's build folder.
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !dir.path.isEmpty, dir.path != "/" {
            let candidate = dir.appendingPathComponent("dendrite-lab")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: "dendrite-lab")
    }

    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["DENDRITE_OFFLINE"] = "1"
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

    @Test func missingCIFARExitsNonZeroWithOneLineSayingWhatToDownload() throws {
        let dir = NSTemporaryDirectory() + "dendrite-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Self.run(["data", "cifar10", "--dir", dir])
        #expect(r.status != 0)
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 1, "\(r.err)")
        #expect(r.err.contains("cifar-10-binary.tar.gz") && r.err.contains(dir))
        #expect(r.out.isEmpty)
    }

    @Test func unknownDatasetIsRejected() throws {
        let r = try Self.run(["data", "imagenet"])
        #expect(r.status != 0)
        #expect(r.err.contains("mnist, fashion-mnist, cifar10"))
    }

    @Test func wrongChecksumIsReportedWithTheFile() throws {
        let dir = NSTemporaryDirectory() + "dendrite-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/train-labels-idx1-ubyte"
        FileManager.default.createFile(atPath: file, contents: Data([0, 0, 8, 1, 0, 0, 0, 0]))
        let r = try Self.run(["data", "mnist", "--dir", dir])
        #expect(r.status != 0)
        #expect(r.err.contains(file) && r.err.contains("a25bea736e30d166cdddb491f175f624"), "\(r.err)")
    }
}
