/// A stack of layers applied in order: the only network shape the project needs
/// (MLPs and small CNNs). Dendrites live *inside* layers (see `PerforatedLayer`), so
/// growing them never changes this list's structure.
public final class Network {
    public let spec: NetworkSpec
    public private(set) var layers: [Layer]
    /// One sample's input shape, e.g. [2] for toy data or [1, 28, 28] for MNIST.
    public var inputShape: [Int] { spec.inputShape }
    /// Per-sample output shape of each layer (index i = output of layer i).
    public let shapes: [[Int]]

    public init(spec: NetworkSpec, rng: inout RNG) {
        self.spec = spec
        var layers: [Layer] = []
        var shapes: [[Int]] = []
        var shape = spec.inputShape
        for (i, l) in spec.layers.enumerated() {
            let layer = l.build(inputShape: shape, rng: &rng, name: "layers.\(i)")
            shape = layer.outputShape(for: shape)
            layers.append(layer)
            shapes.append(shape)
        }
        // dL/dx is only needed behind a layer with parameters: everything up to and
        // including the first such layer (e.g. flatten + dense) can skip computing it.
        var parametersBefore = false
        for layer in layers {
            layer.propagatesGradient = parametersBefore
            if !layer.parameters.isEmpty { parametersBefore = true }
        }
        self.layers = layers
        self.shapes = shapes
    }

    /// x: [B, inputShape...] -> logits [B, outputShape...]; `afterLayer(i)` runs once
    /// layer i's forward is done (the trainer starts the next batch's fill there).
    public func forward(_ x: Tensor, training: Bool, afterLayer: ((Int) -> Void)? = nil) -> Tensor {
        var h = x
        for (i, l) in layers.enumerated() {
            h = l.forward(h, training: training)
            afterLayer?(i)
        }
        return h
    }

    /// Backpropagates dL/dlogits through all layers, filling every parameter's grad.
    public func backward(_ dLogits: Tensor) {
        var g = dLogits
        for i in layers.indices.reversed() {
            handErrorSignal(g, enteringLayer: i)
            g = layers[i].backward(g)
        }
    }

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }

    /// Parameters the forward pass uses, counted exactly (what reports print).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Swaps one layer for another with the same input and output shapes (wrapping a
    /// neuron layer in a `PerforatedLayer`).
    func replaceLayer(at index: Int, with layer: Layer) {
        // Invariant: perforation wraps a layer with one of the same shape; input cannot choose the wrapper.
        precondition(layers[index].outputShape(for: index == 0 ? inputShape : shapes[index - 1])
                     == layer.outputShape(for: index == 0 ? inputShape : shapes[index - 1]),
                     "replacement for layer \(index) changes its output shape")
        layer.propagatesGradient = layers[index].propagatesGradient
        layers[index] = layer
    }

    public var outputSize: Int { shapes.last?.reduce(1, *) ?? inputShape.reduce(1, *) }
}
