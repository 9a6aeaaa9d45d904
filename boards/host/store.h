/* Host board store: a file of key=value lines (see store.c). */
#ifndef HW_HOST_STORE_H
#define HW_HOST_STORE_H

#include <stddef.h>

int hw_store_open(const char *path);
long hw_store_get(const char *key, char *out, size_t cap);
int hw_store_put(const char *key, const char *value, size_t len);
/* Removes the store file (a factory reset). */
int hw_store_wipe(void);

/* Replaces the file at path with len bytes: a temporary file, fsync, rename, fsync of the
 * directory, so it is durable and atomic when it returns 0. */
int hw_host_write_durably(const char *path, const void *data, size_t len);

#endif
