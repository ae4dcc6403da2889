import Foundation
import ImprovementCore

/// The data-quality findings as sentences, with measures, units and dates by name: what
/// `improve quality` prints and the report lists.
enum QualityText {
    /// One sentence per finding; `limit` caps the long lists (outliers, exclusions, edits).
    static func lines(_ quality: DataQualityReport, names: RecordNames, limit: Int = .max) -> [String] {
        var lines: [String] = []
        for gap in quality.missing {
            let recent = gap.recent.suffix(3).map(DayText.period).joined(separator: ", ")
            lines.append(
                "missing: \(names.measure(gap.measure)) at \(names.unit(gap.unit)): \(gap.count) period(s), latest \(recent)."
            )
        }
        for value in quality.overwritten {
            lines.append(
                "overwritten: \(names.observation(value.observation)), \(value.field): \(value.lost.json) by \(value.lostBy) "
                    + "lost to \(value.kept.json) by \(value.keptBy)"
                    + (value.resolved ? " (resolved)." : " (waiting for a coordinator: improve conflicts)."))
        }
        for point in quality.unexplainedOutliers.prefix(limit) {
            let baseline = point.inBaseline ? ", inside the baseline the limits rest on" : ""
            lines.append(
                "beyond limits, no note: \(names.measure(point.measure)) at "
                    + "\(names.place(site: point.site, unit: point.unit)), \(DayText.period(point.period))\(baseline).")
        }
        for point in quality.excludedPoints.prefix(limit) {
            lines.append(
                "excluded from limits: \(names.measure(point.measure)) at \(names.place(site: point.site, unit: point.unit)), "
                    + "\(DayText.period(point.period)): \(point.reason)")
        }
        for edit in quality.editedAfterTheFact.prefix(limit) {
            let who = edit.edits.map { "\($0.author) on \(DayText.moment($0.at))" }.joined(separator: "; ")
            lines.append(
                "edited after recording: \(names.observation(edit.observation)), recorded by \(edit.recordedBy) "
                    + "on \(DayText.moment(edit.recordedAt)); changed by \(who).")
        }
        return lines
    }
}
