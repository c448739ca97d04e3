import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A blocking HTTP GET with a hard deadline. Used only to fetch MNIST from its public
/// mirrors; the deadline matters because machines without internet must fall through
/// to the next route in seconds rather than hang.
enum HTTPGet {
    private final class Outcome: @unchecked Sendable {
        var result: Result<Data, Error>?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The body of `url`; throws on any error, a status other than 200, or when no
    /// complete answer arrived within `deadline` seconds.
    static func fetch(_ url: URL, deadline: Double) throws -> Data {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = deadline
        config.timeoutIntervalForResource = deadline
        let session = URLSession(configuration: config)
        defer { session.invalidateAndCancel() }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: url) { data, response, error in
            if let error {
                outcome.result = .failure(error)
            } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                outcome.result = .failure(Failure(description: "HTTP status \(http.statusCode)"))
            } else {
                outcome.result = .success(data ?? Data())
            }
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + deadline + 0.5) == .timedOut {
            task.cancel()
            throw Failure(description: "no answer within \(Int(deadline)) s")
        }
        // Invariant: the completion handler sets `result` before it signals `done`, and the wait above did not time out.
        return try outcome.result!.get()
    }
}
