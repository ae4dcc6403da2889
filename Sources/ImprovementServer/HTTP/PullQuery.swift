import Hummingbird

/// The parameters of `GET /v1/pull`, checked: `after`, `limit` and `wait`.
struct PullQuery {
    var after: Int64 = 0
    var limit = 1000
    var wait = 0

    /// The longest `wait` a live pull may ask for, in seconds: below the idle timeouts of most proxies.
    static let maxWait = 60

    /// Unknown parameters are ignored (a newer client may send more); a repeated one is an error.
    init(_ parameters: Parameters, maxLimit: Int) throws {
        var seen: Set<String> = []
        for (key, value) in parameters {
            guard seen.insert(String(key)).inserted else {
                throw APIError.badRequest("\(key): is given more than once.")
            }
            switch String(key) {
            case "after":
                guard let number = Int64(String(value)), number >= 0, number <= 9_007_199_254_740_991 else {
                    throw APIError.badRequest(
                        "after: must be a whole number of 0 or more (the cursor of the last pull).")
                }
                after = number
            case "limit":
                guard let number = Int(String(value)), (1...maxLimit).contains(number) else {
                    throw APIError.badRequest("limit: must be a whole number from 1 to \(maxLimit).")
                }
                limit = number
            case "wait":
                guard let number = Int(String(value)), (0...Self.maxWait).contains(number) else {
                    throw APIError.badRequest(
                        "wait: must be a whole number of seconds from 0 to \(Self.maxWait) (how long to hold the "
                            + "pull open when nothing is new).")
                }
                wait = number
            default:
                continue
            }
        }
    }
}
