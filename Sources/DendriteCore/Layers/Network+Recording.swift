/// Read-only access to what every layer computes, for views that draw the inside of a
/// network (the Lab's somata colours and per-neuron heatmaps). It runs the ordinary
/// evaluation-mode forward pass and keeps a copy of each layer's output; it changes no
/// parameter and no training state, so it is safe between training steps.
extension Network {
    /// x: [B, inputShape...] -> one tensor per layer, entry i = output of layer i
    /// ([B, shapes[i]...]); the last entry is the logits.
    public func forwardRecording(_ x: Tensor) -> [Tensor] {
        var outputs: [Tensor] = []
        outputs.reserveCapacity(layers.count)
        var h = x
        for l in layers {
            h = l.forward(h, training: false)
            outputs.append(h)
        }
        return outputs
    }
}
