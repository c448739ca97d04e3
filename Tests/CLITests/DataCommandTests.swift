import Foundation
import Testing

/// Runs the built `dendrite-lab` binary on routes that need neither network nor pip.
@Suite struct DataCommandTests {
    static func run(_ args: [String]) throws -> CLI.Result {
        try CLI.run(args, environment: ["DENDRITE_OFFLINE": "1"])
    }

    @Test func missingCIFARExitsNonZeroWithOneLineSayingWhatToDownload() throws {
        let dir = NSTemporaryDirectory() + "dendrite-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Self.run(["data", "cifar10", "--dir", dir])
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("cifar-10-binary.tar.gz") && r.stderr.contains(dir))
        #expect(r.stdout.isEmpty)
    }

    @Test func unknownDatasetIsRejected() throws {
        let r = try Self.run(["data", "imagenet"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("mnist, fashion-mnist, cifar10"))
    }

    @Test func wrongChecksumIsReportedWithTheFile() throws {
        let dir = NSTemporaryDirectory() + "dendrite-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/train-labels-idx1-ubyte"
        FileManager.default.createFile(atPath: file, contents: Data([0, 0, 8, 1, 0, 0, 0, 0]))
        let r = try Self.run(["data", "mnist", "--dir", dir])
        #expect(r.status != 0)
        #expect(r.stderr.contains(file) && r.stderr.contains("a25bea736e30d166cdddb491f175f624"), "\(r.stderr)")
    }
}
