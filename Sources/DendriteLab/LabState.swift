/// All view state of the Lab in one value, separate from the model (`LabSession`): what
/// is selected and hovered, playback and panels. Codable so a view can be saved and shared.
public struct LabState: Codable, Equatable, Sendable {
    /// Training runs every frame while true.
    public var playing = false
    /// Index into `LabState.speeds`.
    public var speedLevel = LabState.autoSpeedLevel
    /// The neuron clicked in the network view (its output replaces the decision surface).
    public var selected: NeuronRef?
    /// What the mouse is over.
    public var hovered: Hover?
    /// Mouse position in window pixels.
    public var mouse = Vec2(-1, -1)
    public var showHelp = false
    public var showInspector = true
    public var showCurves = true
    /// U: the update-rule panel (the rule the shown neuron learns by, with live numbers).
    public var showUpdateRule = true
    /// Window size in pixels.
    public var width = 1280
    public var height = 800
    /// A short sentence for the status line, and the frame after which it disappears.
    public var message: String?
    public var messageUntilFrame = 0
    /// Frames drawn so far.
    public var frame = 0

    /// Steps of the open lesson (0: no lesson, the free playground). The `Lesson` itself
    /// lives in `LabController`; the view state keeps only where the learner is.
    public var lessonSteps = 0
    /// 0-based index of the lesson step shown.
    public var stepIndex = 0
    /// Pixels the lesson panel's body is scrolled down, and the most it can be (set
    /// when the panel is drawn and knows its text's height).
    public var lessonScroll: Float = 0
    public var lessonMaxScroll: Float = 0

    /// L hides the lesson panel (the views take its room) and shows it again.
    public var showLesson = true

    public var lessonOpen: Bool { lessonSteps > 0 && showLesson }

    public init() {}

    /// Optimisation steps per frame at each speed level (fractions: one step every few
    /// frames). The last, the default, is "auto": the controller picks the batches per
    /// frame from the run's length (`LabController.autoBatchesPerFrame`), within the
    /// frame's training budget, so every lesson step plays in seconds at 60 fps.
    public static let speeds: [Double] = [0.0625, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, .infinity]
    public static let autoSpeedLevel = speeds.count - 1

    public var batchesPerFrame: Double { LabState.speeds[max(0, min(LabState.speeds.count - 1, speedLevel))] }

    public var speedDescription: String {
        let s = batchesPerFrame
        if s.isInfinite { return "auto speed" }
        return s >= 1 ? "\(Int(s)) batch\(s == 1 ? "" : "es")/frame" : "1 batch/\(Int((1 / s).rounded())) frames"
    }

    /// The panel layout for the current window size and visible panels.
    public var layout: LabLayout {
        LabLayout(width: width, height: height, curves: showCurves, inspector: showInspector, lesson: lessonOpen)
    }

    public mutating func say(_ text: String, frames: Int = 240) {
        message = text
        messageUntilFrame = frame + frames
    }
}

extension Vec2: Codable {
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init(try c.decode(Float.self), try c.decode(Float.self))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(x)
        try c.encode(y)
    }
}

/// The thing under the mouse, for live values and highlights.
public enum Hover: Codable, Equatable, Hashable, Sendable {
    case neuron(NeuronRef)
    /// A point of the data view, in input coordinates.
    case input(Float, Float)
    /// A toolbar button, by its index in `Toolbar.buttons`.
    case button(Int)
    /// The lesson panel's previous / next button.
    case lessonButton(LessonPanel.Button)
}
