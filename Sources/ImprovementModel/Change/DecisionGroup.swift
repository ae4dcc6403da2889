/// A conflict resolution and the values it puts back are one decision (Protocol/README.md,
/// "Decisions"): the value change names the resolutions it carries out, and a server accepts it
/// only together with them, in the same push or after them.
///
/// The names travel in the value change's `base`, as entries `"_resolves:ID": null`. A `base`
/// entry that is null for a field no one wrote means "saw no version", which is what the merge
/// assumes for any absent field, so the marker changes no merge result on any replica, old or new,
/// and needs no new column in any change log.
package enum DecisionGroup {
    static let markerPrefix = "_resolves:"

    /// Adds to `base` the markers naming `resolutions`.
    package static func mark(_ base: inout [String: HLC?], resolutions: some Sequence<String>) {
        for id in resolutions { base[markerPrefix + id] = .some(nil) }
    }

    /// The ids of the resolutions a change carries out (none for an ordinary change).
    package static func resolutions(of change: Change) -> [String] {
        change.base.keys.compactMap { key in
            key.hasPrefix(markerPrefix) ? String(key.dropFirst(markerPrefix.count)) : nil
        }.sorted()
    }

    /// The resolutions a batch's changes name but do not carry: the storage says which of them
    /// its log already holds.
    package static func namedOutsideBatch(_ changes: [Change]) -> Set<String> {
        let carried = carried(by: changes)
        var named: Set<String> = []
        for change in changes {
            for id in resolutions(of: change) where !carried.contains(id) { named.insert(id) }
        }
        return named
    }

    /// The server's rule for one change of a batch: nil when it may be applied, otherwise the
    /// reason it is refused. `accepted` holds the resolutions the log already had before the
    /// batch; the batch's own resolutions count as present, since a batch is applied whole or not at all.
    package static func refusal(
        of change: Change, in batchResolutions: Set<String>, accepted: Set<String>
    )
        -> String?
    {
        let missing = resolutions(of: change).filter { !batchResolutions.contains($0) && !accepted.contains($0) }
        guard let first = missing.first else { return nil }
        return "Change \(change.id) (\(change.type) \(change.entity)) was refused: it puts back values for conflict "
            + "resolution \(first), which this server has not accepted (a resolution and the values it restores are "
            + "one decision). Nothing in the batch was applied."
    }

    /// The ids of the resolution records a batch carries.
    package static func carried(by changes: [Change]) -> Set<String> {
        Set(changes.lazy.filter { $0.type == EntityType.resolution.name }.map(\.entity))
    }
}
