import ImprovementCore

/// Who may push what: checked for every change of a batch before any of it is applied.
enum PushPermissions {
    /// Record types that define the programme rather than record data about it.
    static let definitionTypes: Set<String> = ["site", "unit", "programme", "driver", "measure"]
    /// What members record about their own sites.
    static let memberTypes: Set<String> = ["observation", "annotation", "pdsa", "story"]
    /// What coordinators may change for every site at once.
    static let globalCoordinatorTypes: Set<String> = ["programme", "driver", "measure", "resolution"]

    /// - Parameter storedSite: the site the server already holds for the record: nil when the
    ///   record is new here, `.some(nil)` for a global definition.
    static func check(_ change: Change, account: Account, storedSite: String??) throws(SyncStorageError) {
        func refuse(_ reason: String) -> SyncStorageError {
            .forbidden(
                changeID: change.id,
                message: "Change \(change.id) (\(change.type) \(change.entity)) was refused: \(reason). Nothing in the batch was applied.")
        }
        if account.role == .viewer { throw refuse("a viewer account can read but not send changes") }
        // The record's site is what the server knows, not what the change claims.
        if let storedSite, storedSite != change.site {
            throw refuse("it claims site \(change.site ?? "none") but the record belongs to \(storedSite ?? "no site")")
        }
        if let claimed = change.fields["site"], claimed != (change.site.map(FieldValue.text) ?? .null) {
            throw refuse("its site field does not match the site it is sent for")
        }
        if change.type == "site", change.site != change.entity { throw refuse("a site belongs to itself") }

        if account.role == .member, !memberTypes.contains(change.type) {
            throw refuse(
                definitionTypes.contains(change.type) || change.type == "resolution"
                    ? "only coordinators and admins change \(change.type == "resolution" ? "conflict resolutions" : "\(change.type)s")"
                    : "members record observations, annotations, PDSA cycles and stories only")
        }
        guard let site = change.site else {
            // Global records: programmes, drivers and measures (and decisions on their conflicts).
            if account.role == .admin { return }
            if account.role == .coordinator, globalCoordinatorTypes.contains(change.type) { return }
            throw refuse("only admins change \(change.type) records shared by every site")
        }
        guard account.belongs(to: site) else { throw refuse("the account does not belong to site \(site)") }
    }
}
