"""Certificates we issue (网上开证明): sealed with the issuing department's SM2 key, rendered as
a PDF with a QR code that verifies offline, checked by anyone at ``/verify/<code>``, revoked
or superseded by the department. See ``models/certificates.py`` for what is stored."""
