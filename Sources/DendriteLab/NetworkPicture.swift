import Foundation
import DendriteCore

/// One neuron as drawn: its activation, bias and dendrites.
public struct NeuronPicture: Equatable, Sendable {
    /// Activation for the shown input (or mean over the training set), in the layer's units.
    public var activation: Float
    /// The same mapped to [-1, 1] for colour.
    public var shade: Float
    public var bias: Float?
    public var dendrites: NeuronDendrites
    /// The neuron's output over the input plane, as shades in [-1, 1] (row-major, side
    /// `NetworkPicture.heatmapResolution`); empty when not probed.
    public var heatmap: [Float]

    public init(activation: Float, shade: Float, bias: Float? = nil, dendrites: NeuronDendrites = .none,
                heatmap: [Float] = []) {
        self.activation = activation
        self.shade = shade
        self.bias = bias
        self.dendrites = dendrites
        self.heatmap = heatmap
    }
}

/// One column of the network view.
public struct LayerPicture: Equatable, Sendable {
    public var title: String
    public var neurons: [NeuronPicture]
    /// Incoming weights [units, previous units] row-major (empty for the input column).
    public var weights: [Float]
    /// Which gradient the neurons' error E is.
    public var errorSignal: DendriteConfig.ErrorSignal

    public init(title: String, neurons: [NeuronPicture], weights: [Float] = [],
                errorSignal: DendriteConfig.ErrorSignal = .preactivation) {
        self.title = title
        self.neurons = neurons
        self.weights = weights
        self.errorSignal = errorSignal
    }
}

/// A snapshot of the network for drawing: read from the core, never written back.
/// Tests build these by hand to draw states the core cannot reach yet.
public struct NetworkPicture: Equatable, Sendable {
    /// Column 0 is the input; the last column the output.
    public var layers: [LayerPicture]
    public var mode: DendriteMode
    public var phase: Phase
    public var dendriteSets: Int
    public var parameterCount: Int
    /// What the somata colours show ("mean over training set", "input (0.31, -0.52)").
    public var caption: String
    /// True when activations are for one hovered input (somata drawn in one colour);
    /// false when they are means (somata show their heatmaps instead).
    public var showsOneInput: Bool
    public var heatmapResolution: Int
    /// Version of the probe the heatmaps came from (nil: always re-upload).
    public var heatmapVersion: Int?
    /// The connections already rasterised for the network view's rect, when the picture
    /// was read off the render thread (`LabController.refreshReading`).
    public var connections: ConnectionImage?
    /// True while the Lab trains on its own thread: after a resize the view may stretch
    /// the last connections image until that thread draws them for the new size (within
    /// a tenth of a second), rather than rasterise them in the frame.
    public var connectionsMayLag = false

    public init(layers: [LayerPicture], mode: DendriteMode = .none, phase: Phase = .neuron, dendriteSets: Int = 0,
                parameterCount: Int = 0, caption: String = "", showsOneInput: Bool = false, heatmapResolution: Int = 0,
                heatmapVersion: Int? = nil) {
        self.heatmapVersion = heatmapVersion
        self.showsOneInput = showsOneInput
        self.heatmapResolution = heatmapResolution
        self.layers = layers
        self.mode = mode
        self.phase = phase
        self.dendriteSets = dendriteSets
        self.parameterCount = parameterCount
        self.caption = caption
    }

    /// Units per column, which is all the layout needs.
    public var shape: [Int] { layers.map(\.neurons.count) }

    /// Reads `session`'s network for one input point, or the training-set mean when nil.
    public static func read(_ session: LabSession, input: (Float, Float)? = nil, probe: Probe? = nil) -> NetworkPicture {
        let net = session.network
        let groups = NeuronGroup.groups(of: net)
        let x: Tensor
        let caption: String
        var train = Tensor.empty
        var trainLabels: [Int32] = []
        session.train.fill(indices: Array(0..<session.train.count)[...], into: &train, labels: &trainLabels)
        if let (a, b) = input {
            x = Tensor(shape: [1, 2], [a, b])
            caption = "input (\(fmt2(a)), \(fmt2(b)))"
        } else {
            x = train
            caption = probe == nil ? "mean over training set" : "each neuron's output over the plane"
        }
        let recorded = net.forwardRecording(x)
        let acts = Probe.meanActivations(recorded: recorded, rows: x.rows, groups)
        var inputMean: [Float] = [0, 0]
        for i in 0..<x.rows { inputMean[0] += x[2 * i]; inputMean[1] += x[2 * i + 1] }
        inputMean = inputMean.map { $0 / Float(max(x.rows, 1)) }

        let inputShown = input.map { [$0.0, $0.1] }
        var layers = [LayerPicture(title: "Input", neurons: (0..<2).map { u in
            let v = inputShown?[u] ?? inputMean[u]
            return NeuronPicture(activation: v, shade: max(-1, min(1, v)), heatmap: probe?.inputGrid(unit: u) ?? [])
        })]
        var dendritesPerGroup = groups.map { g in
            readDendrites(of: net.layers[g.neuronLayer], units: g.units,
                          input: g.neuronLayer == 0 ? x : recorded[g.neuronLayer - 1],
                          candidates: session.trainer.candidates)
        }
        // How large each neuron's error still is: mean |E| over the training set.
        let errors = train.rows > 0 ? NeuronProbe.errors(of: net, x: train, labels: trainLabels) : [:]
        for (gi, g) in groups.enumerated() {
            guard let e = errors[g.neuronLayer], e.rows > 0 else { continue }
            for u in 0..<g.units {
                var sum: Float = 0
                for r in 0..<e.rows { sum += abs(e[r * g.units + u]) }
                dendritesPerGroup[gi][u].errorSignal = sum / Float(e.rows)
            }
        }
        for (gi, g) in groups.enumerated() {
            let layer = net.layers[g.neuronLayer]
            let dense = denseCore(of: layer)
            let dendrites = dendritesPerGroup[gi]
            let neurons = (0..<g.units).map { u in
                NeuronPicture(activation: acts[gi][u], shade: g.shade(acts[gi][u]),
                              bias: dense.map { $0.bias.value[u] }, dendrites: dendrites[u],
                              heatmap: probe.map { p in p.neuronGrid(group: gi, unit: u).map(g.shade) } ?? [])
            }
            let isLast = gi == groups.count - 1
            let title = isLast ? (g.activation == "logistic" ? "Output · logistic" : "Output · softmax")
                               : "Hidden \(gi + 1) · \(g.activation)"
            layers.append(LayerPicture(title: title, neurons: neurons, weights: dense?.weight.value.storage ?? [],
                                       errorSignal: g.errorSignal))
        }
        return NetworkPicture(layers: layers, mode: session.config.mode, phase: session.phase,
                              dendriteSets: session.dendriteSets, parameterCount: session.parameterCount,
                              caption: caption, showsOneInput: input != nil, heatmapResolution: probe?.resolution ?? 0,
                              heatmapVersion: probe?.version)
    }
}

func fmt2(_ v: Float) -> String { String(format: "%.2f", Double(v)) }
