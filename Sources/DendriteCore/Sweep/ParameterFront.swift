import Foundation

/// A parameter front (issue 13): test accuracy against parameter count for families of
/// networks, each family one experiment file in one mode swept over widths, each point
/// one width with the mean and spread over seeds. The question a front answers is
/// whether a family lies above the plain networks' front, not whether one run beats
/// another.
public struct ParameterFront: Equatable, Sendable {
    /// One finished run.
    public struct Sample: Equatable, Sendable {
        public var family: String
        public var width: Int?
        public var parameters: Int
        public var accuracy: Double
        /// A plain network (no dendrites, no dendritic layer, not a matched baseline):
        /// the points other families are held against.
        public var isPlain: Bool

        public init(family: String, width: Int?, parameters: Int, accuracy: Double, isPlain: Bool) {
            self.family = family
            self.width = width
            self.parameters = parameters
            self.accuracy = accuracy
            self.isPlain = isPlain
        }
    }

    /// One width of one family: means over its seeds.
    public struct Point: Equatable, Sendable {
        public var width: Int?
        public var parameters: Double
        public var accuracy: Double
        /// Sample standard deviation of accuracy over seeds (0 for one seed).
        public var sd: Double
        public var runs: Int
    }

    /// One family, its points in order of parameter count.
    public struct Line: Equatable, Sendable {
        public var family: String
        public var isPlain: Bool
        public var points: [Point]
    }

    /// Families in order of first appearance.
    public var lines: [Line]

    public init(_ samples: [Sample]) {
        var order: [String] = []
        var byFamily: [String: [Sample]] = [:]
        for s in samples {
            if byFamily[s.family] == nil { order.append(s.family) }
            byFamily[s.family, default: []].append(s)
        }
        lines = order.map { family in
            // Invariant: family comes from byFamily's own keys.
            let group = byFamily[family]!
            var widths: [Int?] = []
            for s in group where !widths.contains(s.width) { widths.append(s.width) }
            let points = widths.map { w -> Point in
                let runs = group.filter { $0.width == w }
                let acc = SeedSpread(runs.map(\.accuracy))
                return Point(width: w, parameters: SeedSpread(runs.map { Double($0.parameters) }).mean,
                             accuracy: acc.mean, sd: acc.sd, runs: runs.count)
            }.sorted { $0.parameters < $1.parameters }
            return Line(family: family, isPlain: group.allSatisfy(\.isPlain), points: points)
        }
    }

    /// True when some family has two or more widths: a front to draw as lines.
    public var hasWidthAxis: Bool { lines.contains { $0.points.count > 1 } }

    /// The family of a run: the experiment name, plus the dendrite mode when it grows
    /// dendrites (`mnist-narrow-mlp + PB`).
    public static func family(name: String, mode: DendriteMode) -> String {
        mode == .none ? name : "\(name) + \(mode.rawValue.uppercased())"
    }

    /// The family of a param-matched baseline of a run of `family`.
    public static func matchedFamily(of family: String) -> String { family + matchedSuffix }
    static let matchedSuffix = ": plain, matched"

    /// True for a family of param-matched baselines.
    public static func isMatched(_ family: String) -> Bool { family.hasSuffix(matchedSuffix) }

    /// A point of a non-plain family held against the plain front.
    public struct Verdict: Equatable, Sendable {
        public var family: String
        public var point: Point
        /// The smallest plain point with at least as many parameters, "as many" within
        /// `equalTolerance` (nil: none is that large).
        public var plain: Point?
        public var plainFamily: String?
        /// Mean accuracy minus the plain point's.
        public var gap: Double? { plain.map { point.accuracy - $0.accuracy } }
        /// Above by more than the seeds' spread: the ± one sd intervals do not touch.
        public var aboveBeyondSpread: Bool {
            guard let p = plain else { return false }
            return point.accuracy - point.sd > p.accuracy + p.sd
        }
    }

    /// Widths are whole numbers, so parameter counts rarely tie: a plain net up to 1%
    /// smaller still counts as "equal" (784-32-10 has 25,450 parameters, the 784-8-10 MLP
    /// with three GD sets 25,588).
    public static let equalTolerance = 0.01

    /// Every point of every non-plain family against the plain network of equal or
    /// larger parameter count nearest in size (any plain family).
    public var verdicts: [Verdict] {
        let plain = lines.filter(\.isPlain).flatMap { l in l.points.map { (l.family, $0) } }
        return lines.filter { !$0.isPlain }.flatMap { line in
            line.points.map { p in
                let least = p.parameters * (1 - Self.equalTolerance)
                let match = plain.filter { $0.1.parameters >= least }.min { $0.1.parameters < $1.1.parameters }
                return Verdict(family: line.family, point: p, plain: match?.1, plainFamily: match?.0)
            }
        }
    }
}

/// Mean and sample standard deviation of one quantity over seeds.
public struct SeedSpread: Equatable, Sendable {
    public var mean: Double
    /// Sample standard deviation (n - 1); 0 for fewer than two values.
    public var sd: Double

    public init(_ values: [Double]) {
        let n = Double(values.count)
        mean = values.isEmpty ? 0 : values.reduce(0, +) / n
        let m = mean
        sd = values.count > 1 ? (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / (n - 1)).squareRoot() : 0
    }
}
