import Foundation
import ImprovementCore
import Testing

@testable import ImprovementServer

/// On SQLite, pulls from devices that keep up are made from the log's newest changes held
/// rendered in memory (`RecentChanges`). Each such page must be the very page the log gives.
@Suite("Recent changes")
struct RecentChangesTests {
    static let sites = ["north", "south", "east", "west", "ridge"]
    static let admin = Account(name: "admin", role: .admin, sites: [])
    static let accounts = [
        admin, Account(name: "north-nurse", role: .member, sites: ["north"]),
        Account(name: "coordinator", role: .coordinator, sites: ["south", "east", "ridge"]),
        Account(name: "nowhere", role: .viewer, sites: []),
    ]

    /// The page `storage` gives and the page its log gives, in one snapshot.
    static func bothPages(
        _ storage: SQLiteSyncStorage, after cursor: Int64, limit: Int, for account: Account
    ) throws -> (made: PullPage, inline: PullPage?, read: PullPage) {
        try storage.store.readDatabase { db in
            (
                try SQLiteSyncStorage.page(db, after: cursor, limit: limit, for: account, recent: storage.recent),
                try SQLiteSyncStorage.page(
                    db, after: cursor, limit: limit, for: account, recent: storage.recent, readingTheLog: false),
                try SQLiteSyncStorage.databasePage(db, after: cursor, limit: limit, for: account)
            )
        }
    }

    /// With the default room and with room for a few changes only (so pulls from older cursors
    /// fall back to the log), through pushes, conflicting edits and a renamed log.
    @Test(arguments: [nil, 3_000])
    func pagesMadeFromRecentChangesAreThePagesTheLogGives(recentBytes: Int?) async throws {
        let seed =
            ProcessInfo.processInfo.environment["IMPROVE_PROPERTY_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 1...UInt64.max / 2)
        let context = "seed \(seed) (replay with IMPROVE_PROPERTY_SEED=\(seed))"
        var random = StorageMergeAgreementTests.Random(state: seed)
        let storage = try SQLiteSyncStorage(path: nil, recentBytes: recentBytes)
        var pushed: [Change] = []
        var week = 0
        var inlinePages = 0
        for round in 0..<60 {
            var batch: [Change] = []
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                if Int.random(in: 0..<10, using: &random) == 0 {
                    batch.append(
                        Changes.make(
                            type: "measure", entity: "m-\(pushed.count + batch.count)", site: nil,
                            fields: ["name": .text("Falls \"per\" 1,000")]))
                } else if let earlier = pushed.filter({ $0.type == "observation" }).randomElement(using: &random),
                    Int.random(in: 0..<4, using: &random) == 0
                {
                    // Two edits of one record from one base, by two devices: a conflict.
                    for (replica, number) in [("ward-x", 7.0), ("ward-y", 8.0)] {
                        batch.append(
                            Changes.make(
                                type: earlier.type, entity: earlier.entity, site: earlier.site,
                                fields: ["numerator": .number(number)], replica: replica,
                                base: ["numerator": earlier.hlc]))
                    }
                } else {
                    week += 1
                    let site = Self.sites.randomElement(using: &random)!
                    batch.append(
                        Changes.observation(
                            site: site, unit: "unit-\(site)",
                            week: Day(year: 2020, month: 1, day: 6)!.adding(days: 7 * week).description))
                }
            }
            _ = try await storage.push(batch, by: Self.admin)
            pushed += batch
            if round == 40 { _ = try await storage.renewLogID() }
            let last = try await storage.lastSequence()
            for account in Self.accounts {
                let cursor = max(0, last - Int64.random(in: 0...40, using: &random))
                let limit = [1, 3, 1000].randomElement(using: &random)!
                let place = "\(account.name) after \(cursor) (limit \(limit)), round \(round), \(context)"
                let (made, inline, read) = try Self.bothPages(storage, after: cursor, limit: limit, for: account)
                // The page a request's own task may make (nil: it must go to the read queue).
                if let inline {
                    inlinePages += 1
                    #expect(
                        String(decoding: inline.changesAndConflictsJSON, as: UTF8.self)
                            == String(decoding: read.changesAndConflictsJSON, as: UTF8.self), "inline \(place)")
                    #expect(inline.cursor == read.cursor && inline.hasMore == read.hasMore, "inline \(place)")
                }
                #expect(
                    String(decoding: made.changesAndConflictsJSON, as: UTF8.self)
                        == String(decoding: read.changesAndConflictsJSON, as: UTF8.self), "\(place)")
                #expect(made.changes == read.changes && made.cursor == read.cursor, "\(place)")
                #expect(made.hasMore == read.hasMore && made.log == read.log, "\(place)")
                #expect(made.conflicts.map(\.id) == read.conflicts.map(\.id), "\(place)")
            }
        }
        let counts = storage.recent.counts
        if recentBytes == nil {
            #expect(counts.served >= 400, "of 480 pages, those that keep up are made here, \(context)")
            #expect(inlinePages >= 200, "of 240 pulls, those that keep up may be answered inline, \(context)")
        } else {
            #expect(counts.served > 20 && counts.declined > 20, "with room for a few, older cursors read the log")
        }
    }

    @Test
    func aPullThatCannotReadItsChangesInLetsTheNextCatchUp() {
        let recent = RecentChanges()
        #expect(recent.readiness(log: "a", last: 10) == .ready)
        #expect(recent.readiness(log: "a", last: 12) == .catchUp(after: 10))
        // Another pull meanwhile is not asked to read the same changes in.
        #expect(recent.readiness(log: "a", last: 12) == .ready)
        #expect(recent.page(after: 10, through: 12, log: "a", limit: 10, sites: nil, touched: false) == nil)
        recent.abandonCatchUp()
        #expect(recent.readiness(log: "a", last: 12) == .catchUp(after: 10))
        recent.add([Self.entry(11, site: "north"), Self.entry(12, site: nil)], after: 10, through: 12, log: "a")
        let seqs = { (last: Int64, sites: Set<String>?) in
            recent.page(after: 10, through: last, log: "a", limit: 10, sites: sites, touched: false)?.body.changes.map(
                \.seq)
        }
        #expect(seqs(12, nil) == [11, 12])
        #expect(seqs(12, ["south"]) == [12], "global changes are seen by every account")
        // A pull whose snapshot ended before a change another pull read in does not see it.
        #expect(seqs(11, nil) == [11])
        // A snapshot far ahead (a bulk import) starts the mirror again at its end.
        #expect(recent.readiness(log: "a", last: 12 + Int64(RecentChanges.maxCatchUp) + 1) == .ready)
        #expect(recent.page(after: 12, through: 12, log: "a", limit: 10, sites: nil, touched: false) == nil)
    }

    static func entry(_ seq: Int64, site: String?) -> RecentChanges.Entry {
        RecentChanges.Entry(
            seq: seq, site: site, type: "observation", entity: "e-\(seq)", id: "c-\(seq)", json: Array("{}".utf8))
    }
}
