import Foundation
import Testing
import Synchronization
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    /// The Lab's own training thread trains exactly what the frame loop would, and the
    /// views only ever see a whole reading.
    @Suite struct TrainingThreadTests {
        @Test func theTrainingThreadTrainsTheSameNetworkAsSteppingInTheFrame() throws {
            var state = LabState()
            state.playing = true
            let threaded = LabController(config: smallConfig(.spiral), state: state)
            threaded.trainsOnOwnThread = true
            let thread = TrainingThread(controller: threaded)
            thread.start()
            thread.setActive(true)
            // Frames read the model meanwhile, as the app does.
            var frames = 0
            let deadline = Date().addingTimeInterval(30)
            while thread.withModel({ threaded.batchesTrained }) < 200 && Date() < deadline {
                let f = thread.withModel { threaded.frame() }
                #expect(f.probe.version != nil)
                frames += 1
                usleep(2000)
            }
            thread.setActive(false)
            thread.stop()
            let batches = threaded.batchesTrained
            #expect(batches >= 200)
            #expect(frames > 0)
            #expect(threaded.readings > 0)

            let stepped = LabController(config: smallConfig(.spiral), state: state)
            for _ in 0..<batches { stepped.session.stepBatch() }
            let a = threaded.session.network.parameters.map(\.value.storage)
            let b = stepped.session.network.parameters.map(\.value.storage)
            #expect(a == b)
        }

        @Test func autoSpeedOnTheThreadIsPacedByTheClock() {
            var state = LabState()
            state.playing = true
            let c = LabController(config: smallConfig(), state: state)
            let rate = c.autoBatchesPerSecond
            #expect(rate > 0)
            // A hundredth of a second earns a hundredth of the rate, within the budget.
            let done = c.trainSlice(elapsed: 0.01, budget: 10)
            #expect(done == Int(0.01 * rate))
            // Debt is capped at a tenth of a second's worth.
            let capped = c.trainSlice(elapsed: 1000, budget: 10)
            #expect(capped == Int(max(1, 0.1 * rate)))
            c.state.playing = false
            #expect(c.trainSlice(elapsed: 1, budget: 10) == 0)
        }

        @Test func aReadingMadeOnTheThreadIsShownOnlyWithItsConnections() {
            var state = LabState()
            state.playing = true
            let c = LabController(config: smallConfig(), state: state)
            let first = c.frame()
            c.trainsOnOwnThread = true
            c.session.stepBatch()
            c.refreshReading()
            // Pending: frames keep showing the previous reading.
            #expect(c.frame().probe.version == first.probe.version)
            guard let (picture, rect) = c.connectionsToDraw else {
                Issue.record("a pending reading should ask for its connections")
                return
            }
            c.attach(ConnectionImage(picture: picture, rect: rect, theme: .standard))
            let shown = c.frame()
            #expect(shown.probe.version == c.session.version)
            #expect(shown.picture.connections != nil)
            #expect(c.connectionsToDraw == nil)
        }

        #if os(Linux)
        @Test func theTrainingThreadLowersItsOwnPriorityOnly() {
            let before = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            let seen = Atomic<Int32>(-100)
            let done = DispatchSemaphore(value: 0)
            Thread {
                TrainingThread.lowerPriority()
                seen.store(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0), ordering: .relaxed)
                done.signal()
            }.start()
            done.wait()
            #expect(seen.load(ordering: .relaxed) == TrainingThread.nice)
            #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == before)
        }
        #endif

        @Test func aReadingStartsJustAfterAFrameCopyOrOnceItWaitedTooLong() {
            let ms: UInt64 = 1_000_000
            var t = ReadingTiming()
            func starts(now: UInt64, lastFrameCopy: UInt64) -> Bool { t.starts(now: now, lastFrameCopy: lastFrameCopy) }
            // Due 10 ms after the last copy: wait for the next one.
            #expect(!starts(now: 110 * ms, lastFrameCopy: 100 * ms))
            #expect(!starts(now: 115 * ms, lastFrameCopy: 100 * ms))
            // 1 ms after the next copy: start.
            #expect(starts(now: 118 * ms, lastFrameCopy: 117 * ms))
            // A new reading falls due; no copy comes (frames run long): it waits its patience, then goes.
            #expect(!starts(now: 200 * ms, lastFrameCopy: 117 * ms))
            #expect(!starts(now: 249 * ms, lastFrameCopy: 117 * ms))
            #expect(starts(now: 250 * ms, lastFrameCopy: 117 * ms))
            // Its patience does not carry over to the next reading.
            #expect(!starts(now: 260 * ms, lastFrameCopy: 117 * ms))
            // Nor to a reading that falls due after this one stopped being due unread.
            t.notDue()
            #expect(!starts(now: 320 * ms, lastFrameCopy: 117 * ms))
            #expect(starts(now: 370 * ms, lastFrameCopy: 117 * ms))
        }

        @Test func theSceneKeyIgnoresWhatOnlyTheStatusLineShows() {
            var state = LabState()
            state.playing = true
            let c = LabController(config: smallConfig(), state: state)
            let f = c.frame()
            let key = SceneKey(frame: f, state: c.state)
            var later = c.state
            later.frame += 10
            later.say("Epoch 3 done")
            var g = f
            g.status.batch += 1
            #expect(SceneKey(frame: g, state: later) == key)
            var moved = c.state
            moved.showCurves.toggle()
            #expect(SceneKey(frame: f, state: moved) != key)
            c.session.stepBatch()
            c.refreshReading()
            #expect(SceneKey(frame: c.frame(), state: c.state) != key)
        }
    }
}
