import DendriteCore

/// Everything one frame shows, read from the model once per frame.
public struct LabFrame {
    public var picture: NetworkPicture
    public var probe: Probe
    public var train: Dataset
    public var validation: Dataset
    public var history: [EpochMetrics]
    public var events: [TrainingEvent]
    public var config: LabConfig
    public var status: StatusBar.Info
    /// The network's answer at the hovered input, if the mouse is over the data view.
    public var prediction: (x: Float, y: Float, p: Float)?
    /// The open lesson (its panel shows `LabState.stepIndex`).
    public var lesson: Lesson?
    /// The update rule of the shown neuron (U toggles it), drawn under the inspector.
    public var updateRule: UpdateRule?
    /// The lesson step's metrics now, and whether its moment has come.
    public var lessonMeasured: [LessonExpectation.Metric: LessonRunner.Value] = [:]
    public var momentReached = false
    /// The size of the best model the switching rule kept when it ended the run (the last
    /// epoch's row counts the model before it was restored).
    public var keptModelParameters: Int?
}

/// Draws the whole Lab (every panel, toolbar, status line, tooltip, help) for a frame and
/// a view state. The window and the offscreen renderer both call this.
public enum LabScene {
    /// Returns how far the lesson panel's body can scroll (0 without a lesson).
    /// `live: false` leaves out what changes from frame to frame without the model (the
    /// status line, the candidates' pulses): `SceneCache` draws those each frame (`drawLive`).
    @discardableResult
    public static func draw(_ canvas: Canvas, frame: LabFrame, state: LabState, live: Bool = true) -> Float {
        let t = canvas.theme
        let layout = state.layout
        canvas.clear(t.background)
        var hoveredNeuron: NeuronRef?
        var hoveredInput: (Float, Float)?
        var hoveredButton: Int?
        switch state.hovered {
        case .neuron(let n): hoveredNeuron = n
        case .input(let x, let y): hoveredInput = (x, y)
        case .button(let i): hoveredButton = i
        case .lessonButton: break
        case nil: break
        }

        NetworkView.draw(canvas, in: layout.network, picture: frame.picture, selected: state.selected, hovered: hoveredNeuron)
        if state.showCurves {
            CurvesView.draw(canvas, in: layout.curves, history: frame.history, events: frame.events,
                            modelParameters: frame.keptModelParameters)
        }
        var correlation: Float?
        if let s = state.selected, let b = s.branch, s.column < frame.picture.layers.count,
           s.unit < frame.picture.layers[s.column].neurons.count {
            let d = frame.picture.layers[s.column].neurons[s.unit].dendrites
            if b < d.branches.count, d.branches[b].isCandidate { correlation = d.candidateCorrelation }
        }
        DataView.draw(canvas, in: layout.data, probe: frame.probe, train: frame.train, validation: frame.validation,
                      selected: state.selected, hoveredInput: hoveredInput, correlation: correlation)
        if state.showInspector {
            let shown = hoveredNeuron ?? state.selected
            var maps: [[Float]] = []
            if let n = shown, n.column >= 1, n.column - 1 < frame.probe.dendriteGrids.count {
                maps = frame.probe.dendriteGrids[n.column - 1].indices.map {
                    frame.probe.dendriteGrid(group: n.column - 1, set: $0, unit: n.unit)
                }
            }
            var inspector = layout.inspector
            if let rule = frame.updateRule, shown != nil, inspector.h > 200 {
                // The rule card takes the inspector's lower part, at most 55% of it.
                let h = min(UpdateRuleView.height(for: rule), inspector.h * 0.55)
                UpdateRuleView.draw(canvas, in: Rect(x: inspector.x, y: inspector.maxY - h, w: inspector.w, h: h), rule: rule)
                inspector.h -= h + t.gap
            }
            InspectorView.draw(canvas, in: inspector, picture: frame.picture, neuron: shown,
                               prediction: frame.prediction, dendriteMaps: maps,
                               resolution: frame.probe.resolution, version: frame.probe.version)
        }
        var lessonMaxScroll: Float = 0
        if let lesson = frame.lesson, state.lessonOpen {
            var hoveredLesson: LessonPanel.Button?
            if case .lessonButton(let b) = state.hovered { hoveredLesson = b }
            lessonMaxScroll = LessonPanel.draw(canvas, in: layout.lesson, lesson: lesson, stepIndex: state.stepIndex,
                                               scroll: state.lessonScroll, hovered: hoveredLesson,
                                               epoch: frame.status.epoch,
                                               measured: { frame.lessonMeasured[$0] }, reached: frame.momentReached)
        }
        let buttons = Toolbar.buttons(width: state.width, state: state, config: frame.config, theme: t)
        Toolbar.draw(canvas, layout.toolbar, buttons: buttons, hovered: hoveredButton)
        if live { drawLive(canvas, frame: frame, state: state) }
        if let n = hoveredNeuron { drawTooltip(canvas, frame: frame, neuron: n, at: state.mouse, bounds: layout.bounds) }
        if state.showHelp { HelpOverlay.draw(canvas, in: layout.bounds) }
        return lessonMaxScroll
    }

    /// What moves every frame over the cached picture: the candidates' pulses in a PB
    /// dendrite phase and the status line.
    public static func drawLive(_ canvas: Canvas, frame: LabFrame, state: LabState) {
        NetworkView.drawPulses(canvas, in: state.layout.network, picture: frame.picture)
        drawStatus(canvas, frame: frame, state: state)
    }

    /// The status line: training progress, speed, frame rate and the latest message.
    public static func drawStatus(_ canvas: Canvas, frame: LabFrame, state: LabState) {
        let message = state.message != nil && state.frame <= state.messageUntilFrame ? state.message : nil
        StatusBar.draw(canvas, state.layout.status, info: frame.status, message: message)
    }

    static func drawTooltip(_ canvas: Canvas, frame: LabFrame, neuron n: NeuronRef, at mouse: Vec2, bounds: Rect) {
        let t = canvas.theme
        guard n.column < frame.picture.layers.count, n.unit < frame.picture.layers[n.column].neurons.count else { return }
        let layer = frame.picture.layers[n.column], p = layer.neurons[n.unit]
        var lines = ["\(layer.title) #\(n.unit + 1): \(fmt3(p.activation))" + (p.bias.map { " · bias \(fmt3($0))" } ?? "")]
        let d = p.dendrites
        if !d.branches.isEmpty {
            lines.append(d.branches.prefix(4).enumerated().map { i, b in
                b.isCandidate ? "candidate v \(fmt2(b.output))" : "d\(i + 1) A \(fmt2(b.weight)) v \(fmt2(b.output))"
            }.joined(separator: " · ") + (d.branches.count > 4 ? " …" : ""))
        }
        var extras: [String] = []
        if let e = d.errorSignal { extras.append("error \(fmt3(e))") }
        if let c = d.candidateCorrelation { extras.append("correlation \(fmt3(c))") }
        if !extras.isEmpty { lines.append(extras.joined(separator: " · ")) }
        let w = lines.map { canvas.measure($0, size: t.smallSize).w }.max() ?? 0
        var box = Rect(x: mouse.x + 14, y: mouse.y + 14, w: w + 12, h: Float(lines.count) * 16 + 8)
        if box.maxX > bounds.maxX { box.x = mouse.x - box.w - 8 }
        if box.maxY > bounds.maxY { box.y = mouse.y - box.h - 8 }
        canvas.fill(box, t.text.withAlpha(UInt8(230)))
        for (i, line) in lines.enumerated() {
            canvas.text(line, at: Vec2(box.x + 6, box.y + 4 + Float(i) * 16), size: t.smallSize, t.panel)
        }
    }
}
