/// How stored bytes become network inputs: `value = Float(byte) * scale + shift`.
/// Byte datasets keep their pixels as UInt8 and apply this per batch, so changing the
/// normalisation costs nothing and never copies the images.
public struct Normalization: Equatable, Codable, Sendable {
    public var scale: Float
    public var shift: Float

    public init(scale: Float, shift: Float) {
        self.scale = scale
        self.shift = shift
    }

    /// Pixels 0...255 to 0...1.
    public static let unitRange = Normalization(scale: 1 / 255, shift: 0)

    /// `(byte / 255 - mean) / std`, with `mean` and `std` in 0...1 pixel units.
    public static func standardized(mean: Float, std: Float) -> Normalization {
        // Invariant: measured std is checked positive by its caller (measuredNormalization returns nil otherwise).
        precondition(std > 0, "standard deviation must be positive, got \(std)")
        return Normalization(scale: 1 / (255 * std), shift: -mean / std)
    }

    /// The usual published constants (training set, pixel / 255 units).
    public static let mnist = standardized(mean: 0.1307, std: 0.3081)
    public static let fashionMNIST = standardized(mean: 0.2860, std: 0.3530)
    /// One mean and std for all three channels pooled (per-channel values are
    /// 0.4914/0.4822/0.4465 and 0.2470/0.2435/0.2616); a byte dataset has a single
    /// scale and shift.
    public static let cifar10 = standardized(mean: 0.4734, std: 0.2516)

    /// Zero mean and unit standard deviation over all of `bytes` (a training set's
    /// pixels), measured through a 256-bin histogram.
    public static func measured(_ bytes: [UInt8]) -> Normalization {
        var histogram = [Int](repeating: 0, count: 256)
        for b in bytes { histogram[Int(b)] += 1 }
        let n = Double(max(bytes.count, 1))
        var mean = 0.0
        for (v, c) in histogram.enumerated() { mean += Double(v) * Double(c) }
        mean /= n
        var variance = 0.0
        for (v, c) in histogram.enumerated() { variance += (Double(v) - mean) * (Double(v) - mean) * Double(c) }
        let std = max((variance / n).squareRoot(), 1e-6)
        return Normalization(scale: Float(1 / std), shift: Float(-mean / std))
    }

    /// Raw 0...255 values.
    public static let identity = Normalization(scale: 1, shift: 0)

    /// Which normalisation a real dataset gets when loaded; experiment files name it
    /// (`dataset.normalization`) by these raw values.
    public enum Strategy: String, Codable, CaseIterable, Sendable {
        /// Raw 0...255 values.
        case none
        /// byte / 255, so values lie in [0, 1].
        case unit
        /// (byte / 255 - mean) / std with the mean and std measured over all training-file
        /// pixels (applied to the test set too).
        case standard
        /// (byte / 255 - mean) / std with the dataset's usual published constants.
        case published
    }
}

extension Dataset {
    /// The same samples with a different normalisation. Byte datasets just change
    /// their `scale` and `shift`; float datasets have it applied to every value.
    public func normalized(_ n: Normalization) -> Dataset {
        var out = self
        switch features {
        case .bytes(let b, _, _): out.features = .bytes(b, scale: n.scale, shift: n.shift)
        case .float(let f): out.features = .float(f.map { $0 * n.scale + n.shift })
        }
        return out
    }

    /// The transform from stored values to network inputs: a byte dataset's `scale` and
    /// `shift`; the identity for float datasets, whose values are used as stored.
    public var normalization: Normalization {
        if case .bytes(_, let scale, let shift) = features { return Normalization(scale: scale, shift: shift) }
        return .identity
    }

    /// Mean and std of a byte dataset's pixels; nil for float datasets.
    public func measuredNormalization() -> Normalization? {
        if case .bytes(let b, _, _) = features { return .measured(b) }
        return nil
    }
}
