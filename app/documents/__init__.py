"""Rendering documents we issue: PDF pages with Chinese text (reportlab's built-in CID font,
no font download), QR codes and the department's seal image. Certificates use it today; the
decision documents of issue 14 (受理通知书, 不予受理决定书 …) are meant to reuse it."""
