import Foundation

/// A user's own 2-D classification problem from a text file of `x,y,label` rows:
///
///     # two rings (comments and blank lines are skipped)
///     x,y,label                  optional header: a first row whose x or y is not a number
///     0.12,-0.80,0
///     0.95,0.31,1
///
/// Coordinates are used as written (the Lab's plane shows about -1.3...1.3, so points
/// are best scaled to roughly -1...1). Labels are integers; the distinct values, sorted,
/// become classes 0..k-1 (so 0/1, 1/2 or -1/1 all work), and at least two are needed.
/// Every problem is one line naming `FILE:LINE`.
public enum CSVPoints {
    public static let expected = "expected x,y,label with numbers"

    /// Reads `path` into a dataset of shape [2] named after the file.
    public static func read(path: String) throws -> Dataset {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DataError(.unreadable, file: path, "cannot read the file (\(error.localizedDescription)); \(expected)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError(.badRecord, file: path, "not UTF-8 text; \(expected)")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(text, file: path, name: name)
    }

    /// Parses CSV text; `file` names it in errors.
    public static func parse(_ text: String, file: String, name: String = "csv") throws -> Dataset {
        var features: [Float] = []
        var raw: [Int] = []
        var sawRow = false
        // `isNewline`, not "\n": Windows' "\r\n" is a single Character in Swift.
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = index + 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            func bad(_ problem: String) -> DataError {
                DataError(.badRecord, file: "\(file):\(lineNumber)", "\(problem); \(expected)")
            }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let isFirst = !sawRow
            sawRow = true
            if isFirst, fields.count >= 2, Double(fields[0]) == nil || Double(fields[1]) == nil,
               !fields[0].isEmpty, !fields[1].isEmpty {
                continue   // a header such as "x,y,label"
            }
            guard fields.count >= 3 else { throw bad("\(fields.count) column\(fields.count == 1 ? "" : "s") '\(trimmed)'") }
            guard fields.count == 3 else { throw bad("\(fields.count) columns '\(trimmed)'") }
            guard let x = Double(fields[0]), let y = Double(fields[1]) else {
                throw bad("'\(trimmed)' has a coordinate that is not a number")
            }
            guard x.isFinite, y.isFinite, abs(x) <= Double(Float.greatestFiniteMagnitude),
                  abs(y) <= Double(Float.greatestFiniteMagnitude) else {
                throw bad("'\(trimmed)' has a non-finite coordinate")
            }
            guard let l = Double(fields[2]), l.isFinite, l == l.rounded(), abs(l) < 1e9 else {
                throw bad("label '\(fields[2])' is not a whole number")
            }
            features.append(Float(x))
            features.append(Float(y))
            raw.append(Int(l))
        }
        guard !raw.isEmpty else {
            throw DataError(.badRecord, file: file, "no data rows (empty file, or only comments and a header); \(expected)")
        }
        let classes = Array(Set(raw)).sorted()
        guard classes.count >= 2 else {
            throw DataError(.badLabel, file: file, "every row has label \(classes[0]); \(expected) and at least 2 distinct labels")
        }
        var index: [Int: Int32] = [:]
        for (i, c) in classes.enumerated() { index[c] = Int32(i) }
        // Invariant: index holds every label in raw (built from the same labels just above).
        return Dataset(name: name, sampleShape: [2], features: .float(features),
                       labels: raw.map { index[$0]! }, classCount: classes.count)
    }
}
