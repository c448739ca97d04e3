@preconcurrency import CSDL2
import Foundation
import DendriteCore

/// Glue between view state, events and the model, without any window: turns SDL events
/// into actions (`Controls`), performs them on `LabState` and `LabSession`, runs training
/// in bounded slices per frame, and reads a `LabFrame` for drawing. The app and the
/// tests drive the same object.
public final class LabController {
    public internal(set) var state: LabState
    public let session: LabSession
    /// Where Ctrl+S writes `lab-<timestamp>.safetensors` and Ctrl+O looks (`--save-dir`).
    public var saveDirectory = "."
    /// Set by the screenshot action; the app saves a PNG and clears it.
    public var screenshotRequested = false
    public private(set) var quitRequested = false
    /// Measured frame rate, shown in the status line (set by the app).
    public var fps: Double = 0
    /// Optimisation steps run by `tick` (for steps/s reports).
    public private(set) var batchesTrained = 0
    /// The lesson being played, if any; `state.stepIndex` says which step.
    public private(set) var lesson: Lesson?

    var stepDebt: Double = 0
    /// Batches owed to auto speed on the training thread (`trainSlice`).
    var backgroundDebt: Double = 0
    /// Guards the session and everything training changes while the Lab trains on its
    /// own thread (`TrainingThread`); the render thread holds it to handle input and to
    /// copy what a frame shows, and draws without it.
    public let modelLock = NSLock()
    /// Set by the app while `TrainingThread` trains: frames then leave re-reading the
    /// model to that thread.
    public var trainsOnOwnThread = false
    /// True once play has paused at the lesson step's moment (Space continues past it).
    var pausedAtStepEpochs = false
    var tracker: LessonMomentTracker?
    var lastObservedEpoch = 0
    var lessonMeasured: [LessonExpectation.Metric: LessonRunner.Value]?
    var eventsShown = 0
    /// What the views draw: the last reading of the model.
    private var reading: ModelReading?
    /// A reading made on the training thread, published once its connections are drawn.
    private var pending: ModelReading?
    private var lastRefresh: UInt64 = 0
    var lastMeasured: UInt64 = 0
    /// Seconds between refreshes of the views' model readings while training plays (at
    /// least four times what one reading costs).
    public var refreshInterval = 0.05
    /// The same while the Lab trains on its own thread: each reading also redraws the
    /// whole picture (`SceneCache`), which a software OpenGL cannot do every few frames.
    public var ownThreadRefreshInterval = 0.1
    private var readCost = 0.0
    /// Readings of the model so far and the seconds they took (printed by `--frames`).
    public private(set) var readings = 0
    public private(set) var readingSeconds = 0.0
    /// Nearest-sample labels of the probe grid, and the training features they were computed for.
    private var gridLabels: (features: [Float], labels: [Int32])?

    public init(config: LabConfig = LabConfig(), state: LabState = LabState()) {
        self.session = LabSession(config: config)
        self.state = state
        showRefusal()
    }

    /// A rebuild the session refused (validation failed; the previous session stays).
    private func showRefusal() {
        if let r = session.takeRefusal() { state.say("Not applied: \(r)", frames: 600) }
    }

    /// Plays `lesson` from step `step` (0-based, clamped): that step's experiment, with
    /// the lesson panel in place of the inspector (I brings the inspector back; a step
    /// with `inspector: true` opens it).
    public convenience init(lesson: Lesson, step: Int = 0, state: LabState = LabState()) {
        let index = max(0, min(lesson.steps.count - 1, step))
        var s = state
        s.lessonSteps = lesson.steps.count
        s.stepIndex = index
        s.lessonScroll = 0
        s.showInspector = lesson.steps[index].showsInspector
        self.init(config: LabConfig(experiment: lesson.steps[index].experiment), state: s)
        self.lesson = lesson
        startMoment()
    }

    /// Maps one SDL event to actions and performs them; returns the actions.
    @discardableResult
    public func handle(_ event: SDL_Event) -> [LabAction] {
        let actions = Controls.actions(for: event, state: state, config: session.config,
                                       networkShape: networkShape)
        for a in actions { perform(a) }
        return actions
    }

    /// Units per network-view column: inputs, then each neuron group.
    public var networkShape: [Int] {
        [2] + NeuronGroup.groups(of: session.network).map(\.units)
    }

    public func perform(_ action: LabAction) {
        switch action {
        case .togglePlay:
            state.playing.toggle()
            if state.playing && refuseWhenFinished() { state.playing = false }
        case .stepBatch:
            state.playing = false
            guard !refuseWhenFinished() else { return }
            session.stepBatch()
            announceNewEvents()
        case .stepEpoch:
            state.playing = false
            guard !refuseWhenFinished() else { return }
            let before = session.events.count
            session.stepEpoch()
            if session.events.count > before { announceNewEvents() } else { state.say("Epoch \(session.trainer.epoch) done") }
        case .faster:
            state.speedLevel = min(LabState.speeds.count - 1, state.speedLevel + 1)
        case .slower:
            state.speedLevel = max(0, state.speedLevel - 1)
        case .reset:
            session.reset()
            stepDebt = 0
            startMoment()
            state.say("Reset to the initial weights of seed \(session.config.seed)")
        case .reseed:
            session.reconfigure { $0.seed &+= 1 }
            state.say("New seed \(session.config.seed): new weights and data")
        case .addDendrites:
            let message = session.addDendritesNow()
            eventsShown = session.events.count
            state.say(message)
        case .cycleMode:
            session.reconfigure { $0.mode = $0.mode.next }
            state.say("Mode \(session.config.mode.rawValue): restarted from the same initial weights")
        case .screenshot:
            screenshotRequested = true
        case .saveNetwork:
            saveNetwork()
        case .loadNetwork:
            loadNewestNetwork()
        case .openFile(let path):
            openFile(path)
        case .toggleUpdateRule:
            state.showUpdateRule.toggle()
        case .toggleHelp:
            state.showHelp.toggle()
        case .toggleCurves:
            state.showCurves.toggle()
        case .toggleInspector:
            state.showInspector.toggle()
        case .toggleLesson:
            state.showLesson.toggle()
        case .quit:
            quitRequested = true
        case .dataset(let kind):
            session.reconfigure { $0.dataset = kind }
            state.selected = nil
            state.say("Dataset \(kind.rawValue)")
        case .nextDataset:
            let all = ToyData.Kind.allCases
            perform(.dataset(all[((all.firstIndex(of: session.config.dataset) ?? 0) + 1) % all.count]))
        case .noise(let hundredths):
            session.reconfigure { $0.noise = max(0, min(0.5, (($0.noise * 100).rounded() + Float(hundredths)) / 100)) }
            state.say(String(format: "Noise %.2f", Double(session.config.noise)))
        case .nextStep:
            goToStep(state.stepIndex + 1)
        case .previousStep:
            goToStep(state.stepIndex - 1)
        case .scrollLesson(let dy):
            state.lessonScroll = max(0, min(state.lessonMaxScroll, state.lessonScroll + dy))
        case .select(let n):
            state.selected = n
        case .clickNeuron(let n):
            state.selected = nextSelection(after: state.selected, clicked: n)
        case .hover(let h):
            state.hovered = h
        case .mouse(let x, let y):
            state.mouse = Vec2(x, y)
        case .resize(let w, let h):
            state.width = w
            state.height = h
        }
        showRefusal()
    }

    /// Neuron, then each of its dendrite sets (and candidate), then nothing.
    func nextSelection(after current: NeuronRef?, clicked n: NeuronRef) -> NeuronRef? {
        guard let current, current.neuron == n.neuron else { return n.neuron }
        let branches = branchCount(of: n)
        let next = (current.branch ?? -1) + 1
        return next < branches ? NeuronRef(column: n.column, unit: n.unit, branch: next) : nil
    }

    /// Dendrite sets of a neuron, plus its candidate during a PB dendrite phase.
    func branchCount(of n: NeuronRef) -> Int {
        let groups = NeuronGroup.groups(of: session.network)
        guard n.column >= 1, n.column - 1 < groups.count,
              let p = session.network.layers[groups[n.column - 1].neuronLayer] as? PerforatedLayer else { return 0 }
        return p.dendrites.count + (p.showsCandidate ? 1 : 0)
    }

    /// Advances one frame: while playing, runs the batches due at the current speed, but
    /// stops once `budget` seconds have passed so drawing keeps its frame rate. Returns
    /// the number of batches run.
    @discardableResult
    public func tick(budget: Double = 0.010) -> Int {
        state.frame += 1
        guard state.playing else { stepDebt = 0; return 0 }
        let due: Int
        if state.batchesPerFrame.isInfinite {
            due = autoBatchesPerFrame
        } else {
            stepDebt += state.batchesPerFrame
            due = Int(stepDebt)
            stepDebt -= Double(due)
        }
        return train(batches: due, budget: budget)
    }

    /// The training thread's share of auto speed: the batches `elapsed` seconds earn at
    /// `autoBatchesPerSecond` (owed at most a tenth of a second's worth, so a slow
    /// machine does not pile up debt), within `budget` seconds. Returns the batches run.
    public func trainSlice(elapsed: Double, budget: Double) -> Int {
        guard state.playing else { backgroundDebt = 0; return 0 }
        let rate = autoBatchesPerSecond
        backgroundDebt = min(backgroundDebt + elapsed * rate, max(1, 0.1 * rate))
        let done = train(batches: Int(backgroundDebt), budget: budget)
        backgroundDebt -= Double(done)
        return done
    }

    /// Runs up to `due` batches within `budget` seconds, pausing where the run finished
    /// or a lesson step's moment came.
    private func train(batches due: Int, budget: Double) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var done = 0
        while done < due {
            if session.isFinished && !trainOnInFreePlay() {
                _ = reachedStepEpochs()
                state.playing = false
                announceNewEvents()
                state.say(finishedMessage, frames: 600)
                break
            }
            session.stepBatch()
            done += 1
            if reachedStepEpochs() { break }
            if Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 > budget { break }
        }
        batchesTrained += done
        announceNewEvents()
        return done
    }

    static let finishedMessage = "Finished: the switching rule restored the best model. R starts over, D adds dendrites."
    static let trainingOnMessage = "The switching rule kept the best model and stops adding dendrites; training goes on. D adds a set anyway."

    /// Why the Lab will not step: the run finished, or it diverged.
    var finishedMessage: String {
        guard let d = session.divergence else { return LabController.finishedMessage }
        return LabController.divergedMessage(epoch: d.epoch, batch: d.batch, layer: d.layer)
    }

    static func divergedMessage(epoch: Int, batch: Int, layer: String) -> String {
        "Diverged at epoch \(epoch), batch \(batch) in \(layer) (NaN or infinity). R resets; try a lower learning rate."
    }

    /// True (and says why) when the run has finished and stepping would be undone.
    private func refuseWhenFinished() -> Bool {
        guard session.isFinished, !trainOnInFreePlay() else { return false }
        state.say(finishedMessage, frames: 600)
        return true
    }

    /// Free play: a dendrite decision never ends the learner's play; after the switching
    /// rule stops, the best model trains on without growing. (A lesson stops where its
    /// runner stops, so what the lesson states stays what the engine did.)
    private func trainOnInFreePlay() -> Bool {
        guard lesson == nil, session.trainer.trainOnWithoutGrowing() else { return false }
        announceNewEvents()
        state.say(LabController.trainingOnMessage, frames: 600)
        return true
    }

    /// Puts the newest switch decision, phase change or dendrite addition of the core
    /// in the status line, so a student sees why the network just changed.
    func announceNewEvents() {
        if session.events.count < eventsShown { eventsShown = 0 }
        guard session.events.count > eventsShown, let e = session.events.last else { return }
        eventsShown = session.events.count
        state.say(LabController.describe(e), frames: 300)
    }

    static func describe(_ e: TrainingEvent) -> String {
        switch e {
        case .phaseChanged(let epoch, _, let to, let reason):
            return "Epoch \(epoch): \(to == .dendrite ? "dendrite phase (P)" : "neuron phase (N)") · \(reason)"
        case .dendriteAdded(let epoch, let n, _, let corr):
            let c = corr.isEmpty ? "" : String(format: ", mean correlation %.3f", Double(corr.reduce(0, +) / Float(corr.count)))
            return "Epoch \(epoch): dendrite set \(n) added\(c)"
        case .decision(let epoch, let message):
            return "Epoch \(epoch): \(message)"
        case .diverged(let epoch, let batch, let layer, _):
            return divergedMessage(epoch: epoch, batch: batch, layer: layer)
        default:
            return ""
        }
    }

    /// Whether the views' reading of the model is out of date and due again: at most
    /// every `refreshInterval` seconds while training plays (probing costs as much as
    /// drawing), and never more than about a quarter of the time.
    public var readingDue: Bool {
        guard let latest = pending ?? reading, latest.network === session.network else { return true }
        guard latest.probe.version != session.version else { return false }
        let interval = max(trainsOnOwnThread ? ownThreadRefreshInterval : refreshInterval, 4 * readCost)
        return !state.playing || Double(DispatchTime.now().uptimeNanoseconds &- lastRefresh) * 1e-9 >= interval
    }

    /// The input the mouse is over in the data view, if any (the network picture shows
    /// the network's values for it).
    private var hoveredInput: (Float, Float)? {
        if case .input(let x, let y) = state.hovered { return (x, y) }
        return nil
    }

    /// Re-reads the model for the views: the grid probe, the network picture, the
    /// curves' history. While the Lab trains on its own thread, that thread calls this
    /// between slices (the cost lands on the training core, not in a frame) and the
    /// reading waits as `pending` until its connections are drawn (`attach`).
    /// `publishNow`: show the reading at once (the render thread reading for itself).
    public func refreshReading(publishNow: Bool = false) {
        let start = DispatchTime.now().uptimeNanoseconds
        let input = hoveredInput
        let p = Probe(network: session.network, version: session.version, labels: currentGridLabels())
        let r = ModelReading(probe: p, network: session.network,
                             picture: NetworkPicture.read(session, input: input, probe: p),
                             pictureInput: input.map { [$0.0, $0.1] } ?? [],
                             history: session.history, events: session.events)
        if trainsOnOwnThread && !publishNow { pending = r } else { reading = r; pending = nil }
        lastRefresh = DispatchTime.now().uptimeNanoseconds
        let seconds = Double(lastRefresh &- start) * 1e-9
        readCost = 0.7 * readCost + 0.3 * seconds
        readings += 1
        readingSeconds += seconds
    }

    /// The pending reading's picture and where the network view draws it: the training
    /// thread rasterises its connections without the model lock (`ConnectionImage` reads
    /// only the picture) and hands them back with `attach`.
    public var connectionsToDraw: (picture: NetworkPicture, rect: Rect)? {
        pending.map { ($0.picture, state.layout.network) }
    }

    /// Publishes the pending reading with its connections (unless the layout moved on
    /// meanwhile: then the network view draws them itself).
    public func attach(_ image: ConnectionImage) {
        guard var p = pending else { return }
        let alpha = NetworkView.neuronAlpha(p.picture)
        if ConnectionImage.key(picture: p.picture, rect: state.layout.network, alpha: alpha) == image.key {
            p.picture.connections = image
        }
        reading = p
        pending = nil
    }

    /// Reads what this frame draws. The model is re-read only when it changed (and, while
    /// playing, when `readingDue`; not at all here while `trainsOnOwnThread`, except
    /// after the model was rebuilt); a new hovered input re-reads the picture alone.
    public func frame() -> LabFrame {
        // A rebuilt session (reset, new seed or mode, another lesson step) is a new network:
        // read it now, whoever trains.
        let rebuilt = reading?.network !== session.network
        if rebuilt || ((!state.playing || !trainsOnOwnThread) && readingDue) {
            refreshReading(publishNow: true)
        }
        // Invariant: refreshReading() above leaves a reading.
        var r = reading!
        let input = hoveredInput
        let pictureKey = input.map { [$0.0, $0.1] } ?? []
        if r.pictureInput != pictureKey {
            r.picture = NetworkPicture.read(session, input: input, probe: r.probe)
            r.pictureInput = pictureKey
            reading = r
        }
        let probe = r.probe
        var picture = r.picture
        picture.connectionsMayLag = trainsOnOwnThread
        var prediction: (x: Float, y: Float, p: Float)?
        if let (x, y) = input, let out = picture.layers.last, !out.neurons.isEmpty {
            prediction = (x, y, out.neurons[out.neurons.count == 1 ? 0 : 1].activation)
        }
        let t = session.trainer
        var info = StatusBar.Info()
        info.epoch = t.epoch
        info.batch = t.batchInEpoch
        info.batchesPerEpoch = t.batchesPerEpoch
        info.phase = session.phase.rawValue
        info.mode = session.config.mode
        info.somaInputs = session.config.mode == .none || session.config.experiment.dendrites.somaInputs
        info.dendrites = session.dendriteSets
        info.parameters = session.parameterCount
        info.trainAccuracy = session.history.last?.trainAccuracy ?? .nan
        info.validationAccuracy = session.history.last?.validationAccuracy ?? .nan
        info.batchLoss = session.lastBatchLoss
        info.speed = state.speedDescription
        info.fps = fps
        info.playing = state.playing
        info.diverged = session.divergence.map { "epoch \($0.epoch), batch \($0.batch) in \($0.layer)" }
        var rule: UpdateRule?
        var shown = state.selected
        if case .neuron(let n) = state.hovered { shown = n }
        if state.showUpdateRule, state.showInspector, let n = shown { rule = UpdateRule.read(session, neuron: n) }
        var frame = LabFrame(picture: picture, probe: probe, train: session.train, validation: session.validation,
                             history: trainsOnOwnThread ? r.history : session.history,
                             events: trainsOnOwnThread ? r.events : session.events, config: session.config,
                             status: info, prediction: prediction, lesson: lesson, updateRule: rule)
        if session.isFinished && session.divergence == nil { frame.keptModelParameters = session.parameterCount }
        if lesson != nil, state.lessonOpen {
            frame.lessonMeasured = lessonMeasurements()
            frame.momentReached = momentReached
        }
        return frame
    }

    /// The grid's nearest-sample labels, recomputed only when the training data changed.
    private func currentGridLabels() -> [Int32] {
        guard case .float(let f) = session.train.features else { return [] }
        if let g = gridLabels, g.features == f { return g.labels }
        let labels = Probe.gridLabels(for: session.train)
        gridLabels = (f, labels)
        return labels
    }

    /// Draws the current frame into `canvas`.
    public func draw(_ canvas: Canvas) {
        setLessonMaxScroll(LabScene.draw(canvas, frame: frame(), state: state))
    }

    /// How far the lesson panel can scroll, as the last drawing found.
    public func setLessonMaxScroll(_ maxScroll: Float) {
        state.lessonMaxScroll = maxScroll
        state.lessonScroll = min(state.lessonScroll, state.lessonMaxScroll)
    }

    /// Renders the current frame offscreen at the window's size and saves it as PNG.
    public func saveScreenshot(to path: String, time: Double = 0) throws {
        let off = try Offscreen(width: state.width, height: state.height)
        off.canvas.time = time
        draw(off.canvas)
        try off.savePNG(path)
    }
}

extension LabController {
    /// Replaces the view state (restoring a saved `LabState`).
    public func restore(_ s: LabState) { state = s }

    /// Shows a sentence in the status line for a few seconds.
    public func say(_ text: String, frames: Int = 240) { state.say(text, frames: frames) }
}

/// One reading of the model for the views, published whole so a frame never mixes two.
struct ModelReading {
    var probe: Probe
    /// The network read (a rebuild makes a new one). Held, not just identified: a reading
    /// keeps its network alive, so a rebuilt one can never reuse its address and pass for it.
    var network: Network
    var picture: NetworkPicture
    /// The hovered input `picture` shows ([] for the training-set mean).
    var pictureInput: [Float]
    /// The curves' history and events as of the reading: while the Lab trains on its own
    /// thread, the curves move with the other views, not with every epoch.
    var history: [EpochMetrics]
    var events: [TrainingEvent]
}
