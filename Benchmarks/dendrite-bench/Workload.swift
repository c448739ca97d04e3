import DendriteCore

/// One benchmark model: the network spec and PyTorch's single-thread reference speed.
struct Workload {
    let name: String
    let spec: NetworkSpec
    /// Samples per second of the same model, batch and optimizer in PyTorch 2.x CPU with
    /// one thread, measured on this machine kind (see the task notes in the report).
    let torchSamplesPerSecond: Double

    static let mlp = Workload(
        name: "mlp",
        spec: NetworkSpec(inputShape: [1, 28, 28],
                          layers: [.flatten, .dense(128), .relu, .dense(10)]),
        torchSamplesPerSecond: 191_000)

    static let cnn = Workload(
        name: "cnn",
        spec: NetworkSpec(inputShape: [1, 28, 28], layers: [
            .conv2d(filters: 16, kernel: 3, stride: 1, padding: 0), .relu, .maxPool(2),
            .conv2d(filters: 32, kernel: 3, stride: 1, padding: 0), .relu, .maxPool(2),
            .flatten, .dense(10),
        ]),
        torchSamplesPerSecond: 11_400)

    static let all = [mlp, cnn]
}

/// Matrix-product floating-point operations of one training sample (forward + backward)
/// of `network`: 2*M*N*K per product, for the forward product, the weight gradient, and
/// the input gradient where the layer propagates one. Bias, activation, pooling and
/// im2col work are not counted: this is the work a BLAS would do.
func matmulFlopsPerSample(_ network: Network) -> Double {
    var flops = 0.0
    var shape = network.inputShape
    for (layer, out) in zip(network.layers, network.shapes) {
        var macs = 0.0   // multiply-adds of the forward product
        if let d = layer as? Dense {
            macs = Double(d.inputSize * d.outputSize)
        } else if let c = layer as? Conv2D {
            macs = Double(c.outputChannels * c.inputChannels * c.kernel * c.kernel * out[1] * out[2])
        }
        let products = layer.propagatesGradient ? 3.0 : 2.0
        flops += 2 * macs * products
        shape = out
    }
    _ = shape
    return flops
}
