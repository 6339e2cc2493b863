#ifndef FLOWQ_CZLIB_SHIM_H
#define FLOWQ_CZLIB_SHIM_H
#include <zlib.h>
#endif
