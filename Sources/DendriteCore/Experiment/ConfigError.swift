import Foundation

/// A mistake in an experiment or lesson file, reported as one line a user can act on:
/// `FILE:LINE: what was wrong; expected WHAT`.
public struct ConfigError: Error, Equatable, CustomStringConvertible, LocalizedError, Sendable {
    /// File name as the user gave it (or a label such as "<string>").
    public var file: String
    /// 1-based line in that file; 0 when the problem is the file as a whole.
    public var line: Int
    /// What was wrong, e.g. "unknown key 'lrr' in optimizer".
    public var problem: String
    /// The accepted form, e.g. "one of kind, lr, momentum, weight_decay".
    public var expected: String

    public init(file: String, line: Int, problem: String, expected: String) {
        self.file = file
        self.line = line
        self.problem = problem
        self.expected = expected
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        let text = expected.isEmpty ? "\(place): \(problem)" : "\(place): \(problem); expected \(expected)"
        // Values quoted from the file can hold line breaks ("seed: '1\n2'"); keep one line.
        return text.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    public var errorDescription: String? { description }
}
