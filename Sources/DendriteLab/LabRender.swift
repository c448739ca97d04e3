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
