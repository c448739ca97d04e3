import Foundation
import Testing
@testable import DendriteCore

/// One convolution configuration for the parameterised conv tests.
struct ConvCase: Sendable, CustomTestStringConvertible {
    var batch: Int, cin: Int, cout: Int, kernel: Int, stride: Int, padding: Int, height: Int, width: Int
    var testDescription: String {
        "B\(batch) \(cin)->\(cout) k\(kernel) s\(stride) p\(padding) \(height)x\(width)"
    }

    static let all: [ConvCase] = [
        ConvCase(batch: 2, cin: 1, cout: 1, kernel: 3, stride: 1, padding: 0, height: 5, width: 5),
        ConvCase(batch: 2, cin: 2, cout: 3, kernel: 3, stride: 2, padding: 1, height: 7, width: 6),
        ConvCase(batch: 3, cin: 3, cout: 2, kernel: 2, stride: 1, padding: 1, height: 4, width: 5),
        ConvCase(batch: 1, cin: 2, cout: 2, kernel: 5, stride: 3, padding: 2, height: 6, width: 8),
        ConvCase(batch: 2, cin: 1, cout: 2, kernel: 3, stride: 1, padding: 2, height: 3, width: 3),
        // 110 output positions: at least `Conv2D.samplewisePlane`, one product per sample.
        ConvCase(batch: 2, cin: 2, cout: 3, kernel: 3, stride: 1, padding: 1, height: 11, width: 10),
    ]

    func layer(seed: UInt64 = 5) -> Conv2D {
        var rng = RNG(seed: seed)
        return Conv2D(inputChannels: cin, outputChannels: cout, kernel: kernel, stride: stride,
                      padding: padding, rng: &rng)
    }

    func reference(_ x: [Double], _ p: [[Double]]) -> [Double] {
        directConvolution(x: x, batch: batch, channels: cin, height: height, width: width,
                          weight: p[0], bias: p[1], outChannels: cout,
                          kernel: kernel, stride: stride, padding: padding).y
    }
}

@Suite struct LayerGradientTests {
    // MARK: Dense

    @Test func denseGradientsMatchFloat64FiniteDifferences() {
        var rng = RNG(seed: 3)
        let d = Dense(inputSize: 6, outputSize: 4, rng: &rng)
        let err = referenceGradientError(d, input: randomTensor([3, 6], seed: 4)) { x, p in
            var y = [Double](repeating: 0, count: 3 * 4)
            for b in 0..<3 {
                for o in 0..<4 {
                    var acc = p[1][o]
                    for i in 0..<6 { acc += x[b * 6 + i] * p[0][o * 6 + i] }
                    y[b * 4 + o] = acc
                }
            }
            return y
        }
        #expect(err < 1e-3, "relative error \(err)")
    }

    @Test func denseLargeEnoughToSplitMatchesFloat64Products() {
        // 128 x 256 x 64 multiply-adds: above Dense.splitThreshold, so with BLAS.threads > 1
        // the products run in blocks on several workers.
        let (batch, nIn, nOut) = (128, 256, 64)
        #expect(batch * nIn * nOut >= Dense.splitThreshold)
        var rng = RNG(seed: 5)
        let d = Dense(inputSize: nIn, outputSize: nOut, rng: &rng)
        d.propagatesGradient = true
        let x = randomTensor([batch, nIn], seed: 6), g = randomTensor([batch, nOut], seed: 7)
        let y = d.forward(x, training: true)
        let dx = d.backward(g)
        let w = d.weight.value, b = d.bias.value
        var worst = 0.0
        for r in 0..<batch {
            for o in 0..<nOut {
                var acc = Double(b[o])
                for i in 0..<nIn { acc += Double(x[r * nIn + i]) * Double(w[o * nIn + i]) }
                worst = max(worst, abs(acc - Double(y[r * nOut + o])))
            }
            for i in 0..<nIn {
                var acc = 0.0
                for o in 0..<nOut { acc += Double(g[r * nOut + o]) * Double(w[o * nIn + i]) }
                worst = max(worst, abs(acc - Double(dx[r * nIn + i])))
            }
        }
        for o in 0..<nOut {
            var dbo = 0.0
            for r in 0..<batch { dbo += Double(g[r * nOut + o]) }
            worst = max(worst, abs(dbo - Double(d.bias.grad[o])))
            for i in 0..<nIn {
                var acc = 0.0
                for r in 0..<batch { acc += Double(g[r * nOut + o]) * Double(x[r * nIn + i]) }
                worst = max(worst, abs(acc - Double(d.weight.grad[o * nIn + i])))
            }
        }
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    // MARK: Conv2D

    @Test(arguments: ConvCase.all)
    func conv2dGradientsMatchFloat64FiniteDifferences(_ c: ConvCase) {
        let conv = c.layer()
        let x = randomTensor([c.batch, c.cin, c.height, c.width], seed: 11)
        let err = referenceGradientError(conv, input: x, reference: c.reference)
        #expect(err < 1e-3, "relative error \(err)")
    }

    @Test(arguments: ConvCase.all)
    func conv2dForwardMatchesDirectConvolution(_ c: ConvCase) {
        let conv = c.layer()
        let x = randomTensor([c.batch, c.cin, c.height, c.width], seed: 12)
        let y = conv.forward(x, training: false)
        let ref = c.reference(x.storage.map(Double.init),
                              conv.parameters.map { $0.value.storage.map(Double.init) })
        #expect(y.shape == [c.batch, c.cout] + conv.outputShape(for: [c.cin, c.height, c.width]).dropFirst())
        #expect(y.count == ref.count)
        let worst = zip(y.storage, ref).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    @Test func conv2dHandlesAShorterBatchAfterALongerOne() {
        // The work buffers only grow; a short last batch must use just their prefix.
        let c = ConvCase(batch: 2, cin: 2, cout: 3, kernel: 3, stride: 2, padding: 1, height: 7, width: 6)
        let conv = c.layer()
        _ = conv.forward(randomTensor([5, 2, 7, 6], seed: 1), training: true)
        let x = randomTensor([2, 2, 7, 6], seed: 2)
        let y = conv.forward(x, training: true)
        let ref = c.reference(x.storage.map(Double.init), conv.parameters.map { $0.value.storage.map(Double.init) })
        #expect(zip(y.storage, ref).allSatisfy { abs(Double($0) - $1) < 1e-5 })
        #expect(referenceGradientError(conv, input: x, reference: c.reference) < 1e-3)
    }

    @Test(arguments: [1, 2, 3])
    func conv2dGivesTheSameResultsInChunksOfTheBatch(samplesPerChunk: Int) {
        // Batch 5 in chunks of 1, 2 (ragged: 2+2+1) and 3 (3+2) samples.
        let c = ConvCase(batch: 5, cin: 2, cout: 3, kernel: 3, stride: 2, padding: 1, height: 7, width: 6)
        let conv = c.layer()
        conv.chunkBytes = samplesPerChunk * c.cin * 9 * (4 * 3) * 4   // patch * Ho*Wo * 4 bytes
        let x = randomTensor([5, 2, 7, 6], seed: 3)
        #expect(conv.chunkSize(ConvGeometry(batch: 5, inChannels: 2, height: 7, width: 6, outHeight: 4,
                                            outWidth: 3, kernel: 3, stride: 2, padding: 1)) == samplesPerChunk)
        let y = conv.forward(x, training: true)
        let ref = c.reference(x.storage.map(Double.init), conv.parameters.map { $0.value.storage.map(Double.init) })
        #expect(zip(y.storage, ref).allSatisfy { abs(Double($0) - $1) < 1e-5 })
        #expect(referenceGradientError(conv, input: x, reference: c.reference) < 1e-3)
    }

    @Test(arguments: [1, 2])
    func conv2dWritesLargePlanesSampleBySampleInRaggedChunks(workers: Int) {
        // Batch 5 in chunks of 2 (2+2+1) with 110 positions a plane: the per-sample products
        // read their columns inside each chunk's block.
        let c = ConvCase(batch: 5, cin: 2, cout: 3, kernel: 3, stride: 1, padding: 1, height: 11, width: 10)
        let conv = c.layer()
        conv.chunkBytes = 2 * c.cin * 9 * 110 * 4
        conv.workerOverride = workers
        #expect(110 >= Conv2D.samplewisePlane)
        let x = randomTensor([5, 2, 11, 10], seed: 4)
        let y = conv.forward(x, training: true)
        let ref = c.reference(x.storage.map(Double.init), conv.parameters.map { $0.value.storage.map(Double.init) })
        let worst = zip(y.storage, ref).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(y.count == ref.count && worst < 1e-5, "largest difference \(worst)")
        #expect(referenceGradientError(conv, input: x, reference: c.reference) < 1e-3)
    }

    @Test func conv2dResultsDoNotDependOnTheNumberOfWorkers() {
        func run(workers: Int) -> [[Float]] {
            let c = ConvCase(batch: 7, cin: 3, cout: 4, kernel: 3, stride: 1, padding: 1, height: 6, width: 6)
            let conv = c.layer(seed: 8)
            conv.chunkBytes = 2 * 27 * 36 * 4   // two samples per chunk: 4 chunks
            conv.workerOverride = workers
            conv.propagatesGradient = true
            let y = conv.forward(randomTensor([7, 3, 6, 6], seed: 9), training: true)
            let dx = conv.backward(randomTensor(y.shape, seed: 10))
            return [y.storage, dx.storage, conv.weight.grad.storage, conv.bias.grad.storage]
        }
        let one = run(workers: 1), two = run(workers: 2)
        #expect(one.map { $0.map(\.bitPattern) } == two.map { $0.map(\.bitPattern) })
    }

    @Test func conv2dInitialisesLikePyTorch() {
        var rng = RNG(seed: 9)
        let conv = Conv2D(inputChannels: 3, outputChannels: 8, kernel: 3, rng: &rng)
        let fanIn: Float = 27   // Cin*k*k
        let bound: Float = 1 / fanIn.squareRoot()
        let w: [Float] = conv.weight.value.storage, b: [Float] = conv.bias.value.storage
        #expect(conv.weight.value.shape == [8, 3, 3, 3] && conv.bias.value.shape == [8])
        #expect(w.allSatisfy { abs($0) <= bound } && b.allSatisfy { abs($0) <= bound })
        // Uniform on the whole interval, not a narrower one.
        let hi: Float = w.max()!, lo: Float = w.min()!
        #expect(hi > 0.8 * bound && lo < -0.8 * bound)
    }

    // MARK: MaxPool2D

    @Test func maxPoolGradientMatchesFiniteDifferences() {
        // Distinct values 0.05 apart: a +-0.01 probe never changes a window's winner.
        var rng = RNG(seed: 4)
        var values: [Float] = (0..<252).map { (i: Int) -> Float in Float(i) * 0.05 - 3 }
        rng.shuffle(&values)
        let x = Tensor(shape: [2, 3, 6, 7], values)
        #expect(gradientCheckError(MaxPool2D(size: 2), input: x) < 1e-3)
        #expect(gradientCheckError(MaxPool2D(size: 3, stride: 2), input: x) < 1e-3)   // overlapping windows
    }

    @Test func maxPoolTiesSendTheGradientToTheFirstMaximumOnly() {
        // Four 2x2 windows with ties at different places; row-major first max wins.
        let x = Tensor(shape: [1, 1, 4, 4], [
            1, 3, 5, 5,
            3, 2, 5, 5,
            0, 0, 7, 1,
            0, 0, 1, 7,
        ])
        let pool = MaxPool2D(size: 2)
        pool.propagatesGradient = true
        let y = pool.forward(x, training: true)
        #expect(y.storage == [3, 5, 0, 7])
        let dx = pool.backward(Tensor(shape: [1, 1, 2, 2], [10, 20, 30, 40]))
        #expect(dx.storage == [
            0, 10, 20, 0,
            0, 0, 0, 0,
            30, 0, 40, 0,
            0, 0, 0, 0,
        ])
    }

    @Test(arguments: [2, 3, 5, 8, 9, 11, 16, 17, 20, 28])
    func maxPoolMatchesANaiveScanWithManyTies(width: Int) {
        // Small integers make ties common, a few NaNs take their windows; widths cover the
        // scalar, 4-lane and 8-lane paths. Compared bit for bit (a -0 gradient arrives as +0).
        var rng = RNG(seed: UInt64(width))
        let (batch, channels, height) = (2, 3, 7)
        var x = Tensor(shape: [batch, channels, height, width])
        for i in 0..<x.count { x[i] = rng.int(below: 40) == 0 ? .nan : Float(rng.int(below: 3)) }
        for (size, stride) in [(2, 2), (3, 3), (3, 2)] where width >= size {
            let pool = MaxPool2D(size: size, stride: stride)
            pool.propagatesGradient = true
            let y = pool.forward(x, training: true)
            var dy = Tensor(shape: y.shape)
            for i in 0..<dy.count { dy[i] = i % 5 == 0 ? -0.0 : Float(i + 1) }
            let dx = pool.backward(dy)

            let ho = (height - size) / stride + 1, wo = (width - size) / stride + 1
            var want = [Float](), wantDx = [Float](repeating: 0, count: x.count)
            for plane in 0..<(batch * channels) {
                for oh in 0..<ho {
                    for ow in 0..<wo {
                        var best = -1, m: Float = 0
                        for kh in 0..<size {
                            for kw in 0..<size {
                                let i = (plane * height + oh * stride + kh) * width + ow * stride + kw
                                if best < 0 || x[i] > m || x[i].isNaN { best = i; m = x[i] }
                            }
                        }
                        want.append(m)
                        wantDx[best] += dy[want.count - 1]
                    }
                }
            }
            #expect(y.shape == [batch, channels, ho, wo])
            #expect(y.storage.map(\.bitPattern) == want.map(\.bitPattern), "size \(size) stride \(stride)")
            #expect(dx.storage.map(\.bitPattern) == wantDx.map(\.bitPattern), "size \(size) stride \(stride)")
        }
    }

    @Test func largeBatchesSplitAcrossWorkersGiveTheSameAnswers() {
        // 131072 elements: above the size at which pooling and activations use several
        // workers (when BLAS.threads > 1); checked against plain loops.
        var rng = RNG(seed: 3)
        var x = Tensor(shape: [16, 8, 32, 32])
        for i in 0..<x.count { x[i] = Float(rng.int(below: 5)) - 2 }
        let pool = MaxPool2D(size: 2)
        pool.propagatesGradient = true
        let y = pool.forward(x, training: true)
        var dy = Tensor(shape: y.shape)
        for i in 0..<dy.count { dy[i] = Float(i % 97) }
        let dx = pool.backward(dy)
        var wantY = [Float](), wantDx = [Float](repeating: 0, count: x.count)
        for plane in 0..<(16 * 8) {
            for oh in 0..<16 {
                for ow in 0..<16 {
                    var best = -1, m: Float = 0
                    for i in [0, 1, 32, 33].map({ plane * 1024 + oh * 64 + ow * 2 + $0 }) where best < 0 || x[i] > m {
                        best = i; m = x[i]
                    }
                    wantDx[best] = dy[wantY.count]
                    wantY.append(m)
                }
            }
        }
        #expect(y.storage == wantY)
        #expect(dx.storage == wantDx)

        let relu = ReLU()
        relu.propagatesGradient = true
        #expect(relu.forward(x, training: true).storage == x.storage.map { max($0, 0) })
        let g = randomTensor(x.shape, seed: 4)
        #expect(relu.backward(g).storage == zip(x.storage, g.storage).map { $0 > 0 ? $1 : 0 })
        #expect(Activation(.tanh).forward(x, training: true).storage == x.storage.map { tanhf($0) })
    }

    @Test func maxPoolLetsANaNWinItsWindow() {
        let x = Tensor(shape: [1, 1, 2, 4], [1, .nan, 2, 3, 4, 0, 1, 1])
        let y = MaxPool2D(size: 2).forward(x, training: false)
        #expect(y[0].isNaN && y[1] == 3)
    }

    @Test func maxPoolDropsARaggedEdge() {
        let pool = MaxPool2D(size: 2)
        #expect(pool.outputShape(for: [3, 5, 7]) == [3, 2, 3])
        #expect(pool.forward(randomTensor([2, 3, 5, 7], seed: 1), training: false).shape == [2, 3, 2, 3])
    }

    // MARK: Shape-only and elementwise layers

    @Test func flattenPassesGradientsThroughUnchanged() {
        let f = Flatten()
        #expect(gradientCheckError(f, input: randomTensor([2, 3, 2, 2], seed: 5)) < 1e-6)
        #expect(f.forward(randomTensor([2, 3, 2, 2], seed: 5), training: true).shape == [2, 12])
        #expect(f.backward(Tensor(shape: [2, 12])).shape == [2, 3, 2, 2])
    }

    @Test func reluGradientMatchesFiniteDifferences() {
        // Keep inputs at least 0.05 from the kink so the +-0.01 probe stays on one side.
        var x = randomTensor([4, 9], seed: 6)
        for i in 0..<x.count { x[i] += x[i] >= 0 ? 0.05 : -0.05 }
        #expect(gradientCheckError(ReLU(), input: x) < 1e-3)
    }

    @Test(arguments: [Activation.Function.tanh, .sigmoid])
    func activationGradientMatchesFiniteDifferences(_ f: Activation.Function) {
        #expect(gradientCheckError(Activation(f), input: randomTensor([4, 7], seed: 8, range: 2)) < 1e-3)
    }

    // MARK: Losses

    @Test(arguments: [1, 2, 5])
    func softmaxCrossEntropyMatchesFloat64Reference(classes: Int) {
        let batch = 6
        var rng = RNG(seed: UInt64(classes))
        let logits = randomTensor([batch, classes], seed: 3, range: 3)
        let labels = (0..<batch).map { _ in Int32(rng.int(below: max(classes, 2))) }
        var loss = SoftmaxCrossEntropy()
        let value = loss.forward(logits: logits, labels: labels[...])

        func reference(_ z: [Double]) -> Double {
            var total = 0.0
            for b in 0..<batch {
                let row = Array(z[(b * classes)..<((b + 1) * classes)])
                let y = Int(labels[b])
                if classes == 1 {
                    // -[y log p + (1-y) log(1-p)], p = sigmoid(z)
                    let p = 1 / (1 + exp(-row[0]))
                    total -= y == 1 ? log(p) : log(1 - p)
                } else {
                    let m = row.max()!
                    total += log(row.map { exp($0 - m) }.reduce(0, +)) + m - row[y]
                }
            }
            return total / Double(batch)
        }
        let z = logits.storage.map(Double.init)
        #expect(abs(Double(value) - reference(z)) < 1e-5)
        let worst = float64GradientError(at: z, analytic: loss.gradient, reference)
        #expect(worst < 1e-3, "relative error \(worst)")
    }

    @Test func meanSquaredErrorMatchesFloat64Reference() {
        let y = randomTensor([4, 3], seed: 1), t = randomTensor([4, 3], seed: 2)
        var mse = MeanSquaredError()
        let value = mse.forward(predictions: y, targets: t)
        func reference(_ p: [Double]) -> Double {
            zip(p, t.storage).map { ($0 - Double($1)) * ($0 - Double($1)) }.reduce(0, +) / Double(p.count)
        }
        let p = y.storage.map(Double.init)
        #expect(abs(Double(value) - reference(p)) < 1e-6)
        let worst = float64GradientError(at: p, analytic: mse.gradient, reference)
        #expect(worst < 1e-3, "relative error \(worst)")
        #expect(mse.gradient.shape == [4, 3])
    }
}

/// Largest relative error between `analytic` and central differences (h = 1e-5) of a
/// Float64 `reference` function at `point`: for losses, whose reference is cheap.
func float64GradientError(at point: [Double], analytic: Tensor, _ reference: ([Double]) -> Double) -> Double {
    var x = point, worst = 0.0
    for i in 0..<x.count {
        let v = x[i], h = 1e-5
        x[i] = v + h; let lp = reference(x)
        x[i] = v - h; let lm = reference(x)
        x[i] = v
        let n = (lp - lm) / (2 * h), a = Double(analytic[i])
        worst = max(worst, abs(a - n) / max(1e-2, abs(a) + abs(n)))
    }
    return worst
}
