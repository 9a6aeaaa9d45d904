/* homewire on ESP-IDF: the WireGuard sensor firmware as one component, started with one call. */
#ifndef HOMEWIRE_H
#define HOMEWIRE_H

#include "esp_err.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Brings up NVS, the network (Wi-Fi station on chips, a TAP on the linux target) and the
 * homewire task that runs the JavaScript engine, then returns. The device's identity and its
 * enrolled config live in NVS (namespace "homewire"); the console speaks the homewire console
 * protocol on the UART (stdin/stdout on linux). ESP_OK, or the step that failed. */
esp_err_t homewire_start(void);

#ifdef __cplusplus
}
#endif

#endif
