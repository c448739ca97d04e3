import Foundation
import DendriteCore

extension LabConfig {
    /// Plays the user's own points (`dendrite-lab lab --csv FILE`) instead of a toy set:
    /// the file is read once here, so a bad row fails now with its `FILE:LINE` (a
    /// `DataError`), and the output layer gets one unit per class found.
    public mutating func usePoints(file path: String) throws {
        let absolute = path.hasPrefix("/") ? path
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path).standardizedFileURL.path
        let points = try CSVPoints.read(path: absolute)
        let old = experiment.dataset
        experiment.dataset = Experiment.DatasetSpec(name: .csv, validationFraction: old.validationFraction,
                                                    file: absolute, classes: points.classCount)
        experiment.name = "csv: " + URL(fileURLWithPath: path).lastPathComponent
        experiment.network = .mlp(inputs: 2, hidden: hidden, outputs: points.classCount, activation: activation)
    }

    /// The dataset as the toolbar names it: the toy kind, or the csv file's name.
    public var datasetLabel: String {
        guard experiment.dataset.name == .csv, let f = experiment.dataset.file else { return dataset.rawValue }
        return URL(fileURLWithPath: f).deletingPathExtension().lastPathComponent
    }
}
