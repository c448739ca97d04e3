@preconcurrency import CSDL2
import DendriteCore

/// Keeps the Lab's picture (everything but the status line and the candidates' pulses)
/// in a texture and redraws it only when what it shows has changed; every frame blits it
/// and draws those live parts on top (`LabScene.drawLive`).
///
/// Why: under a software OpenGL (Mesa's llvmpipe: Xvfb, VMs, machines without a GPU)
/// shading the whole window takes ~17 ms of CPU, more than a 60 fps frame once training
/// shares the machine. While training plays, the views change when the model is re-read
/// (`LabController.refreshInterval`), a few times a second, so most frames cost a blit.
final class SceneCache {
    private let renderer: OpaquePointer
    private var texture: OpaquePointer?
    private var size = (w: 0, h: 0)
    private var key: SceneKey?
    private var lessonMaxScroll: Float = 0
    /// Scenes drawn into the texture (the rest of the frames reused one).
    private(set) var redraws = 0

    init(renderer: OpaquePointer) { self.renderer = renderer }

    deinit { release() }

    /// Frees the texture (before its renderer goes).
    func release() {
        if let texture { SDL_DestroyTexture(texture) }
        texture = nil
        key = nil
    }

    /// Draws `frame` into the window; returns how far the lesson panel can scroll.
    /// Overlays that sit above the status line (help, a neuron's tooltip) and frames
    /// without a model version are drawn directly.
    func draw(_ canvas: Canvas, frame: LabFrame, state: LabState) -> Float {
        var tooltip = false
        if case .neuron = state.hovered { tooltip = true }
        guard frame.probe.version != nil, !state.showHelp, !tooltip, prepareTexture(state) else {
            key = nil
            return LabScene.draw(canvas, frame: frame, state: state)
        }
        let newKey = SceneKey(frame: frame, state: state)
        if newKey != key {
            SDL_SetRenderTarget(renderer, texture)
            lessonMaxScroll = LabScene.draw(canvas, frame: frame, state: state, live: false)
            SDL_SetRenderTarget(renderer, nil)
            key = newKey
            redraws += 1
        }
        SDL_RenderCopy(renderer, texture, nil, nil)
        LabScene.drawLive(canvas, frame: frame, state: state)
        return lessonMaxScroll
    }

    /// A target texture of the window's size; false when the renderer cannot draw into one.
    private func prepareTexture(_ state: LabState) -> Bool {
        if texture != nil && size == (state.width, state.height) { return true }
        if let texture { SDL_DestroyTexture(texture) }
        texture = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ARGB8888.rawValue,
                                    Int32(SDL_TEXTUREACCESS_TARGET.rawValue), Int32(state.width), Int32(state.height))
        size = (state.width, state.height)
        key = nil
        guard let texture else { return false }
        // The scene covers the window: copy it, no blending (half the work per pixel).
        SDL_SetTextureBlendMode(texture, SDL_BLENDMODE_NONE)
        return true
    }
}

/// Everything the cached scene depends on; a frame whose key equals the last one looks
/// the same apart from the status line.
struct SceneKey: Equatable {
    var picture: NetworkPicture
    var probeVersion: Int?
    var config: LabConfig
    var history: Int
    var events: Int
    var prediction: [Float]
    var updateRule: UpdateRule?
    var lessonMeasured: [LessonExpectation.Metric: LessonRunner.Value]
    var momentReached: Bool
    var state: LabState

    init(frame: LabFrame, state: LabState) {
        picture = frame.picture
        probeVersion = frame.probe.version
        config = frame.config
        history = frame.history.count
        events = frame.events.count
        prediction = frame.prediction.map { [$0.x, $0.y, $0.p] } ?? []
        updateRule = frame.updateRule
        lessonMeasured = frame.lessonMeasured
        momentReached = frame.momentReached
        // What only the status line shows.
        var s = state
        s.frame = 0
        s.message = nil
        s.messageUntilFrame = 0
        s.mouse = Vec2(-1, -1)
        self.state = s
    }
}
