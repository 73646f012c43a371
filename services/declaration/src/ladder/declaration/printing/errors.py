"""Errors of the printed copy and its verification, each with a stable code."""

from ladder.kit.errors import NotFound


class FingerprintNotFound(NotFound):
    code = "fingerprint_not_found"
    message = "没有与该指纹对应的申报版本，请核对纸质版上的指纹"
    message_en = "No submitted version has this fingerprint; check the one printed on the copy"
