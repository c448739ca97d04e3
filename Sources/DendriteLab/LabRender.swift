import DendriteCore

/// Trains a Lab session headless for `epochs` epochs and renders the full Lab layout
/// offscreen to a PNG: the picture `dendrite-lab render` writes, and what tests inspect.
/// Returns the controller so callers can report what was trained.
@discardableResult
public func renderLabPNG(config: LabConfig = LabConfig(), epochs: Int, to path: String,
                         width: Int = 1280, height: Int = 800, selected: NeuronRef? = nil) throws -> LabController {
    var state = LabState()
    state.width = width
    state.height = height
    state.selected = selected
    let controller = LabController(config: config, state: state)
    for _ in 0..<max(0, epochs) { controller.session.stepEpoch() }
    try controller.saveScreenshot(to: path)
    return controller
}

/// Trains lesson step `step` (0-based) for `epochs` epochs (negative: to the step's
/// moment, with its selection) and renders the Lab with the
/// lesson panel open: what `dendrite-lab render --lesson` writes.
@discardableResult
public func renderLabPNG(lesson: Lesson, step: Int = 0, epochs: Int, to path: String,
                         width: Int = 1280, height: Int = 800) throws -> LabController {
    var state = LabState()
    state.width = width
    state.height = height
    let controller = LabController(lesson: lesson, step: step, state: state)
    if epochs < 0 {
        controller.playToMoment(maxEpochs: lesson.steps[step].experiment.epochs)
    } else {
        for _ in 0..<epochs where !controller.session.isFinished { controller.session.stepEpoch() }
    }
    try controller.saveScreenshot(to: path)
    return controller
}
