"""The printable copy (纸质版) of a submitted declaration version and its public verification.

The notices require the paper copy to equal the online one (纸质版须与线上填报一致): the PDF of
a version carries that version's SHA-256 fingerprint on every page and a QR code pointing at
the public verification route, which says which version the paper is and whether it is still
the one under review.
"""
