#ifndef FLOWQ_CSQLITE_SHIM_H
#define FLOWQ_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
