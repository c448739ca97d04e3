import Testing
import DendriteCore
@testable import DendriteLab

/// The data view's maps: class colours for any number of classes, distinct from the
/// signed scale, and boundaries where the likeliest class changes.
extension LabSuite {
    @Suite struct PlaneMapTests {
        let t = Theme.standard

        @Test func threeClassesTakeThreeDistinctColoursUnlikeTheSignedScale() {
            // A 1x... grid of three cells, each certain of another class.
            let p: [Float] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0.34, 0.33, 0.33]
            let map = PlaneMap(title: "", values: [], colouring: .classes(probabilities: p, k: 3), slot: "t")
            let px = map.pixels(resolution: 2, theme: t).map { Color(argb: $0) }
            for k in 0..<3 { #expect(distance(px[k], Color.mix(Color(hex: 0xFFFFFF), t.classColor(k), 0.75)) < 6, "class \(k): \(px[k])") }
            #expect(distance(px[0], px[1]) > 60 && distance(px[1], px[2]) > 60 && distance(px[0], px[2]) > 60)
            #expect(distance(px[3], Color(hex: 0xFFFFFF)) < 120)        // unsure: pale
            // No class colour is a sign colour.
            for k in 0..<8 {
                #expect(distance(t.classColor(k), t.scale.negative) > 60 && distance(t.classColor(k), t.scale.positive) > 60)
            }
        }

        @Test func contourRunsWhereTheFieldChangesSign() {
            // Left column negative, right column positive: one vertical line between them.
            let field: [Float] = [-1, 1, -1, 1]
            let segs = PlaneMap.contourSegments(field, resolution: 2, plot: Rect(x: 0, y: 0, w: 20, h: 20))
            #expect(segs.count == 1)
            #expect(segs.allSatisfy { abs($0.0.x - 10) < 1e-4 && abs($0.1.x - 10) < 1e-4 })
            #expect(PlaneMap.contourSegments([1, 1, 1, 1], resolution: 2, plot: Rect(x: 0, y: 0, w: 20, h: 20)).isEmpty)
        }
    }
}
