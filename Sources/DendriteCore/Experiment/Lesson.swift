/// A lesson: a Markdown file in `lessons/` that reads well on its own and that the Lab
/// plays step by step. Its YAML front matter is an `Experiment` (plus a title); each
/// `## ` section is a step whose optional ```` ```yaml lab ```` block changes a few
/// settings, names the moment its text describes, and states what the learner should
/// see there as checkable expectations.
public struct Lesson: Sendable {
    /// Path as given to the loader (used in every error).
    public var file: String
    /// From the file name's leading number ("03-error-signals.md" -> 3); 0 without one.
    public var number: Int
    public var title: String
    /// Markdown between the front matter and the first step.
    public var introduction: String
    /// The experiment the front matter describes (step 1 starts from it).
    public var experiment: Experiment
    public var steps: [LessonStep]
}

/// One `## ` section of a lesson.
public struct LessonStep: Sendable {
    public var title: String
    /// 1-based line of the `## ` heading.
    public var line: Int
    /// The section's Markdown without its settings block (what the side panel shows).
    public var body: String
    /// The lesson's experiment with this step's settings and those of all earlier steps.
    public var experiment: Experiment
    /// What must hold at `moment`.
    public var expectations: [LessonExpectation]
    /// When the step's text (its checks and its picture) applies; the Lab pauses there.
    public var moment = LessonMoment()
    /// The neuron or dendrite the step's text looks at (nil: the decision surface).
    public var selection: LessonSelection?
    /// `picture: true`: this step's moment is the lesson's picture (docs/lessons/).
    public var isPicture = false
    /// `inspector: true`: the Lab opens its inspector for this step (the selected
    /// neuron's numbers and its branches' activation curve), which lessons hide by default.
    public var showsInspector = false
}

extension Lesson {
    /// The step whose moment shows the lesson's point: the one marked `picture: true`,
    /// else the first step that selects something, else the first.
    public var pictureStep: Int {
        steps.firstIndex(where: \.isPicture) ?? steps.firstIndex { $0.selection != nil } ?? 0
    }
}

/// "Stop here": after the step's epochs, or `epochs` into the `dendritePhase`-th dendrite
/// phase, or `epochs` after the network first has `dendrites` dendrite sets.
public struct LessonMoment: Sendable, Equatable {
    public var dendritePhase: Int?
    public var dendrites: Int?
    /// Epochs after the event (or in all, without one); nil: the step's epoch budget.
    public var epochs: Int?

    public init(dendritePhase: Int? = nil, dendrites: Int? = nil, epochs: Int? = nil) {
        self.dendritePhase = dendritePhase
        self.dendrites = dendrites
        self.epochs = epochs
    }

    public var isEnd: Bool { dendritePhase == nil && dendrites == nil && epochs == nil }

    /// In words, for the lesson panel ("after 10 epochs of dendrite phase 1").
    public var description: String {
        if let p = dendritePhase { return "\(epochs ?? 0) epochs into dendrite phase \(p)" }
        if let d = dendrites { return "\(epochs ?? 0) epochs after dendrite set \(d) is added" }
        if let e = epochs { return "after \(e) epochs" }
        return "at the end of the step"
    }
}

/// A neuron of the network view: `layer` 1 is the first neuron layer, nil the output;
/// `unit` 0-based; `branch` a dendrite set (0-based) or the PB candidate.
public struct LessonSelection: Sendable, Equatable {
    public enum Branch: Sendable, Equatable { case dendrite(Int), candidate }
    public var layer: Int?
    public var unit: Int
    public var branch: Branch?

    public init(layer: Int? = nil, unit: Int = 0, branch: Branch? = nil) {
        self.layer = layer
        self.unit = unit
        self.branch = branch
    }
}

/// "At the step's moment, METRIC is at least / at most / equal to VALUE": the step's
/// "what you should see", in a form a test can check against the engine.
public struct LessonExpectation: Sendable, Equatable, CustomStringConvertible {
    public enum Metric: String, CaseIterable, Sendable {
        case trainAccuracy = "train_accuracy"
        case validationAccuracy = "validation_accuracy"
        case testAccuracy = "test_accuracy"
        case dendrites
        case parameters
        /// "P" (dendrite phase) or "N" (neuron phase).
        case phase
        /// The selected neuron's candidate: running |corr(V, E)| (CorrelationObjective's statistics).
        case candidateCorrelation = "candidate_correlation"
        /// The selected neuron's mean |E| over the training set.
        case errorSize = "error_size"
        /// Signs of the selected neuron's mean E per quadrant (x>0 y>0, x<0 y>0, x<0 y<0,
        /// x>0 y<0), e.g. "- + - +"; "0" where |mean| < 0.05.
        case errorQuadrants = "error_quadrants"
        /// Largest |corr(E, x_i)| over the inputs, on the training set.
        case inputCorrelation = "input_correlation"
        /// How much the decision surface varies over the plane (`NeuronProbe.surfaceSpread`).
        case surfaceSpread = "surface_spread"
        /// The selected dendrite's output v alone as a classifier of the training set:
        /// the accuracy of the best threshold on v (either way round); 1 when that branch
        /// by itself separates the classes. With a neuron selected, its dendrite 1.
        case branchAccuracy = "branch_accuracy"
        /// The inputs each dendrite set of the selected neuron samples, set by set:
        /// "x1 | x2" (set 1 sees x1, set 2 sees x2; "h3" for a hidden neuron's input),
        /// "all" for a set that sees every input (`dendrites.inputs`).
        case branchInputs = "branch_inputs"

        /// Metrics compared as text ("P", "- + - +"), not as numbers.
        public var isText: Bool { self == .phase || self == .errorQuadrants || self == .branchInputs }
    }
    public enum Comparison: String, Sendable {
        case atLeast = ">="
        case atMost = "<="
        case equals = "="
    }

    public var metric: Metric
    public var comparison: Comparison
    public var value: Double
    /// The expected text of a text metric.
    public var text: String = ""
    /// Line of the expectation in the lesson file.
    public var line: Int

    public init(metric: Metric, comparison: Comparison, value: Double, text: String = "", line: Int) {
        self.metric = metric
        self.comparison = comparison
        self.value = value
        self.text = text
        self.line = line
    }

    public func holds(for measured: Double) -> Bool {
        switch comparison {
        case .atLeast: return measured >= value - 1e-9
        case .atMost: return measured <= value + 1e-9
        case .equals: return abs(measured - value) <= 1e-9
        }
    }

    public func holds(text measured: String) -> Bool {
        measured.split(separator: " ") == text.split(separator: " ")
    }

    public var description: String {
        metric.isText ? "\(metric.rawValue) = \"\(text)\"" : "\(metric.rawValue) \(comparison.rawValue) \(value)"
    }
}
