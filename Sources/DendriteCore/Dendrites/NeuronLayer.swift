/// A layer that holds neurons and can therefore grow dendrites: Dense (neurons = output
/// units) and Conv2D (neurons = output channels).
///
/// A dendrite set is "a full copy of the layer's shape", so the only thing a
/// `PerforatedLayer` needs from the layer it wraps is a way to build more of the same
/// kind: `sibling(outputs:)` returns a layer with the same input geometry (same input
/// size, or same kernel, stride and padding) and `outputs` neurons. All dendrite sets of
/// a layer then run as one sibling with D*C outputs: one sgemm (or one im2col + sgemm)
/// for all of them.
///
/// Layout contract (Dense and Conv2D both keep PyTorch's): `weight` is
/// [C, fanIn...] and `bias` is [C], so the weights of neuron c are one contiguous row,
/// and the output of a batch is [B, C, S] with S spatial positions per neuron (S = 1
/// for Dense, H*W for Conv2D).
public protocol NeuronLayer: DendriteBankLayer {
    // neuronCount (C: output units or output channels), weight [C, fanIn...], bias [C]
    // and releaseInput() come from `DendriteBankLayer`.
    /// A fresh layer of the same kind and input geometry with `outputs` neurons. Its
    /// initial weights are meaningless: callers overwrite them.
    func sibling(outputs: Int, name: String) -> NeuronLayer
    /// False while the neurons are frozen (PB dendrite phase): backward then skips dW, db.
    var computesParameterGradients: Bool { get set }
    /// Whether a batch of `batch` samples has its product cut over several workers. Only
    /// then is the batch worth filling on several cores: a layer that multiplies it on
    /// one core would otherwise read the rows the other cores wrote (`Trainer`).
    func splitsWork(batch: Int) -> Bool
}

extension Dense: NeuronLayer {
    public var neuronCount: Int { outputSize }

    public func splitsWork(batch: Int) -> Bool { workers(batch: batch) > 1 }

    public func sibling(outputs: Int, name: String) -> NeuronLayer {
        var scratch = RNG(seed: 0)
        return Dense(inputSize: inputSize, outputSize: outputs, rng: &scratch, name: name)
    }
}

extension Conv2D: NeuronLayer {
    public var neuronCount: Int { outputChannels }

    /// Chunks of the batch are cut whenever there are workers (the chunk plan needs a forward's
    /// geometry; any batch of more than one chunk qualifies).
    public func splitsWork(batch: Int) -> Bool { batch > 1 && workers(for: batch) > 1 }

    /// Conv2D keeps its own im2col columns, not a reference to the input: nothing to drop.
    public func releaseInput() {}

    public func sibling(outputs: Int, name: String) -> NeuronLayer {
        var scratch = RNG(seed: 0)
        return Conv2D(inputChannels: inputChannels, outputChannels: outputs, kernel: kernel,
                      stride: stride, padding: padding, rng: &scratch, name: name)
    }
}
