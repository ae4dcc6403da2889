import Foundation
import ImprovementCore

/// Sites, units and measures by name, for views people read: ids stay in `--json` output.
/// An id with no record on this device (not synced yet) is shown as it is.
struct RecordNames {
    private var siteNames: [String: String] = [:]
    private var unitNames: [String: String] = [:]
    private var measureNames: [String: String] = [:]

    init(sites: [Site], units: [ImprovementCore.Unit], measures: [Measure]) {
        for site in sites { siteNames[site.id] = site.name }
        for unit in units { unitNames[unit.id] = unit.name }
        for measure in measures { measureNames[measure.id] = measure.name }
    }

    /// Reads every site, unit and measure on the device.
    init(store: ImprovementStore) throws {
        func all<R: SyncedRecord>(_ type: R.Type) throws -> [R] {
            var result: [R] = []
            var after: String?
            while true {
                let page = try store.records(type, after: after, limit: 1000)
                result += page
                guard let last = page.last else { return result }
                after = last.id
            }
        }
        self.init(sites: try all(Site.self), units: try all(ImprovementCore.Unit.self), measures: try all(Measure.self))
    }

    func site(_ id: String) -> String { siteNames[id].flatMap { $0.isEmpty ? nil : $0 } ?? id }
    func unit(_ id: String) -> String { unitNames[id].flatMap { $0.isEmpty ? nil : $0 } ?? id }
    func measure(_ id: String) -> String { measureNames[id].flatMap { $0.isEmpty ? nil : $0 } ?? id }

    /// "Ward 7", or "North Hospital (all units)" for a site's pooled series; with `pooled` false
    /// a site without a unit is just its name.
    func place(site: String, unit: String?, pooled: Bool = true) -> String {
        if let unit { return self.unit(unit) }
        return self.site(site) + (pooled ? " (all units)" : "")
    }

    /// A progress flag's sentence with its site and unit by name and its dates as names (the
    /// analysis writes ids, which scripts reading `--json` rely on).
    func message(_ flag: ProgressFlag) -> String {
        var text = flag.message
        if let unitID = flag.unit {
            text = text.replacingOccurrences(
                of: "At \(unitID) (\(flag.site))", with: "At \(unit(unitID)) (\(site(flag.site)))"
            )
            .replacingOccurrences(of: " at \(unitID) since ", with: " at \(unit(unitID)) since ")
        } else {
            text = text.replacingOccurrences(of: "At \(flag.site) ", with: "At \(site(flag.site)) ")
        }
        return DayText.names(in: text)
    }

    /// An observation id (`MEASURE/UNIT/PERIOD`) as "Falls per 1,000 bed days, Ward 7, 3 Mar 2026".
    func observation(_ id: String) -> String {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return id }
        return "\(measure(parts[0])), \(unit(parts[1])), \(DayText.period(parts[2]))"
    }
}
