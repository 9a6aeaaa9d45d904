/* The linux target's TAP device: Linux system calls only. Kept apart from linux_tap.c because
 * ESP-IDF's lwIP puts its own socket and fcntl declarations on the include path of every
 * component that uses it; LWIP_HDR_LINUX_SYS_SOCKETS_H asks its wrappers for the system's.
 * Non-blocking is set with ioctl(FIONBIO): on linux IDF's lwIP wraps fcntl(2) at link time,
 * and v6.0.2's wrapper drops the third argument for descriptors that are not its sockets. */
#define LWIP_HDR_LINUX_SYS_SOCKETS_H
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hw_idf.h"

static int tap_fd = -1;

int hw_idf_tap_open(const char *name) {
  if (strlen(name) >= IFNAMSIZ) return -1;
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  memcpy(ifr.ifr_name, name, strlen(name));
  int nonblocking = 1;
  if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, FIONBIO, &nonblocking) < 0) {
    printf("[board] cannot start: TAP %s: %s\n", name, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  tap_fd = fd;
  return 0;
}

int hw_idf_tap_write(const void *frame, size_t len) {
  return write(tap_fd, frame, len) == (ssize_t)len ? 0 : -1;
}

long hw_idf_tap_read(void *frame, size_t cap) {
  ssize_t n = read(tap_fd, frame, cap);
  return n > 0 ? (long)n : 0;
}
