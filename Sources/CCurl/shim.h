#ifndef MES_CCURL_SHIM_H
#define MES_CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* libcurl is loaded with dlopen when the first message is sent, not when mes starts: linked in,
   it and the ~30 libraries it pulls (Kerberos, LDAP, SSH, RTMP, GnuTLS...) cost every command
   about a third of its start-up in the dynamic loader. Its types and constants come from its
   header; its functions from this table.

   Only one Swift file (MESDelivery/Curl.swift) may call these functions: each file of a debug
   build gets its own copy of a static inline function's static storage. */

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

static inline struct mes_curl_api *mes_curl_api(void) {
    static struct mes_curl_api api;
    return &api;
}

static inline void mes_curl_load_once(void) {
    struct mes_curl_api *a = mes_curl_api();
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(a->error, sizeof a->error, "%s", why ? why : "libcurl.so.4 introuvable");
        return;
    }
#define MES_CURL_SYM(field, name) \
    if (!(*(void **)&a->field = dlsym(h, name))) { snprintf(a->error, sizeof a->error, "libcurl.so.4 sans %s", name); return; }
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
    }
}

/* Loads libcurl once (thread-safe). NULL when it is ready, else why it is not. */
static inline const char *mes_curl_load(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, mes_curl_load_once);
    return mes_curl_api()->error[0] ? mes_curl_api()->error : NULL;
}

/* The functions, through the table (call mes_curl_load first). curl_easy_setopt and
   curl_easy_getinfo are variadic, which Swift cannot call: one typed wrapper per kind of
   argument. */
static inline CURL *mes_curl_easy_init(void) { return mes_curl_api()->easy_init(); }
static inline void mes_curl_easy_cleanup(CURL *h) { mes_curl_api()->easy_cleanup(h); }
static inline CURLcode mes_curl_easy_perform(CURL *h) { return mes_curl_api()->easy_perform(h); }
static inline const char *mes_curl_easy_strerror(CURLcode c) { return mes_curl_api()->easy_strerror(c); }
static inline struct curl_slist *mes_curl_slist_append(struct curl_slist *l, const char *s) { return mes_curl_api()->slist_append(l, s); }
static inline void mes_curl_slist_free_all(struct curl_slist *l) { mes_curl_api()->slist_free_all(l); }

static inline CURLcode mes_curl_setopt_long(CURL *h, CURLoption o, long v) { return mes_curl_api()->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return mes_curl_api()->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return mes_curl_api()->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_ptr(CURL *h, CURLoption o, void *v) { return mes_curl_api()->easy_setopt(h, o, v); }
static inline CURLcode mes_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return mes_curl_api()->easy_setopt(h, o, v); }
/* CURLOPT_READFUNCTION, CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this shape. */
static inline CURLcode mes_curl_setopt_callback(CURL *h, CURLoption o, size_t (*cb)(char *, size_t, size_t, void *)) {
    return mes_curl_api()->easy_setopt(h, o, cb);
}

static inline CURLcode mes_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return mes_curl_api()->easy_getinfo(h, i, v); }
static inline CURLcode mes_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return mes_curl_api()->easy_getinfo(h, i, v); }

#endif
