/* Shared by the backends: the call handle and the pending-error helpers. Not for bindings. */
#ifndef HW_VM_CALL_H
#define HW_VM_CALL_H

#include <stdarg.h>
#include <stdio.h>
#include "vm.h"

enum { HW_ERR_NONE, HW_ERR_TYPE, HW_ERR_RANGE, HW_ERR_ERROR };

#define HW_VM_ERR_LEN 160

/* Engine-specific fields live in the backend's hw_vm_call; this part is common. */
typedef struct {
  hw_vm *vm;
  void *user;
  int argc;
  int has_return;
  int err_kind;
  char err[HW_VM_ERR_LEN];
} hw_vm_call_common;

static inline void hw_vm_set_error(hw_vm_call_common *c, int kind, const char *fmt, va_list ap) {
  if (c->err_kind != HW_ERR_NONE) return; /* keep the first, it names the cause */
  c->err_kind = kind;
  vsnprintf(c->err, sizeof c->err, fmt, ap);
}

#endif
