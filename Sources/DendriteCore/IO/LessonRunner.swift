/// Trains a lesson step headless, the way the Lab would if left playing, and measures
/// what the step's expectations talk about. This is how a lesson's "what you should
/// see" is held true of the engine.
public enum LessonRunner {
    /// Measured after training a step: final-model accuracies and dendrite sets.
    public struct Outcome: Sendable {
        public var step: Int
        public var title: String
        public var measured: [LessonExpectation.Metric: Double]
        /// Expectations that did not hold, as sentences.
        public var failures: [String]
        public var epochs: Int
        public var parameters: Int
    }

    /// Runs step `index` (0-based) of `lesson` for its experiment's epoch budget.
    public static func run(_ lesson: Lesson, step index: Int) throws -> Outcome {
        let step = lesson.steps[index]
        let session = try ExperimentSession(step.experiment)
        session.trainer.run()
        let train = Trainer.evaluate(session.network, on: session.data.train)
        let validation = Trainer.evaluate(session.network, on: session.data.validation)
        let test = Trainer.evaluate(session.network, on: session.data.test)
        let measured: [LessonExpectation.Metric: Double] = [
            .trainAccuracy: Double(train.accuracy),
            .validationAccuracy: Double(validation.accuracy),
            .testAccuracy: Double(test.accuracy),
            .dendrites: Double(session.network.dendriteCount),
        ]
        let failures = step.expectations.compactMap { e -> String? in
            let m = measured[e.metric]!
            return e.holds(for: m) ? nil
                : "\(lesson.file):\(e.line): step \(index + 1) '\(step.title)' expects \(e) but measured \(m)"
        }
        return Outcome(step: index + 1, title: step.title, measured: measured, failures: failures,
                       epochs: session.trainer.epoch, parameters: session.network.parameterCount)
    }

    /// Runs every step that states an expectation.
    public static func check(_ lesson: Lesson) throws -> [Outcome] {
        try lesson.steps.indices.filter { !lesson.steps[$0].expectations.isEmpty }.map { try run(lesson, step: $0) }
    }
}
