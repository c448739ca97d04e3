import Foundation

/// The real image datasets the project knows, the files each consists of, and the
/// published checksums those files must have.
public enum RealDataset: String, CaseIterable, Codable, Sendable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case cifar10

    /// One file of a dataset as stored on disk (uncompressed).
    public struct FileSpec: Sendable {
        public var name: String
        /// Size in bytes of the uncompressed file.
        public var bytes: Int
        /// Published MD5 of the uncompressed file, where one is known.
        public var md5: String?
    }

    public var files: [FileSpec] {
        switch self {
        case .mnist:
            return [FileSpec(name: "train-images-idx3-ubyte", bytes: 47_040_016, md5: "6bbc9ace898e44ae57da46a324031adb"),
                    FileSpec(name: "train-labels-idx1-ubyte", bytes: 60_008, md5: "a25bea736e30d166cdddb491f175f624"),
                    FileSpec(name: "t10k-images-idx3-ubyte", bytes: 7_840_016, md5: "2646ac647ad5339dbf082846283269ea"),
                    FileSpec(name: "t10k-labels-idx1-ubyte", bytes: 10_008, md5: "27ae3e4e09519cfbb04c329615203637")]
        case .fashionMNIST:
            return [FileSpec(name: "train-images-idx3-ubyte", bytes: 47_040_016, md5: "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
                    FileSpec(name: "train-labels-idx1-ubyte", bytes: 60_008, md5: "9018921c3c673c538a1fc5bad174d6f9"),
                    FileSpec(name: "t10k-images-idx3-ubyte", bytes: 7_840_016, md5: "8181f5470baa50b63fa0f6fddb340f0a"),
                    FileSpec(name: "t10k-labels-idx1-ubyte", bytes: 10_008, md5: "15d484375f8d13e6eb1aabb0c3f46965")]
        case .cifar10:
            let batch = 10_000 * CIFARReader.recordBytes
            return (1...5).map { FileSpec(name: "data_batch_\($0).bin", bytes: batch, md5: nil) }
                + [FileSpec(name: "test_batch.bin", bytes: batch, md5: nil)]
        }
    }

    public var classNames: [String] {
        switch self {
        case .mnist: return (0...9).map(String.init)
        case .fashionMNIST: return ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        case .cifar10: return CIFARReader.classNames
        }
    }

    public var sampleShape: [Int] { self == .cifar10 ? [3, 32, 32] : [1, 28, 28] }

    public var publishedNormalization: Normalization {
        switch self {
        case .mnist: return .mnist
        case .fashionMNIST: return .fashionMNIST
        case .cifar10: return .cifar10
        }
    }

    /// Parses a user-given name; the error lists the known ones.
    public static func named(_ name: String) throws -> RealDataset {
        guard let d = RealDataset(rawValue: name.lowercased()) else {
            throw DataError(.unavailable, file: name,
                            "unknown dataset; expected one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return d
    }

    /// Where `file` lives in `directory`: the raw file, else its `.gz`, else (CIFAR-10)
    /// inside the `cifar-10-batches-bin` folder the official tarball extracts to.
    public func locate(_ file: String, in directory: String) -> String? {
        var folders = [directory]
        if self == .cifar10 { folders.append((directory as NSString).appendingPathComponent("cifar-10-batches-bin")) }
        for folder in folders {
            for candidate in [file, file + ".gz"] {
                let path = (folder as NSString).appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: path) { return path }
            }
        }
        return nil
    }
}

/// Loads a real dataset's train and test splits from a folder prepared by
/// `dendrite-lab data NAME` (or by hand in the same layout).
public enum RealData {
    public static func load(name: String, directory: String,
                            normalization: Normalization.Strategy = .unit) throws -> (train: Dataset, test: Dataset) {
        try load(RealDataset.named(name), directory: directory, normalization: normalization)
    }

    public static func load(_ dataset: RealDataset, directory: String,
                            normalization: Normalization.Strategy = .unit) throws -> (train: Dataset, test: Dataset) {
        func path(_ file: String) throws -> String {
            guard let p = dataset.locate(file, in: directory) else {
                throw DataError(.unavailable, file: (directory as NSString).appendingPathComponent(file),
                                "missing; run `dendrite-lab data \(dataset.rawValue) --dir \(directory)` to obtain it")
            }
            return p
        }
        var train: Dataset, test: Dataset
        switch dataset {
        case .mnist, .fashionMNIST:
            train = try IDXReader.loadImagesAndLabels(images: path("train-images-idx3-ubyte"),
                                                      labels: path("train-labels-idx1-ubyte"),
                                                      name: dataset.rawValue + "/train")
            test = try IDXReader.loadImagesAndLabels(images: path("t10k-images-idx3-ubyte"),
                                                     labels: path("t10k-labels-idx1-ubyte"),
                                                     name: dataset.rawValue + "/test")
        case .cifar10:
            train = try CIFARReader.load((1...5).map { try path("data_batch_\($0).bin") }, name: "cifar10/train")
            test = try CIFARReader.load([path("test_batch.bin")], name: "cifar10/test")
        }
        // Readers accept any image size; the catalog knows the one each set has.
        let side = dataset.sampleShape[2]
        for (set, file) in [(train, dataset == .cifar10 ? "data_batch_1.bin" : "train-images-idx3-ubyte"),
                            (test, dataset == .cifar10 ? "test_batch.bin" : "t10k-images-idx3-ubyte")]
        where set.sampleShape.suffix(2) != [side, side] {
            throw DataError(.wrongSize, file: try path(file),
                            "images are \(set.sampleShape.suffix(2).map(String.init).joined(separator: "x")), expected \(side)x\(side) (\(dataset.rawValue))")
        }
        let n: Normalization
        switch normalization {
        case .none: n = .identity
        case .unit: n = .unitRange
        case .published: n = dataset.publishedNormalization
        case .standard: n = train.measuredNormalization() ?? .unitRange
        }
        return (train.normalized(n), test.normalized(n))
    }
}
