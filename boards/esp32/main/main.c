/* The whole application: homewire runs in its own task; app_main returns. */
#include "homewire.h"

void app_main(void) { homewire_start(); }
