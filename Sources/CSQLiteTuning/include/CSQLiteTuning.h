#ifndef IMPROVE_CSQLITE_TUNING_H
#define IMPROVE_CSQLITE_TUNING_H

/// Turns off SQLite's memory statistics, which take one process-wide mutex around every
/// allocation and free; with a writer and readers on several threads that mutex was contended
/// thousands of times a second. Must run before SQLite initializes: afterwards it changes
/// nothing and returns SQLITE_MISUSE (21). sqlite3_config is variadic, so Swift cannot call it.
int improve_sqlite_disable_memory_statistics(void);

#endif
