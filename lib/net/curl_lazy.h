/*
 * curl_lazy.h — libcurl, loaded when the first HTTPS fetch is set up, not at program start.
 *
 * libcurl pulls in a large tree of libraries (LDAP, GSSAPI, SSH, RTMP, ...) whose loading cost
 * ~7 ms on every start, a third of a whole `mailtls host` run, for a fetch that only domains with
 * an MTA-STS record need.  So libmailtls calls libcurl through this table, filled by dlopen()
 * of the libcurl the build was made against (same soname, same headers).  Measured in
 * docs/internals/http.md.
 */
#ifndef MAILTLS_CURL_LAZY_H
#define MAILTLS_CURL_LAZY_H

#include <stddef.h>

#include <curl/curl.h>

struct curl_lazy {
	CURLcode	 (*global_init)(long);
	const char	*(*easy_strerror)(CURLcode);
	CURL		*(*easy_init)(void);
	void		 (*easy_cleanup)(CURL *);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLHcode	 (*easy_header)(CURL *, const char *, size_t, unsigned int, int,
			    struct curl_header **);
	void		 (*free)(void *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_cleanup)(CURLM *);
	CURLMcode	 (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_assign)(CURLM *, curl_socket_t, void *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	 (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLSH		*(*share_init)(void);
	CURLSHcode	 (*share_cleanup)(CURLSH *);
	CURLSHcode	 (*share_setopt)(CURLSH *, CURLSHoption, ...);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
	CURLU		*(*url)(void);
	void		 (*url_cleanup)(CURLU *);
	CURLUcode	 (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode	 (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
};

/* The table, loaded once; NULL and a message in err when libcurl cannot be loaded. */
const struct curl_lazy	*curl_lazy_load(char *err, size_t errlen);

#endif
