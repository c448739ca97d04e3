/// Read-only views of a perforated layer for the Lab, which draws each dendrite's
/// output. The layer keeps v of its last forward pass private, so this recomputes it
/// for given inputs from the public parameters, with the same formula as `forward`
/// (DESIGN 2.1); a Lab test checks that n + sum_d A v_d equals the layer's output.
/// It changes nothing: no parameter, statistic or cached tensor of the layer.
extension PerforatedLayer {
    /// v of every dendrite set for inputs `x` ([B, fanIn]) of a Dense-based layer:
    /// [B, D, C] row-major. Nil for convolutional layers or when there are no dendrites.
    public func dendriteOutputs(for x: Tensor) -> Tensor? {
        guard let dense = neuron as? Dense, !dendrites.isEmpty else { return nil }
        let batch = x.rows, c = neuronCount, d = dendrites.count
        guard x.columns == dense.inputSize else { return nil }
        var v = Tensor(shape: [batch, d, c])
        var z = Tensor(shape: [batch, c])
        for (j, set) in dendrites.enumerated() {
            // z = x W_d^T + b_d + sum_{i<j} K_j[i, c] v_i
            z.withUnsafeMutableBufferPointer { zp in
                set.bias.value.withUnsafeBufferPointer { b in
                    for r in 0..<batch { for ci in 0..<c { zp[r * c + ci] = b[ci] } }
                }
            }
            Tensor.matmul(x, set.weight.value, transposeB: true, into: &z, beta: 1)
            let k = set.cascade?.value
            v.withUnsafeMutableBufferPointer { vp in
                z.withUnsafeMutableBufferPointer { zp in
                    for r in 0..<batch {
                        let row = zp.baseAddress! + r * c
                        if let k {
                            for i in 0..<j {
                                for ci in 0..<c { row[ci] += k[i * c + ci] * vp[(r * d + i) * c + ci] }
                            }
                        }
                        activation.apply(row, count: c)
                        for ci in 0..<c { vp[(r * d + j) * c + ci] = row[ci] }
                    }
                }
            }
        }
        return v
    }
}
