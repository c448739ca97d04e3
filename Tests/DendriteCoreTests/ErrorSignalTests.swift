import Foundation
import Testing
@testable import DendriteCore

/// `dendrites: {error_signal: output}`: PB candidates correlate with the gradient at the
/// output of the activation after their neuron (dL/dh, before the ReLU's gate) rather
/// than at the neuron's pre-activation (dL/dy, 0 where the ReLU is off).
@Suite struct ErrorSignalTests {
    /// input 4 -> dense 3 -> relu -> dense 2, both dense layers perforated in PB with a
    /// candidate pool of one, after one training forward and backward of `x`.
    static func network(_ signal: DendriteConfig.ErrorSignal, x: Tensor, labels: [Int32])
        -> (Network, SoftmaxCrossEntropy) {
        var rng = RNG(seed: 3)
        let net = Network(spec: NetworkSpec(inputShape: [4], layers: [.dense(3), .relu, .dense(2)]), rng: &rng)
        for l in net.perforate(mode: .pb, errorSignal: signal) { l.beginCandidate(rng: &rng, scale: 0.3) }
        var loss = SoftmaxCrossEntropy()
        _ = loss.forward(logits: net.forward(x, training: true), labels: labels[...])
        net.backward(loss.gradient)
        return (net, loss)
    }

    /// E / B of the hidden layer against central differences of the mean loss in h (the
    /// ReLU's output, fed through the top layer), for every sample and neuron, including
    /// those whose ReLU is off; there the pre-activation signal is exactly 0.
    @Test func outputSignalIsTheLossGradientAtTheActivationOutput() throws {
        let batch = 8
        let x = randomTensor([batch, 4], seed: 11, range: 2)
        let labels: [Int32] = (0..<batch).map { Int32($0 % 2) }
        let (net, _) = Self.network(.output, x: x, labels: labels)
        let (plain, _) = Self.network(.preactivation, x: x, labels: labels)
        let hidden = try #require(net.layers[0] as? PerforatedLayer)
        let top = net.layers[2]
        // h = relu(y): recompute it from the (unchanged) first layer.
        let h = net.layers[1].forward(net.layers[0].forward(x, training: false), training: false)
        func loss(_ h: Tensor) -> Double {
            var l = SoftmaxCrossEntropy()
            return Double(l.forward(logits: top.forward(h, training: false), labels: labels[...]))
        }
        var silent = 0
        let step: Float = 1e-2
        for i in 0..<h.count {
            var up = h, down = h
            up[i] += step
            down[i] -= step
            let numeric = (loss(up) - loss(down)) / Double(2 * step)
            let analytic = Double(hidden.errors[i]) / Double(batch)
            #expect(abs(analytic - numeric) <= 1e-3 * max(1, abs(numeric)), "entry \(i): \(analytic) vs \(numeric)")
            let preactivation = try #require(plain.layers[0] as? PerforatedLayer).errors[i]
            if h[i] > 0 {
                #expect(preactivation == hidden.errors[i], "where the ReLU is on the two signals agree")
            } else {
                #expect(preactivation == 0)
                if abs(numeric) > 1e-4 { silent += 1 }
            }
        }
        #expect(silent > 0, "some silent neuron carries a non-zero output error")
        // The top layer has no activation after it: the same E either way.
        let topErrors = try #require(net.layers[2] as? PerforatedLayer).errors
        #expect(topErrors == (try #require(plain.layers[2] as? PerforatedLayer)).errors)
    }

    /// The running error statistics (which seed the candidates' E statistics) follow the
    /// chosen signal too, and the handed gradient is used for one backward only.
    @Test func errorStatisticsTrackTheChosenSignal() throws {
        let x = randomTensor([8, 4], seed: 12, range: 2)
        let labels: [Int32] = (0..<8).map { Int32($0 % 2) }
        let (net, _) = Self.network(.output, x: x, labels: labels)
        let (plain, _) = Self.network(.preactivation, x: x, labels: labels)
        let a = try #require(net.layers[0] as? PerforatedLayer), b = try #require(plain.layers[0] as? PerforatedLayer)
        #expect(a.errorStatistics.variance != b.errorStatistics.variance)
        #expect(a.activationGradient == nil, "taken by the backward it was handed to")
    }
}
