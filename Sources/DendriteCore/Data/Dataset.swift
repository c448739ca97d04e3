import CKernels
/// Labelled samples for classification, kept compact in memory.
///
/// Real image sets stay as bytes (60000 MNIST images are 47 MB as UInt8, 188 MB as
/// Float) and are converted per batch with `scale` and `shift`; toy sets are Float.
public struct Dataset: Sendable {
    public enum Features: Sendable {
        /// count x sampleSize floats, used as they are.
        case float([Float])
        /// count x sampleSize bytes; value = Float(byte) * scale + shift.
        case bytes([UInt8], scale: Float, shift: Float)
    }

    public var name: String
    /// One sample's shape, e.g. [2] or [1, 28, 28].
    public var sampleShape: [Int]
    public var features: Features
    /// Class index per sample.
    public var labels: [Int32]
    public var classCount: Int

    public init(name: String, sampleShape: [Int], features: Features, labels: [Int32], classCount: Int) {
        self.name = name
        self.sampleShape = sampleShape
        self.features = features
        self.labels = labels
        self.classCount = classCount
        // Invariant: readers and `subset` build features and labels of matching counts.
        precondition(featureCount == labels.count * sampleSize,
                     "\(name): \(featureCount) feature values for \(labels.count) samples of \(sampleShape)")
    }

    public var count: Int { labels.count }
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    private var featureCount: Int {
        switch features {
        case .float(let f): return f.count
        case .bytes(let b, _, _): return b.count
        }
    }

    /// Writes the samples at `indices` into `x` ([n, sampleShape...]) and their labels
    /// into `labels`, reusing both buffers when the batch size is unchanged. `parallel`:
    /// byte samples may be converted on several cores (worth it when the layer that reads
    /// the batch multiplies it on several cores too).
    public func fill<Indices: RandomAccessCollection<Int>>(indices: Indices, into x: inout Tensor, labels out: inout [Int32],
                                                          parallel: Bool = true) {
        let n = indices.count, size = sampleSize
        x.resize(to: [n] + sampleShape)
        if out.count != n { out = [Int32](repeating: 0, count: n) }
        x.withUnsafeMutableBufferPointer { dst in
            switch features {
            case .float(let f):
                f.withUnsafeBufferPointer { src in
                    for (r, i) in indices.enumerated() {
                        // Invariant: a dataset has at least one sample of non-zero size (validated on load) and the batch tensor was sized for the indices.
                        (dst.baseAddress! + r * size).update(from: src.baseAddress! + i * size, count: size)
                    }
                }
            case .bytes(let b, let scale, let shift):
                // Shuffled samples are cache misses: worth the second core on a big batch.
                b.withUnsafeBufferPointer { src in
                    guard let src = src.baseAddress, let dst = dst.baseAddress else { return }
                    func convert(_ rows: Range<Int>) {
                        var k = indices.index(indices.startIndex, offsetBy: rows.lowerBound), next = k
                        // Ask for each sample `ahead` rows before converting it.
                        let ahead = 2
                        for _ in 0..<min(ahead, rows.count) {
                            dendrite_prefetch(src + indices[next] * size, size)
                            indices.formIndex(after: &next)
                        }
                        for r in rows {
                            if r + ahead < rows.upperBound {
                                dendrite_prefetch(src + indices[next] * size, size)
                                indices.formIndex(after: &next)
                            }
                            dendrite_bytes_to_floats(src + indices[k] * size, dst + r * size, size, scale, shift)
                            indices.formIndex(after: &k)
                        }
                    }
                    if parallel { Parallel.forRanges(n, cost: size, convert) } else { convert(0..<n) }
                }
            }
        }
        for (r, i) in indices.enumerated() { out[r] = self.labels[i] }
    }

    /// The samples at `indices`, as a new dataset of the same kind.
    public func subset(_ indices: [Int], name: String? = nil) -> Dataset {
        let size = sampleSize
        let newFeatures: Features
        switch features {
        case .float(let f):
            var out = [Float](); out.reserveCapacity(indices.count * size)
            for i in indices { out.append(contentsOf: f[(i * size)..<((i + 1) * size)]) }
            newFeatures = .float(out)
        case .bytes(let b, let scale, let shift):
            var out = [UInt8](); out.reserveCapacity(indices.count * size)
            for i in indices { out.append(contentsOf: b[(i * size)..<((i + 1) * size)]) }
            newFeatures = .bytes(out, scale: scale, shift: shift)
        }
        return Dataset(name: name ?? self.name, sampleShape: sampleShape, features: newFeatures,
                       labels: indices.map { labels[$0] }, classCount: classCount)
    }

    /// Splits off the last `fraction` of a seeded permutation as a validation set.
    public func split(validationFraction fraction: Double, rng: inout RNG) -> (train: Dataset, validation: Dataset) {
        var order = Array(0..<count)
        rng.shuffle(&order)
        let nVal = Int((Double(count) * fraction).rounded())
        let nTrain = count - nVal
        return (subset(Array(order[..<nTrain]), name: name + "/train"),
                subset(Array(order[nTrain...]), name: name + "/validation"))
    }
}
