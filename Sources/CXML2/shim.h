#ifndef MES_CXML2_SHIM_H
#define MES_CXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* libxml2 is loaded with dlopen when the first spreadsheet is read, not when mes starts: linked
   in, it and the libraries it pulls (ICU, liblzma) cost every command about half a millisecond
   and a megabyte of memory at start-up. Its types and constants come from its headers; its
   functions from this table, each typed as the header declares it. */
struct mes_xml2_api {
    __typeof__(&xmlCreatePushParserCtxt) createPushParserCtxt;
    __typeof__(&xmlCtxtUseOptions) ctxtUseOptions;
    __typeof__(&xmlSwitchEncoding) switchEncoding;
    __typeof__(&xmlFreeParserCtxt) freeParserCtxt;
    __typeof__(&xmlParseChunk) parseChunk;
    __typeof__(&xmlStopParser) stopParser;
    /* Why loading failed, empty when it worked. */
    char error[256];
};

/* The library the headers are of: libxml2 2.14 renamed it. */
#if LIBXML_VERSION >= 21400
#define MES_XML2_SONAME "libxml2.so.16"
#else
#define MES_XML2_SONAME "libxml2.so.2"
#endif

/* Fills `a` from MES_XML2_SONAME (dlopen) and runs xmlInitParser: 0 when it is ready, else -1
   with the reason in a->error. The caller keeps the one table (a Swift global, initialised once:
   no C static storage, of which each file of a build with several LLVM modules would get a
   copy). */
static inline int mes_xml2_load(struct mes_xml2_api *a) {
    memset(a, 0, sizeof *a);
    void *h = dlopen(MES_XML2_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(a->error, sizeof a->error, "%s", why ? why : MES_XML2_SONAME " introuvable");
        return -1;
    }
    __typeof__(&xmlInitParser) initParser;
#define MES_XML2_SYM(field, name) \
    if (!(*(void **)&(field) = dlsym(h, name))) { snprintf(a->error, sizeof a->error, MES_XML2_SONAME " sans %s", name); return -1; }
    MES_XML2_SYM(initParser, "xmlInitParser")
    MES_XML2_SYM(a->createPushParserCtxt, "xmlCreatePushParserCtxt")
    MES_XML2_SYM(a->ctxtUseOptions, "xmlCtxtUseOptions")
    MES_XML2_SYM(a->switchEncoding, "xmlSwitchEncoding")
    MES_XML2_SYM(a->freeParserCtxt, "xmlFreeParserCtxt")
    MES_XML2_SYM(a->parseChunk, "xmlParseChunk")
    MES_XML2_SYM(a->stopParser, "xmlStopParser")
#undef MES_XML2_SYM
    initParser();  /* its global state is not thread-safe to set up: once, before any parse */
    return 0;
}

#endif
