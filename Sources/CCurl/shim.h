#ifndef MES_CCURL_SHIM_H
#define MES_CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* libcurl is loaded with dlopen when the first message is sent, not when mes starts: linked in,
   it and the ~30 libraries it pulls (Kerberos, LDAP, SSH, RTMP, GnuTLS...) cost every command
   about a third of its start-up in the dynamic loader. Its types and constants come from its
   header; its functions from this table. */

struct mes_curl_api {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    /* Why loading failed, empty when it worked. */
    char error[256];
};

/* Fills `a` from libcurl.so.4 (dlopen) and runs curl_global_init: 0 when it is ready, else -1
   with the reason in a->error. The caller keeps the one table (a Swift global, initialised
   once): no C static storage, which each file of a build with several LLVM modules (debug, or
   release with -num-threads) would get a copy of. */
static inline int mes_curl_load(struct mes_curl_api *a) {
    memset(a, 0, sizeof *a);
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(a->error, sizeof a->error, "%s", why ? why : "libcurl.so.4 introuvable");
        return -1;
    }
#define MES_CURL_SYM(field, name) \
    if (!(*(void **)&a->field = dlsym(h, name))) { snprintf(a->error, sizeof a->error, "libcurl.so.4 sans %s", name); return -1; }
    MES_CURL_SYM(global_init, "curl_global_init")
    MES_CURL_SYM(easy_init, "curl_easy_init")
    MES_CURL_SYM(easy_cleanup, "curl_easy_cleanup")
    MES_CURL_SYM(easy_perform, "curl_easy_perform")
    MES_CURL_SYM(easy_strerror, "curl_easy_strerror")
    MES_CURL_SYM(easy_setopt, "curl_easy_setopt")
    MES_CURL_SYM(easy_getinfo, "curl_easy_getinfo")
    MES_CURL_SYM(slist_append, "curl_slist_append")
    MES_CURL_SYM(slist_free_all, "curl_slist_free_all")
#undef MES_CURL_SYM
    if (a->global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(a->error, sizeof a->error, "curl_global_init a échoué");
        return -1;
    }
    return 0;
}

/* The functions, through a loaded table. curl_easy_setopt and curl_easy_getinfo are variadic,
   which Swift cannot call: one typed wrapper per kind of argument. */
typedef const struct mes_curl_api *mes_curl;
static inline CURL *mes_curl_easy_init(mes_curl a) { return a->easy_init(); }
static inline void mes_curl_easy_cleanup(mes_curl a, CURL *h) { a->easy_cleanup(h); }
static inline CURLcode mes_curl_easy_perform(mes_curl a, CURL *h) { return a->easy_perform(h); }
static inline const char *mes_curl_easy_strerror(mes_curl a, CURLcode c) { return a->easy_strerror(c); }
static inline struct curl_slist *mes_curl_slist_append(mes_curl a, struct curl_slist *l, const char *s) { return a->slist_append(l, s); }
static inline void mes_curl_slist_free_all(mes_curl a, struct curl_slist *l) { a->slist_free_all(l); }

static inline CURLcode mes_curl_setopt_long(mes_curl a, CURL *h, CURLoption o, long v) { return a->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_off(mes_curl a, CURL *h, CURLoption o, curl_off_t v) { return a->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_str(mes_curl a, CURL *h, CURLoption o, const char *v) { return a->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_ptr(mes_curl a, CURL *h, CURLoption o, void *v) { return a->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_slist(mes_curl a, CURL *h, CURLoption o, struct curl_slist *v) { return a->easy_setopt(h, o, v); }
/* CURLOPT_READFUNCTION, CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this shape. */
static inline CURLcode mes_curl_setopt_callback(mes_curl a, CURL *h, CURLoption o, size_t (*cb)(char *, size_t, size_t, void *)) {
    return a->easy_setopt(h, o, cb);
}

static inline CURLcode mes_curl_getinfo_long(mes_curl a, CURL *h, CURLINFO i, long *v) { return a->easy_getinfo(h, i, v); }
static inline CURLcode mes_curl_getinfo_double(mes_curl a, CURL *h, CURLINFO i, double *v) { return a->easy_getinfo(h, i, v); }

#endif
