/*
 * curl_lazy.c — see curl_lazy.h.
 */
#include <dlfcn.h>
#include <stdio.h>

#include "net/curl_lazy.h"

static struct curl_lazy	curl_lazy_fns;
static int		curl_lazy_state;	/* 0 not tried, 1 loaded, -1 failed */
static char		curl_lazy_err[200];

#define CURL_LAZY_SYM(field, name) do {						\
	*(void **)&curl_lazy_fns.field = dlsym(h, name);			\
	if (curl_lazy_fns.field == NULL) {					\
		snprintf(curl_lazy_err, sizeof(curl_lazy_err),			\
		    "libcurl has no %s", name);					\
		return -1;							\
	}									\
} while (0)

static int
curl_lazy_open(void)
{
	void *h;

	/* libcurl4 (the soname behind libcurl4-openssl-dev): the ABI these headers describe */
	if ((h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(curl_lazy_err, sizeof(curl_lazy_err), "cannot load libcurl: %s", dlerror());
		return -1;
	}
	CURL_LAZY_SYM(global_init, "curl_global_init");
	CURL_LAZY_SYM(easy_strerror, "curl_easy_strerror");
	CURL_LAZY_SYM(easy_init, "curl_easy_init");
	CURL_LAZY_SYM(easy_cleanup, "curl_easy_cleanup");
	CURL_LAZY_SYM(easy_setopt, "curl_easy_setopt");
	CURL_LAZY_SYM(easy_getinfo, "curl_easy_getinfo");
	CURL_LAZY_SYM(easy_header, "curl_easy_header");
	CURL_LAZY_SYM(free, "curl_free");
	CURL_LAZY_SYM(multi_init, "curl_multi_init");
	CURL_LAZY_SYM(multi_cleanup, "curl_multi_cleanup");
	CURL_LAZY_SYM(multi_setopt, "curl_multi_setopt");
	CURL_LAZY_SYM(multi_add_handle, "curl_multi_add_handle");
	CURL_LAZY_SYM(multi_remove_handle, "curl_multi_remove_handle");
	CURL_LAZY_SYM(multi_assign, "curl_multi_assign");
	CURL_LAZY_SYM(multi_info_read, "curl_multi_info_read");
	CURL_LAZY_SYM(multi_socket_action, "curl_multi_socket_action");
	CURL_LAZY_SYM(share_init, "curl_share_init");
	CURL_LAZY_SYM(share_cleanup, "curl_share_cleanup");
	CURL_LAZY_SYM(share_setopt, "curl_share_setopt");
	CURL_LAZY_SYM(slist_append, "curl_slist_append");
	CURL_LAZY_SYM(slist_free_all, "curl_slist_free_all");
	CURL_LAZY_SYM(url, "curl_url");
	CURL_LAZY_SYM(url_cleanup, "curl_url_cleanup");
	CURL_LAZY_SYM(url_get, "curl_url_get");
	CURL_LAZY_SYM(url_set, "curl_url_set");
	return 0;
}

const struct curl_lazy *
curl_lazy_load(char *err, size_t errlen)
{
	if (curl_lazy_state == 0)
		curl_lazy_state = curl_lazy_open() == 0 ? 1 : -1;
	if (curl_lazy_state < 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", curl_lazy_err);
		return NULL;
	}
	return &curl_lazy_fns;
}
