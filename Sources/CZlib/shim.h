#include <zlib.h>

/* inflateInit2 and deflateInit2 are macros, which Swift cannot call: these wrappers can.
   Both work on raw deflate data (no zlib or gzip header), as ZIP archives store it. */

static inline int mes_inflate_init_raw(z_streamp strm) {
    return inflateInit2(strm, -MAX_WBITS);
}

static inline int mes_deflate_init_raw(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
