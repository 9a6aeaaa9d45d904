/* The linux target's flash: one file that outlives the process, so NVS (the identity, the
 * TAI64N floor) is kept across restarts as a board's flash is. IDF's partition emulation maps a
 * fresh temporary file unless told a file name; HOMEWIRE_FLASH names ours. On the first boot
 * the file is made as a new chip's flash is: erased (0xff), with this build's partition table at
 * CONFIG_PARTITION_TABLE_OFFSET. Without HOMEWIRE_FLASH every boot is a factory-fresh chip. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esp_private/partition_linux.h"
#include "hw_idf.h"
#include "sdkconfig.h"

#define FLASH_BYTES (4u << 20) /* as CONFIG_ESPTOOLPY_FLASHSIZE_4MB */

static int make_flash_file(const char *path) {
  FILE *table = fopen(HW_PARTITION_TABLE_BIN, "rb");
  if (!table) {
    printf("[board] cannot start: partition table %s: %s\n", HW_PARTITION_TABLE_BIN, strerror(errno));
    return -1;
  }
  static uint8_t buf[4096];
  size_t tlen = fread(buf, 1, sizeof buf, table);
  fclose(table);
  memset(buf + tlen, 0xff, sizeof buf - tlen); /* the rest of the table's page is erased flash */
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) return -1;
  FILE *f = fopen(tmp, "wb");
  if (!f) return -1;
  uint8_t erased[4096];
  memset(erased, 0xff, sizeof erased);
  int ok = 1;
  for (uint32_t at = 0; ok && at < FLASH_BYTES; at += sizeof erased)
    ok = fwrite(at == CONFIG_PARTITION_TABLE_OFFSET ? buf : erased, 1, sizeof erased, f) == sizeof erased;
  ok = (fflush(f) == 0 && fsync(fileno(f)) == 0) && ok;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

esp_err_t hw_idf_flash_prepare(void) {
  const char *path = getenv("HOMEWIRE_FLASH");
  if (!path || !*path) return ESP_OK;
  if (strlen(path) >= PATH_MAX - 8) return ESP_ERR_INVALID_ARG;
  if (access(path, F_OK) != 0 && make_flash_file(path) != 0) {
    printf("[board] cannot start: flash file %s could not be made\n", path);
    return ESP_FAIL;
  }
  esp_partition_file_mmap_ctrl_t *ctrl = esp_partition_get_file_mmap_ctrl_input();
  strlcpy(ctrl->flash_file_name, path, sizeof ctrl->flash_file_name);
  ctrl->remove_dump = false;
  return ESP_OK;
}
