#include <libxml/parser.h>
#include <libxml/parserInternals.h>

/* xmlFree is a global function pointer, which Swift 6 sees as shared mutable state: this
   wrapper calls it. */
static inline void mes_xml_free(void *p) {
    xmlFree(p);
}
