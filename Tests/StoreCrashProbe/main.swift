// Applies one big batch of remote changes to a store file, announcing when it starts, so a test
// can kill it with SIGKILL part-way through and check the file afterwards.
//
//   store-crash-probe STORE_PATH BATCH_SIZE
import Foundation
import ImprovementCore

let arguments = CommandLine.arguments
guard arguments.count == 3, let size = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: store-crash-probe STORE_PATH BATCH_SIZE\n".utf8))
    exit(2)
}
let store = try ImprovementStore(path: arguments[1])
let replica = "crash-peer"
let start = Int64(Date().timeIntervalSince1970 * 1000) - 10_000
let batch = (0..<size).map { index in
    Change(
        id: "crash-\(index)", replica: replica, type: "observation", entity: "remote/unit/\(index)", site: "north",
        hlc: HLC(millis: start + Int64(index / 1000), counter: index % 1000, replica: replica), author: "peer",
        fields: [
            "measure": .text("remote"), "unit": .text("unit"), "site": .text("north"), "value": .number(Double(index)),
        ],
        base: [:])
}
FileHandle.standardOutput.write(Data("applying \(size)\n".utf8))
try store.apply(batch)
print("applied")
