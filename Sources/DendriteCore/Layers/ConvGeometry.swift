/// Sizes of one convolution over one batch, and the two memory reshuffles built on them:
/// im2col (input -> receptive-field columns) and its adjoint col2im (column gradients
/// -> input gradient).
///
/// Column layout: row r = (ci, kh, kw) of the patch, column c = (b, oh, ow). Row r of
/// the columns matrix is therefore the input plane of channel ci shifted by (kh, kw)
/// and subsampled by the stride, for every sample in turn; with stride 1 each output
/// row is one contiguous run of input, which is what makes these loops fast.
struct ConvGeometry {
    let batch: Int
    let inChannels: Int
    let height: Int
    let width: Int
    let outHeight: Int
    let outWidth: Int
    let kernel: Int
    let stride: Int
    let padding: Int

    /// Cin*k*k: rows of the columns matrix (the sgemm inner dimension).
    var patchSize: Int { inChannels * kernel * kernel }
    var outPlane: Int { outHeight * outWidth }
    /// B*Ho*Wo: columns of the columns matrix.
    var columnCount: Int { batch * outPlane }

    /// The same convolution over `count` samples (a chunk of the batch).
    func chunk(_ count: Int) -> ConvGeometry {
        ConvGeometry(batch: count, inChannels: inChannels, height: height, width: width,
                     outHeight: outHeight, outWidth: outWidth, kernel: kernel, stride: stride, padding: padding)
    }

    /// Output columns ow whose input column ow*stride - padding + kw lies inside the
    /// image: the rest read zero padding.
    @inline(__always)
    func validColumns(kw: Int) -> Range<Int> {
        let shift = padding - kw            // iw = ow*stride - shift
        let lo = shift <= 0 ? 0 : (shift + stride - 1) / stride
        let last = width - 1 + shift        // largest ow*stride allowed
        let hi = last < 0 ? 0 : min(outWidth, last / stride + 1)
        return lo..<max(lo, hi)
    }

    // x: [B, Cin, H, W]  ->  col: [Cin*k*k, B*Ho*Wo]
    func im2col(_ x: UnsafePointer<Float>, into col: UnsafeMutablePointer<Float>) {
        let k = kernel, s = stride, p = padding
        let h = height, w = width, ho = outHeight, wo = outWidth
        let plane = h * w, n = columnCount, outPlane = self.outPlane
        for ci in 0..<inChannels {
            for kh in 0..<k {
                for kw in 0..<k {
                    let row = col + ((ci * k + kh) * k + kw) * n
                    let valid = validColumns(kw: kw)
                    let lo = valid.lowerBound, hi = valid.upperBound
                    for b in 0..<batch {
                        let src = x + (b * inChannels + ci) * plane
                        var dst = row + b * outPlane
                        for oh in 0..<ho {
                            let ih = oh * s - p + kh
                            if ih < 0 || ih >= h {
                                for ow in 0..<wo { dst[ow] = 0 }
                            } else {
                                for ow in 0..<lo { dst[ow] = 0 }
                                // input index of output column ow: base + ow*s
                                let base = ih * w - p + kw
                                if s == 1 {
                                    let from = src + (base + lo), to = dst + lo
                                    for i in 0..<(hi - lo) { to[i] = from[i] }
                                } else {
                                    for ow in lo..<hi { dst[ow] = src[base + ow * s] }
                                }
                                for ow in hi..<wo { dst[ow] = 0 }
                            }
                            dst += wo
                        }
                    }
                }
            }
        }
    }

    // col: [Cin*k*k, B*Ho*Wo]  ->  dx: [B, Cin, H, W] (overwritten; overlapping
    // receptive fields add up, padding positions are dropped)
    func col2im(_ col: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let k = kernel, s = stride, p = padding
        let h = height, w = width, ho = outHeight, wo = outWidth
        let plane = h * w, n = columnCount, outPlane = self.outPlane
        dx.update(repeating: 0, count: batch * inChannels * plane)
        for ci in 0..<inChannels {
            for kh in 0..<k {
                for kw in 0..<k {
                    let row = col + ((ci * k + kh) * k + kw) * n
                    let valid = validColumns(kw: kw)
                    let lo = valid.lowerBound, hi = valid.upperBound
                    if lo >= hi { continue }
                    for b in 0..<batch {
                        let dst = dx + (b * inChannels + ci) * plane
                        var src = row + b * outPlane
                        for oh in 0..<ho {
                            let ih = oh * s - p + kh
                            if ih >= 0 && ih < h {
                                let base = ih * w - p + kw
                                if s == 1 {
                                    let to = dst + (base + lo), from = src + lo
                                    for i in 0..<(hi - lo) { to[i] += from[i] }
                                } else {
                                    for ow in lo..<hi { dst[base + ow * s] += src[ow] }
                                }
                            }
                            src += wo
                        }
                    }
                }
            }
        }
    }
}
