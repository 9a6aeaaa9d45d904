# Natives (firmware/bindings): the JS-driven bindings test once more under ASan + UBSan, which
# catches an off-by-one in a native's length handling that a known answer would not.
# (The plain test, test-firmware-bindings, lives in firmware.mk beside the firmware build.)

.PHONY: test-firmware-bindings-asan
test-firmware-bindings-asan: ## test-firmware-bindings with the natives built under ASan + UBSan (gcc)
	$(MAKE) --no-print-directory test-firmware-bindings FW_BUILD=$(FW_BUILD)-bindings-asan \
	  FW_SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
