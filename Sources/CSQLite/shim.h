#include <sqlite3.h>

/* sqlite3_config and sqlite3_db_config are variadic, which Swift cannot call: these wrappers can. */

/* No memory statistics: without them SQLite's allocator takes no global mutex per allocation.
   Must run before the library is initialised (the first open); later it returns SQLITE_MISUSE. */
static inline int mes_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The connection's lookaside allocator: `count` slots of `size` bytes for small allocations. */
static inline int mes_sqlite3_lookaside(sqlite3 *db, int size, int count) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, (void *)0, size, count);
}
