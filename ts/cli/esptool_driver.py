"""`homewire flash`'s hands: esptool (the project venv's, scripts/requirements.txt) used as a
library. ts/cli/flash.ts sends one job as JSON on stdin; this answers with one JSON event per line
on stdout (connected, per-image progress, written, verified, reset, or error with a kind), so the
CLI draws its own progress bars and words its own errors without parsing esptool's text.

Order: check every image against the build's chip (esptool's own image parser) before the port
is touched; connect with chip detection and refuse a chip that is not the build's before anything
is written; check the flash size against the partition table; write the images one at a time
(esptool checks each one's MD5 after writing it); then read back the MD5 of every image and
compare it with the file's (so a later image overlapping an earlier one would be caught); reset.
"""

import hashlib
import json
import sys

from esptool.bin_image import LoadFirmwareImage
from esptool.cmds import attach_flash, detect_chip, detect_flash_size, reset_chip, run_stub, write_flash
from esptool.logger import TemplateLogger, log
from esptool.targets import CHIP_DEFS
from esptool.util import FatalError, flash_size_bytes


def emit(event, **fields):
    fields["event"] = event
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


class Failure(Exception):
    def __init__(self, kind, message, image=None):
        super().__init__(message)
        self.kind = kind
        self.image = image


class EventLogger(TemplateLogger):
    """esptool's output as events: progress by whole percent, text as log lines."""

    def __init__(self):
        self.image = None
        self.percent = -1
        self.warnings = []

    def print(self, *args, **kwargs):
        text = (kwargs.get("sep") or " ").join(str(a) for a in args).strip()
        if text:
            emit("log", text=text)

    def note(self, message):
        emit("log", text="note: " + str(message))

    def warning(self, message):
        self.warnings.append(str(message))
        emit("log", text="warning: " + str(message))

    def error(self, message):
        emit("log", text="error: " + str(message))

    def stage(self, finish=False):
        pass

    def progress_bar(self, cur_iter, total_iters, prefix="", suffix="", bar_length=30):
        if self.image is None or total_iters <= 0:
            return
        percent = cur_iter * 100 // total_iters
        if percent != self.percent:
            self.percent = percent
            emit("progress", image=self.image, done=cur_iter, total=total_iters)

    def set_verbosity(self, verbosity):
        pass


def read(path):
    with open(path, "rb") as f:
        return f.read()


def check_images(job, chip_class):
    """Every ESP image is for the build's chip; the bootloader's header carries the build's
    flash settings (so esptool writes it unchanged and the MD5 below is the file's)."""
    settings = job["flashSettings"]
    for image in job["images"]:
        data = read(image["path"])
        image["data"] = data
        if not image.get("espImage"):
            continue
        try:
            parsed = LoadFirmwareImage(job["chip"], data)
        except Exception as e:  # esptool raises FatalError, struct.error or others on junk
            raise Failure("build", "%s: not a valid %s image (%s)" % (image["name"], chip_class.CHIP_NAME, e), image["name"])
        if parsed.chip_id != chip_class.IMAGE_CHIP_ID:
            raise Failure("build", "%s: its header says chip id %d, the build's chip %s has %d" % (image["name"], parsed.chip_id, chip_class.CHIP_NAME, chip_class.IMAGE_CHIP_ID), image["name"])
        if image.get("bootloader"):
            mode = {"qio": 0, "qout": 1, "dio": 2, "dout": 3}.get(settings["mode"])
            size = chip_class.FLASH_SIZES.get(settings["size"])
            freq = chip_class.FLASH_FREQUENCY.get(settings["freq"])
            if mode is None or size is None or freq is None:
                raise Failure("build", "flash_settings %s is not valid for %s" % (json.dumps(settings), chip_class.CHIP_NAME))
            if data[2] != mode or data[3] != (size | freq):
                raise Failure("build", "%s: its header's flash settings (mode byte %d, size/freq byte 0x%02x) differ from flasher_args.json's %s (0x%02x); rebuild" % (image["name"], data[2], data[3], json.dumps(settings), size | freq), image["name"])


def connect(job, chip_class):
    before = job["before"]
    try:
        esp = detect_chip(job["port"], CHIP_DEFS[job["chip"]].ESP_ROM_BAUD, before)
    except FatalError as e:
        text = str(e)
        if "exclusively lock" in text or "Resource temporarily unavailable" in text:
            raise Failure("port-busy", text)
        if "Errno 2" in text or "No such file" in text:
            raise Failure("no-port", text)
        if "Permission denied" in text:
            raise Failure("port-denied", text)
        raise Failure("no-bootloader", text)
    except OSError as e:
        raise Failure("no-bootloader", str(e))
    description = esp.get_chip_description()
    emit("connected", chip=esp.CHIP_NAME, description=description, mac=":".join("%02x" % b for b in esp.read_mac()))
    if esp.CHIP_NAME != chip_class.CHIP_NAME:
        esp._port.close()
        raise Failure("wrong-chip", "the build is for %s but the board answered as %s" % (chip_class.CHIP_NAME, description))
    return esp


def main():
    job = json.load(sys.stdin)
    logger = EventLogger()
    log.set_logger(logger)
    chip_class = CHIP_DEFS.get(job["chip"])
    if chip_class is None:
        raise Failure("build", "extra_esptool_args.chip: %r is not a chip esptool knows (%s)" % (job["chip"], ", ".join(sorted(CHIP_DEFS))))
    check_images(job, chip_class)
    emit("checked")
    esp = connect(job, chip_class)
    current = None
    try:
        if job["stub"]:
            esp = run_stub(esp)
        if job["baud"] != esp.ESP_ROM_BAUD:
            esp.change_baud(job["baud"])
        attach_flash(esp)
        detected = detect_flash_size(esp)
        if detected is not None and flash_size_bytes(detected) < job["tableEnd"]:
            raise Failure("flash-size", "the partition table reaches 0x%x but this chip's flash is %s" % (job["tableEnd"], detected))
        for image in job["images"]:
            current = image["name"]
            emit("start", image=current, offset=image["offset"], size=len(image["data"]))
            logger.image, logger.percent = current, -1
            # "keep": the bytes written are the file's (check_images made sure that is right).
            write_flash(esp, [(image["offset"], image["data"])], flash_freq="keep", flash_mode="keep", flash_size="keep")
            logger.image = None
            emit("written", image=current)
        current = None
        for image in job["images"]:
            want = hashlib.md5(image["data"]).hexdigest()
            got = esp.flash_md5sum(image["offset"], len(image["data"]))
            if got != want:
                raise Failure("verify-failed", "%s at 0x%x: MD5 in flash %s, file %s" % (image["name"], image["offset"], got, want), image["name"])
            emit("verified", image=image["name"], md5=got)
        logger.warnings = []
        reset_chip(esp, job["after"])
        emit("reset", how=job["after"], warnings=logger.warnings)
    except Failure:
        raise
    except (FatalError, OSError, Exception) as e:  # pyserial's SerialException is an OSError
        raise Failure("write-failed", "%s: %s" % (type(e).__name__, e), current)
    finally:
        try:
            esp._port.close()
        except Exception:
            pass


if __name__ == "__main__":
    try:
        main()
    except Failure as f:
        emit("error", kind=f.kind, message=str(f), image=f.image)
        sys.exit(1)
    except Exception as e:  # before the writes began (connecting, the stub): say what esptool said
        emit("error", kind="esptool", message="%s: %s" % (type(e).__name__, e), image=None)
        sys.exit(1)
