import DendriteCore

/// Everything a key or a button can ask the Lab to do. `Controls` maps events to these
/// (a pure function, tested with synthetic events); `LabController` performs them.
public enum LabAction: Codable, Equatable, Hashable, Sendable {
    case togglePlay
    case stepBatch
    case stepEpoch
    case faster
    case slower
    /// Back to the same initial weights (same seed).
    case reset
    /// New seed: new initial weights, data and shuffling.
    case reseed
    case addDendrites
    case cycleMode
    case screenshot
    /// Ctrl+S: save the network, dendrites and trainer state as a checkpoint.
    case saveNetwork
    /// Ctrl+O: load the newest checkpoint of the save folder and train on from it.
    case loadNetwork
    /// A file dropped on the window: a .safetensors checkpoint loads, a .csv plays its points.
    case openFile(String)
    /// U: show or hide the update-rule panel under the inspector.
    case toggleUpdateRule
    case toggleHelp
    case toggleCurves
    case toggleInspector
    case toggleLesson
    case quit
    case dataset(ToyData.Kind)
    case nextDataset
    /// Noise change in hundredths (+5 = +0.05).
    case noise(Int)
    /// Lesson navigation (PageDown / PageUp and the panel's buttons): go to that step
    /// and train its experiment from the start.
    case nextStep
    case previousStep
    /// Scroll the lesson panel's body by this many pixels (positive: further down).
    case scrollLesson(Float)
    case select(NeuronRef?)
    /// A click on a neuron: selects it; clicking it again walks through its dendrites
    /// (the PB candidate last), then deselects.
    case clickNeuron(NeuronRef)
    case hover(Hover?)
    case mouse(Float, Float)
    case resize(Int, Int)
}
