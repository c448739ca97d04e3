/// A lesson: a Markdown file in `lessons/` that reads well on its own and that the Lab
/// plays step by step. Its YAML front matter is an `Experiment` (plus a title); each
/// `## ` section is a step whose optional ```` ```yaml lab ```` block changes a few
/// settings and states what the learner should see, as checkable expectations.
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
    /// What must hold after training this step's experiment headless.
    public var expectations: [LessonExpectation]
}

/// "After training, METRIC is at least / at most VALUE": the step's "what you should
/// see", in a form a test can check against the engine.
public struct LessonExpectation: Sendable, Equatable, CustomStringConvertible {
    public enum Metric: String, CaseIterable, Sendable {
        case trainAccuracy = "train_accuracy"
        case validationAccuracy = "validation_accuracy"
        case testAccuracy = "test_accuracy"
        case dendrites
    }
    public enum Comparison: String, Sendable {
        case atLeast = ">="
        case atMost = "<="
    }

    public var metric: Metric
    public var comparison: Comparison
    public var value: Double
    /// Line of the expectation in the lesson file.
    public var line: Int

    public func holds(for measured: Double) -> Bool {
        switch comparison {
        case .atLeast: return measured >= value - 1e-9
        case .atMost: return measured <= value + 1e-9
        }
    }

    public var description: String { "\(metric.rawValue) \(comparison.rawValue) \(value)" }
}
