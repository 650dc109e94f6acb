#include <zlib.h>

/* inflateInit2 and deflateInit2 are macros, which Swift cannot call: these wrappers can.
   Both work on raw deflate data (no zlib or gzip header), as ZIP archives store it. */

static inline int mes_inflate_init_raw(z_streamp strm) {
    return inflateInit2(strm, -MAX_WBITS);
}

static inline int mes_deflate_init_raw(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}

/* Raw deflate with a small state (a 4 KiB window, memLevel 4): what a page of a few kilobytes
   needs, set up in a few microseconds instead of the 256 KiB of the defaults. */
static inline int mes_deflate_init_raw_small(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, -12, 4, Z_DEFAULT_STRATEGY);
}
