import Foundation
import Testing
@testable import DendriteCore

/// The store's decisions that need neither network nor pip: where files go, and how
/// missing or wrong files are reported.
@Suite struct DatasetStoreTests {
    static func offlineStore(_ env: [String: String] = [:]) -> DatasetStore {
        var s = DatasetStore(environment: env)
        s.useNetwork = false
        s.usePip = false
        return s
    }

    @Test func cacheFolderFollowsOverrideThenEnvironment() {
        let plain = Self.offlineStore(["HOME": "/home/u"])
        #expect(plain.directory(for: .mnist) == "/home/u/.cache/dendrite-lab/mnist")
        let xdg = Self.offlineStore(["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"])
        #expect(xdg.directory(for: .cifar10) == "/xdg/dendrite-lab/cifar10")
        let root = Self.offlineStore(["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg", "DENDRITE_DATA_DIR": "/data"])
        #expect(root.directory(for: .fashionMNIST) == "/data/fashion-mnist")
        #expect(root.directory(for: .mnist, override: "/mine") == "/mine")
    }

    @Test func offlineEnvironmentVariableDisablesTheMirrors() {
        #expect(DatasetStore(environment: ["DENDRITE_OFFLINE": "1"]).useNetwork == false)
        #expect(DatasetStore(environment: [:]).useNetwork == true)
    }

    @Test func fileWithTheWrongChecksumIsAnErrorNamingIt() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let path = tmp.write([0, 0, 8, 1, 0, 0, 0, 1, 7], "t10k-labels-idx1-ubyte")
        do {
            _ = try Self.offlineStore().obtain(.mnist, directory: tmp.path)
            Issue.record("no error")
        } catch let e as DataError {
            #expect(e.kind == .checksumMismatch)
            #expect(e.file == path)
            #expect(e.description.contains("27ae3e4e09519cfbb04c329615203637"))
        }
    }

    @Test func missingCIFARTellsWhatToDownloadAndWhereToPutIt() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        do {
            _ = try Self.offlineStore().obtain(.cifar10, directory: tmp.path)
            Issue.record("no error")
        } catch let e as DataError {
            #expect(e.kind == .unavailable)
            #expect(e.description.contains("cifar-10-binary.tar.gz"))
            #expect(e.description.contains(tmp.path))
            #expect(!e.description.contains("\n"))
        }
    }

    @Test func cifarBatchOfTheWrongSizeIsAnErrorNamingIt() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let path = tmp.write([UInt8](repeating: 1, count: 3073 * 2), "data_batch_3.bin")
        do {
            _ = try Self.offlineStore().obtain(.cifar10, directory: tmp.path)
            Issue.record("no error")
        } catch let e as DataError {
            #expect(e.kind == .wrongSize)
            #expect(e.file == path)
        }
    }

    @Test func missingFashionMNISTPackageSuggestsApt() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        var store = Self.offlineStore()
        store.fashionMNISTSource = tmp.file("not-installed")
        do {
            _ = try store.obtain(.fashionMNIST, directory: tmp.file("cache"))
            Issue.record("no error")
        } catch let e as DataError {
            #expect(e.kind == .unavailable)
            #expect(e.description.contains("apt-get install dataset-fashion-mnist"))
        }
    }

    @Test func wrongSourceFileIsRejectedBeforeItReachesTheCache() throws {
        let tmp = TempFolder(); defer { tmp.remove() }
        let src = tmp.file("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for f in RealDataset.fashionMNIST.files {
            try IDXWriter.write(IDXArray(dims: [1], bytes: [1]), to: (src as NSString).appendingPathComponent(f.name + ".gz"),
                                compressed: true)
        }
        var store = Self.offlineStore()
        store.fashionMNISTSource = src
        let cache = tmp.file("cache")
        do {
            _ = try store.obtain(.fashionMNIST, directory: cache)
            Issue.record("no error")
        } catch let e as DataError {
            #expect(e.kind == .checksumMismatch)
            #expect(e.file.hasPrefix(src))
        }
        #expect(RealDataset.fashionMNIST.locate("train-images-idx3-ubyte", in: cache) == nil)
    }
}

/// Checks on the genuine files, run only where `dendrite-lab data mnist` (or
/// `fashion-mnist`) has already put them; they never download anything.
@Suite struct RealDataTests {
    static let mnistDir = DatasetStore().directory(for: .mnist)
    static let mnistPresent = RealDataset.mnist.files.allSatisfy { RealDataset.mnist.locate($0.name, in: mnistDir) != nil }

    @Test(.enabled(if: mnistPresent, "run `dendrite-lab data mnist` first"))
    func genuineMNISTHasThePublishedLabelsAndMean() throws {
        let report = try DatasetStore().obtain(.mnist)
        #expect(report.files.filter { !$0.matchesPublishedMD5 }.isEmpty)
        let (train, test) = try RealData.load(.mnist, directory: Self.mnistDir)
        #expect(train.count == 60_000 && test.count == 10_000)
        #expect(train.labels.prefix(10) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        #expect(test.labels.prefix(5) == [7, 2, 1, 0, 4])
        guard case .bytes(let px, _, _) = train.features else { Issue.record("expected bytes"); return }
        let mean = Double(px.reduce(0) { $0 + Int($1) }) / Double(px.count)
        #expect(abs(mean - 33.32) < 0.01, "mean pixel \(mean)")
    }
}
