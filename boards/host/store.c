/* The host board's persistent store: one file of `key=value` lines, replaced atomically
 * (write a temporary file, fsync, rename, fsync the directory) so a put is durable when it
 * returns and a crash leaves either the old or the new file. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bindings.h"

#define MAX_ENTRIES 32
#define LINE_MAX_LEN (HW_STORE_KEY_MAX + 1 + HW_STORE_VALUE_MAX + 2)

static char store_path[512];

typedef struct {
  char key[HW_STORE_KEY_MAX + 1];
  char value[HW_STORE_VALUE_MAX + 1];
  size_t len;
} entry;

static entry entries[MAX_ENTRIES];

int hw_store_open(const char *path) {
  if (strlen(path) >= sizeof store_path - 8) return -1;
  strcpy(store_path, path);
  return 0;
}

/* Loads the file into entries; returns the count (a missing file is an empty store).
 * Malformed lines are skipped rather than trusted. */
static int load(void) {
  FILE *f = fopen(store_path, "r");
  if (!f) return errno == ENOENT ? 0 : -1;
  int n = 0;
  char line[LINE_MAX_LEN + 1];
  while (n < MAX_ENTRIES && fgets(line, sizeof line, f)) {
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n') break; /* truncated or overlong: stop here */
    line[--len] = 0;
    char *eq = strchr(line, '=');
    if (!eq || eq == line || (size_t)(eq - line) > HW_STORE_KEY_MAX) continue;
    size_t vlen = len - (size_t)(eq - line) - 1;
    if (vlen > HW_STORE_VALUE_MAX) continue;
    memcpy(entries[n].key, line, (size_t)(eq - line));
    entries[n].key[eq - line] = 0;
    memcpy(entries[n].value, eq + 1, vlen);
    entries[n].value[vlen] = 0;
    entries[n].len = vlen;
    n++;
  }
  fclose(f);
  return n;
}

long hw_store_get(const char *key, char *out, size_t cap) {
  int n = load();
  for (int i = 0; i < n; i++) {
    if (strcmp(entries[i].key, key) != 0) continue;
    if (entries[i].len <= cap) memcpy(out, entries[i].value, entries[i].len);
    return (long)entries[i].len;
  }
  return -1;
}

int hw_store_wipe(void) {
  if (unlink(store_path) != 0 && errno != ENOENT) return -1;
  return 0;
}

int hw_store_put(const char *key, const char *value, size_t len) {
  if (strlen(key) > HW_STORE_KEY_MAX || len > HW_STORE_VALUE_MAX) return -1;
  int n = load();
  if (n < 0) return -1;
  int at = n;
  for (int i = 0; i < n; i++)
    if (strcmp(entries[i].key, key) == 0) at = i;
  if (at == MAX_ENTRIES) return -1;
  if (at == n) n++;
  strcpy(entries[at].key, key);
  memcpy(entries[at].value, value, len);
  entries[at].value[len] = 0;
  entries[at].len = len;

  static char text[MAX_ENTRIES * (LINE_MAX_LEN + 1)]; /* 66 KB: not on the stack */
  size_t used = 0;
  for (int i = 0; i < n; i++) {
    int m = snprintf(text + used, sizeof text - used, "%s=%s\n", entries[i].key, entries[i].value);
    if (m < 0 || (size_t)m >= sizeof text - used) return -1;
    used += (size_t)m;
  }
  return hw_host_write_durably(store_path, text, used);
}

int hw_host_write_durably(const char *path, const void *data, size_t len) {
  char tmp[600];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return -1;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  int ok = len == 0 || write(fd, data, len) == (ssize_t)len;
  ok = ok && fsync(fd) == 0;
  ok = (close(fd) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  char dir[600];
  snprintf(dir, sizeof dir, "%s", path);
  int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}
