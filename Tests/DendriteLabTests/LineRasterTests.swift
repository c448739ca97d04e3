import Testing
@testable import DendriteLab

extension LabSuite {
    @Suite struct LineRasterTests {
        /// Alpha of pixel (x, y) in 0...255.
        func alpha(_ r: LineRaster, _ x: Int, _ y: Int) -> UInt32 { r.argb()[y * r.width + x] >> 24 }

        @Test func aHorizontalLineCoversItsRowsAndNothingFar() {
            var r = LineRaster(width: 20, height: 10)
            r.segment(Vec2(2, 5), Vec2(18, 5), Color(255, 0, 0), lineWidth: 2)
            // Rows 4 and 5 (centres 4.5, 5.5) lie within the 2-pixel stroke around y = 5.
            #expect(alpha(r, 10, 4) == 255 && alpha(r, 10, 5) == 255)
            #expect(alpha(r, 10, 3) == 0 && alpha(r, 10, 6) == 0)
            #expect(alpha(r, 0, 5) == 0 && alpha(r, 19, 5) == 0)
            let px = r.argb()[5 * 20 + 10]
            #expect((px >> 16) & 0xFF == 255 && (px >> 8) & 0xFF == 0 && px & 0xFF == 0)
        }

        @Test func aDiagonalLineIsAntialiasedAlongItsEdge() {
            var r = LineRaster(width: 20, height: 20)
            r.segment(Vec2(0, 0), Vec2(20, 20), Color(0, 0, 255), lineWidth: 1)
            #expect(alpha(r, 10, 10) == 255)            // on the line
            #expect(alpha(r, 14, 10) == 0)              // 2.8 px away
            let edge = alpha(r, 11, 10)                 // 0.71 px away: partly covered
            #expect(edge > 0 && edge < 255)
        }

        @Test func translucentStrokesCompositeLikeSourceOver() {
            var r = LineRaster(width: 10, height: 4)
            let half = Color(0, 255, 0, 128)
            r.segment(Vec2(0, 2), Vec2(10, 2), half, lineWidth: 4)
            r.segment(Vec2(0, 2), Vec2(10, 2), half, lineWidth: 4)
            // 1 - (1 - 0.502)^2 = 0.752 of full alpha.
            let a = alpha(r, 5, 2)
            #expect(a >= 190 && a <= 193)
        }

        @Test func strokesAtTheRightAndBottomEdgesTouchOnlyTheirOwnPixels() {
            // Eight pixels blend at a time: a vector that starts near a row's end runs on
            // into the next row (or, on the last row, into slack). Those lanes must keep
            // what is there, including an earlier stroke's pixels.
            var r = LineRaster(width: 13, height: 6)
            r.segment(Vec2(0, 3.5), Vec2(4, 3.5), Color(0, 0, 255), lineWidth: 1)   // row 3, left end
            r.segment(Vec2(9, 2.5), Vec2(13, 2.5), Color(255, 0, 0), lineWidth: 1)  // row 2, right end
            r.segment(Vec2(9, 5.5), Vec2(13, 5.5), Color(0, 255, 0), lineWidth: 1)  // last row, right end
            let px = r.argb()
            func at(_ x: Int, _ y: Int) -> UInt32 { px[y * 13 + x] }
            #expect(at(12, 2) == 0xFFFF_0000 && at(12, 5) == 0xFF00_FF00)
            // Row 3's blue start survived the red stroke's lanes that ran past row 2's end.
            #expect(at(0, 3) == 0xFF00_00FF && at(2, 3) == 0xFF00_00FF)
            // Nothing else was touched beyond the strokes' antialiased rims.
            for (x, y) in [(0, 0), (6, 2), (6, 3), (0, 5), (7, 5), (12, 0), (12, 4)] { #expect(at(x, y) == 0, "pixel (\(x), \(y))") }
        }

        @Test func nonFiniteStrokesDrawNothing() {
            var r = LineRaster(width: 8, height: 8)
            r.segment(Vec2(.nan, 1), Vec2(5, 5), Color(1, 2, 3), lineWidth: 1)
            r.segment(Vec2(1, 1), Vec2(5, 5), Color(1, 2, 3), lineWidth: .infinity)
            r.segment(Vec2(1, 1), Vec2(5, 5), Color(1, 2, 3), lineWidth: .nan)
            #expect(r.argb().allSatisfy { $0 == 0 })
        }
    }
}
