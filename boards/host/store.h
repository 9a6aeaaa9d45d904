/* Host board store: a file of key=value lines (see store.c). */
#ifndef HW_HOST_STORE_H
#define HW_HOST_STORE_H

#include <stddef.h>

int hw_store_open(const char *path);
long hw_store_get(const char *key, char *out, size_t cap);
int hw_store_put(const char *key, const char *value, size_t len);
/* Removes the store file (a factory reset). */
int hw_store_wipe(void);

#endif
