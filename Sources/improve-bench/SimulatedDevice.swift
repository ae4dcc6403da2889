import ImprovementCore

/// One ward device in the load benchmark: it records weekly observations for its own unit
/// (new weeks, and corrections of weeks it recorded before), pushes them, and pulls its site.
struct SimulatedDevice {
    static let measure = "falls-rate"
    let index: Int
    let site: String
    let unit: String
    let replica: String
    let token: String
    private var cursor: Int64 = 0
    /// Stamps as a device's store does: never backwards, even for twenty changes in one
    /// millisecond (a counter kept modulo 1,000 once stamped an edit before the write it corrected,
    /// and the server rightly recorded the device conflicting with itself).
    private var clock: HLCGenerator
    /// The next week this device records for the first time: each week is created once.
    private var nextWeek = 0
    private var recorded: [(period: String, hlc: HLC)] = []
    private var random: SystemRandomNumberGenerator = SystemRandomNumberGenerator()
    private static let firstWeek = Day(year: 2020, month: 1, day: 6)!

    init(index: Int, sites: Int, token: String) {
        self.index = index
        self.site = Self.site(index, of: sites)
        self.unit = Self.unit(index)
        self.replica = "load-device-\(index)"
        self.token = token
        clock = HLCGenerator(replica: replica, last: nil, physical: .system)
    }

    static func site(_ device: Int, of sites: Int) -> String { "site-\(device % sites)" }
    static func unit(_ device: Int) -> String { "ward-\(device)" }

    /// A new week's observation for this device's unit, remembered as recorded.
    mutating func nextObservation() -> Change {
        let hlc = clock.tick()
        let period = Self.firstWeek.adding(days: 7 * nextWeek).description
        nextWeek += 1
        recorded.append((period, hlc))
        return Change(
            id: ChangeID.random(millis: hlc.millis), replica: replica, type: "observation",
            entity: "\(Self.measure)/\(unit)/\(period)", site: site, hlc: hlc, author: replica,
            fields: [
                "measure": .text(Self.measure), "unit": .text(unit), "site": .text(site), "period": .text(period),
                "numerator": .number(1), "denominator": .number(300),
            ],
            base: [:])
    }

    /// One loop: push 1-20 changes (a quarter of them edits once there is something to edit), then pull.
    mutating func loop(wire: WireClient, recorder: LatencyRecorder) async {
        let count = Int.random(in: 1...20, using: &random)
        var changes: [Change] = []
        var written: [(period: String, hlc: HLC)] = []
        for _ in 0..<count {
            let hlc = clock.tick()
            let edit = !recorded.isEmpty && Int.random(in: 0..<4, using: &random) == 0
            let period: String
            var base: [String: HLC?] = [:]
            var fields: FieldMap = ["numerator": .number(Double(Int.random(in: 0...9, using: &random)))]
            if edit {
                let earlier = recorded[Int.random(in: 0..<recorded.count, using: &random)]
                period = earlier.period
                // The base is the newest write this device knows, in this batch too: a device never
                // conflicts with itself.
                base = ["numerator": written.last { $0.period == period }?.hlc ?? earlier.hlc]
            } else {
                period = Self.firstWeek.adding(days: 7 * nextWeek).description
                nextWeek += 1
                fields.merge(
                    [
                        "measure": .text(Self.measure), "unit": .text(unit), "site": .text(site),
                        "period": .text(period),
                        "denominator": .number(Double(Int.random(in: 200...400, using: &random))),
                    ]
                ) { $1 }
            }
            changes.append(
                Change(
                    id: ChangeID.random(millis: hlc.millis), replica: replica, type: "observation",
                    entity: "\(Self.measure)/\(unit)/\(period)", site: site, hlc: hlc, author: replica, fields: fields,
                    base: base))
            written.append((period, hlc))
        }
        let pushStart = ContinuousClock.now
        let pushed = await wire.push(changes, replica: replica, token: token)
        recorder.record(
            route: "push", status: pushed.status, seconds: (ContinuousClock.now - pushStart).seconds,
            changes: pushed.status == 200 ? changes.count : 0)
        if pushed.status == 200 {
            // Later edits name the newest write of each period as their base.
            for write in written {
                if let at = recorded.firstIndex(where: { $0.period == write.period }) {
                    recorded[at] = write
                } else {
                    recorded.append(write)
                }
            }
        }
        let pullStart = ContinuousClock.now
        let pulled = await wire.pull(after: cursor, token: token)
        recorder.record(
            route: "pull", status: pulled.status, seconds: (ContinuousClock.now - pullStart).seconds,
            changes: 0)
        if let next = WireClient.cursor(of: pulled) { cursor = next }
    }
}
